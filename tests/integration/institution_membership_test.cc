// Memberships of institutions in communities through the institution service.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/institution_fixture.h"

namespace cmc::institution {
namespace {

TEST_F(InstitutionTest, MembershipsNeverOverlap) {
  const v1::Community a = NewCommunity("YGT-A");
  const v1::Community b = NewCommunity("YGT-B");
  const v1::Institution center = NewInstitution(
      MakeInstitution(80, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown));
  const v1::Institution far = NewInstitution(MakeInstitution(
      81, "邻县乡镇卫生院", "C220", TIER_TOWNSHIP, kOtherCountyTown));
  v1::Membership first;
  ASSERT_TRUE(AddMembership("req-1",
                            MakeMembership(center.id(), a.id(), "2024-01-01"),
                            &first)
                  .ok());
  EXPECT_EQ(first.id().rfind("mem-", 0), 0u);
  EXPECT_FALSE(first.has_valid_to());
  v1::Membership repeat;  // a replay, not an overlap with itself
  ASSERT_TRUE(AddMembership("req-1",
                            MakeMembership(center.id(), a.id(), "2024-01-01"),
                            &repeat)
                  .ok());
  EXPECT_EQ(repeat.id(), first.id());

  struct Case {
    const char* name;
    v1::Membership membership;
    StatusCode code;
    const char* field;
  };
  v1::Membership loose = MakeMembership(center.id(), b.id(), "2025-01-01");
  loose.set_kind(v1::MEMBERSHIP_KIND_UNSPECIFIED);
  const Case cases[] = {
      {"overlaps the open membership",
       MakeMembership(center.id(), b.id(), "2030-01-01"),
       StatusCode::FAILED_PRECONDITION, "membership.valid_from"},
      {"same community again",
       MakeMembership(center.id(), a.id(), "2023-06-01", "2024-01-01"),
       StatusCode::FAILED_PRECONDITION, "membership.valid_from"},
      {"outside the county", MakeMembership(far.id(), a.id(), "2024-01-01"),
       StatusCode::INVALID_ARGUMENT, "membership.institution_id"},
      {"unknown institution", MakeMembership("ins-nope", a.id(), "2024-01-01"),
       StatusCode::NOT_FOUND, "membership.institution_id"},
      {"unknown community", MakeMembership(center.id(), "com-no", "2024-01-01"),
       StatusCode::NOT_FOUND, "membership.community_id"},
      {"no kind", loose, StatusCode::INVALID_ARGUMENT, "membership.kind"},
      {"ends before it starts",
       MakeMembership(center.id(), b.id(), "2023-02-01", "2023-01-31"),
       StatusCode::INVALID_ARGUMENT, "membership.valid_to"},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Membership out;
    ExpectError(
        AddMembership("req-bad-" + std::to_string(n++), c.membership, &out),
        c.code, c.field);
  }

  v1::EndMembershipRequest end;
  end.set_id(first.id());
  end.mutable_valid_to()->set_value("2023-12-31");
  v1::Membership ended;
  ExpectError(Call(&Stub::EndMembership, end, &ended),
              StatusCode::INVALID_ARGUMENT, "valid_to");
  end.mutable_valid_to()->set_value("2024-12-31");
  ASSERT_TRUE(Call(&Stub::EndMembership, end, &ended).ok());
  EXPECT_EQ(ended.valid_to().value(), "2024-12-31");
  ExpectError(Call(&Stub::EndMembership, end, &ended),
              StatusCode::FAILED_PRECONDITION, "id");
  end.set_id("mem-nope");
  ExpectError(Call(&Stub::EndMembership, end, &ended), StatusCode::NOT_FOUND,
              "id");
  end.clear_valid_to();
  ExpectError(Call(&Stub::EndMembership, end, &ended),
              StatusCode::INVALID_ARGUMENT, "valid_to");

  // The day after the end is free again, in another community.
  v1::Membership second;
  ASSERT_TRUE(AddMembership("req-2",
                            MakeMembership(center.id(), b.id(), "2025-01-01"),
                            &second)
                  .ok());

  v1::ListMembershipsRequest list;
  list.set_institution_id(center.id());
  v1::ListMembershipsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListMemberships, list, &listed).ok());
  ASSERT_EQ(listed.memberships_size(), 2);
  EXPECT_EQ(listed.memberships(0).id(), first.id());
  EXPECT_EQ(listed.memberships(1).id(), second.id());
  list.mutable_as_of()->set_value("2024-06-01");
  ASSERT_TRUE(Call(&Stub::ListMemberships, list, &listed).ok());
  ASSERT_EQ(listed.memberships_size(), 1);
  EXPECT_EQ(listed.memberships(0).community_id(), a.id());
  list.clear_institution_id();
  list.set_community_id(b.id());
  ASSERT_TRUE(Call(&Stub::ListMemberships, list, &listed).ok());
  EXPECT_EQ(listed.memberships_size(), 0);
  list.clear_community_id();
  ExpectError(Call(&Stub::ListMemberships, list, &listed),
              StatusCode::INVALID_ARGUMENT, "institution_id");
  list.set_community_id("com-nope");
  ExpectError(Call(&Stub::ListMemberships, list, &listed),
              StatusCode::NOT_FOUND, "community_id");

  std::vector<std::string> types;
  for (const auto& e : Events()) types.push_back(e.type());
  const std::vector<std::string> expected = {
      "institution.CommunityCreated",   "institution.CommunityCreated",
      "institution.InstitutionCreated", "institution.InstitutionCreated",
      "institution.MembershipAdded",    "institution.MembershipEnded",
      "institution.MembershipAdded"};
  EXPECT_EQ(types, expected);
  v1::Membership payload;
  ASSERT_TRUE(Events()[5].payload().UnpackTo(&payload));
  EXPECT_EQ(payload.valid_to().value(), "2024-12-31");
}

TEST_F(InstitutionTest, ClosedInstitutionsAndCommunitiesTakeNoMembers) {
  const v1::Community community = NewCommunity("YGT-A");
  v1::Institution hospital = NewInstitution(
      MakeInstitution(85, "某县人民医院", "A100", TIER_COUNTY, kTown));
  const v1::Institution center = NewInstitution(
      MakeInstitution(86, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown));
  hospital.set_status(v1::INSTITUTION_STATUS_CLOSED);
  ASSERT_TRUE(UpdateInstitution(hospital, {"status"}, &hospital).ok());
  EXPECT_EQ(hospital.status(), v1::INSTITUTION_STATUS_CLOSED);
  v1::Membership out;
  ExpectError(
      AddMembership("req-h",
                    MakeMembership(hospital.id(), community.id(), "2024-01-01"),
                    &out),
      StatusCode::FAILED_PRECONDITION, "membership.institution_id");

  v1::UpdateCommunityRequest update;
  *update.mutable_community() = community;
  update.mutable_community()->set_lead_institution_id(hospital.id());
  update.mutable_update_mask()->add_paths("lead_institution_id");
  v1::Community updated;
  ExpectError(Call(&Stub::UpdateCommunity, update, &updated),
              StatusCode::FAILED_PRECONDITION, "community.lead_institution_id");
  update.mutable_community()->set_status(v1::COMMUNITY_STATUS_CLOSED);
  update.mutable_update_mask()->set_paths(0, "status");
  ASSERT_TRUE(Call(&Stub::UpdateCommunity, update, &updated).ok());
  ExpectError(
      AddMembership("req-c",
                    MakeMembership(center.id(), community.id(), "2024-01-01"),
                    &out),
      StatusCode::FAILED_PRECONDITION, "membership.community_id");
}

TEST_F(InstitutionTest, ConcurrentMembershipsOfOneInstitutionAdmitOne) {
  std::vector<v1::Community> communities;
  for (int i = 0; i < 6; ++i) {
    communities.push_back(NewCommunity("YGT-" + std::to_string(i)));
  }
  const v1::Institution clinic = NewInstitution(
      MakeInstitution(90, "某村卫生室", "D600", TIER_VILLAGE, kVillage));
  std::atomic<int> added{0}, refused{0};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < communities.size(); ++i) {
    threads.emplace_back([&, i] {
      v1::Membership out;
      const grpc::Status status = AddMembership(
          "req-" + std::to_string(i),
          MakeMembership(clinic.id(), communities[i].id(), "2024-01-01"), &out);
      if (status.ok()) ++added;
      if (status.error_code() == StatusCode::FAILED_PRECONDITION) ++refused;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(added.load(), 1);
  EXPECT_EQ(refused.load(), 5);
}

}  // namespace
}  // namespace cmc::institution
