// Communities and idempotent creates through the institution service.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/institution_fixture.h"

namespace cmc::institution {
namespace {

TEST_F(InstitutionTest, CommunityRoundTripsExactlyAndIsAnnounced) {
  v1::Community community = NewCommunity("YGT-01");
  EXPECT_EQ(community.id().rfind("com-", 0), 0u) << community.id();
  EXPECT_EQ(community.name(), "某县医共体");
  EXPECT_EQ(community.status(), v1::COMMUNITY_STATUS_ACTIVE);
  EXPECT_EQ(community.version(), 1);
  EXPECT_GT(community.create_time().seconds(), 1700000000);

  v1::GetCommunityRequest get;
  get.set_id(community.id());
  v1::Community read;
  ASSERT_TRUE(Call(&Stub::GetCommunity, get, &read).ok());
  EXPECT_EQ(read.SerializeAsString(), community.SerializeAsString());

  const std::vector<common::v1::Event> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type(), "institution.CommunityCreated");
  EXPECT_EQ(events[0].aggregate_id(), community.id());
  EXPECT_EQ(events[0].actor(), "user:tester");
  v1::Community payload;
  ASSERT_TRUE(events[0].payload().UnpackTo(&payload));
  EXPECT_EQ(payload.name(), "某县医共体");

  get.set_id("com-unknown");
  ExpectError(Call(&Stub::GetCommunity, get, &read), StatusCode::NOT_FOUND,
              "id");
  get.clear_id();
  ExpectError(Call(&Stub::GetCommunity, get, &read),
              StatusCode::INVALID_ARGUMENT, "id");
}

TEST_F(InstitutionTest, CreateCommunityNamesEachBadField) {
  NewCommunity("YGT-01");
  const v1::Institution cdc = NewInstitution(
      MakeInstitution(1, "某县疾病预防控制中心", "J100", TIER_COUNTY, kTown));
  const v1::Institution far = NewInstitution(MakeInstitution(
      2, "邻县人民医院", "A100", TIER_COUNTY, kOtherCountyTown));
  struct Case {
    const char* name;
    std::function<void(v1::Community&, std::string&)> spoil;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {"no request id", [](auto&, auto& r) { r.clear(); },
       StatusCode::INVALID_ARGUMENT, "request_id"},
      {"lower-case code", [](auto& c, auto&) { c.set_code("ygt-9"); },
       StatusCode::INVALID_ARGUMENT, "community.code"},
      {"blank name", [](auto& c, auto&) { c.set_name("  "); },
       StatusCode::INVALID_ARGUMENT, "community.name"},
      {"no such province",
       [](auto& c, auto&) { c.set_county_division_code("990426"); },
       StatusCode::INVALID_ARGUMENT, "community.county_division_code"},
      {"created closed",
       [](auto& c, auto&) { c.set_status(v1::COMMUNITY_STATUS_CLOSED); },
       StatusCode::INVALID_ARGUMENT, "community.status"},
      {"unknown lead",
       [](auto& c, auto&) { c.set_lead_institution_id("ins-nope"); },
       StatusCode::NOT_FOUND, "community.lead_institution_id"},
      {"CDC cannot lead",
       [&](auto& c, auto&) { c.set_lead_institution_id(cdc.id()); },
       StatusCode::INVALID_ARGUMENT, "community.lead_institution_id"},
      {"lead in another county",
       [&](auto& c, auto&) { c.set_lead_institution_id(far.id()); },
       StatusCode::INVALID_ARGUMENT, "community.lead_institution_id"},
      {"code taken", [](auto& c, auto&) { c.set_code("YGT-01"); },
       StatusCode::ALREADY_EXISTS, "community.code"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Community community;
    community.set_code("YGT-02");
    community.set_name("另一医共体");
    community.set_county_division_code(kCounty);
    std::string request_id = std::string("req-") + c.name[0] + c.name[1];
    c.spoil(community, request_id);
    v1::Community out;
    ExpectError(CreateCommunity(request_id, community, &out), c.code, c.field);
  }
  EXPECT_EQ(Events().size(), 3u) << "only the three successful creates";
}

TEST_F(InstitutionTest, CreateIsIdempotentByRequestId) {
  const v1::Institution wanted =
      MakeInstitution(7, "某县人民医院", "A100", TIER_COUNTY, kTown);
  v1::Institution first, again;
  ASSERT_TRUE(CreateInstitution("req-7", wanted, &first).ok());
  ASSERT_TRUE(CreateInstitution("req-7", wanted, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Events().size(), 1u);

  v1::Institution changed = wanted;
  changed.set_name("某县中医院");
  ExpectError(CreateInstitution("req-7", changed, &again),
              StatusCode::INVALID_ARGUMENT, "request_id");
  v1::Community community;
  community.set_code("YGT-07");
  community.set_name("某县医共体");
  community.set_county_division_code(kCounty);
  ExpectError(CreateCommunity("req-7", community, &community),
              StatusCode::INVALID_ARGUMENT, "request_id");

  // A failed create leaves no claim: the same key works once the cause is
  // fixed.
  v1::Institution duplicate = wanted;
  ExpectError(CreateInstitution("req-8", duplicate, &again),
              StatusCode::ALREADY_EXISTS, "institution.uscc");
  duplicate.set_uscc(MakeUscc(8));
  ASSERT_TRUE(CreateInstitution("req-8", duplicate, &again).ok());
  EXPECT_NE(again.id(), first.id());
}

TEST_F(InstitutionTest, ConcurrentRepeatsCreateOnce) {
  const v1::Institution wanted =
      MakeInstitution(9, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown);
  std::vector<std::string> ids(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < ids.size(); ++t) {
    threads.emplace_back([&, t] {
      v1::Institution out;
      if (CreateInstitution("req-same", wanted, &out).ok()) ids[t] = out.id();
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_FALSE(ids[0].empty());
  EXPECT_EQ(Events().size(), 1u);
}

TEST_F(InstitutionTest, UpdateCommunitySetsTheLeadWithVersions) {
  const v1::Community community = NewCommunity("YGT-01");
  const v1::Institution hospital = NewInstitution(
      MakeInstitution(50, "某县人民医院", "A100", TIER_COUNTY, kTown));
  v1::UpdateCommunityRequest request;
  *request.mutable_community() = community;
  request.mutable_community()->set_lead_institution_id(hospital.id());
  request.mutable_community()->set_name("某县紧密型医共体");
  request.mutable_update_mask()->add_paths("lead_institution_id");
  request.mutable_update_mask()->add_paths("name");
  v1::Community updated;
  ASSERT_TRUE(Call(&Stub::UpdateCommunity, request, &updated).ok());
  EXPECT_EQ(updated.lead_institution_id(), hospital.id());
  EXPECT_EQ(updated.name(), "某县紧密型医共体");
  EXPECT_EQ(updated.code(), "YGT-01");
  EXPECT_EQ(updated.version(), 2);
  const common::v1::Event event = Events().back();
  EXPECT_EQ(event.type(), "institution.CommunityUpdated");
  v1::Community payload;
  ASSERT_TRUE(event.payload().UnpackTo(&payload));
  EXPECT_EQ(payload.SerializeAsString(), updated.SerializeAsString());

  ExpectError(Call(&Stub::UpdateCommunity, request, &updated),
              StatusCode::ABORTED, "community.version");
  request.mutable_community()->set_id("com-nope");
  ExpectError(Call(&Stub::UpdateCommunity, request, &updated),
              StatusCode::NOT_FOUND, "community.id");
  request.mutable_community()->set_id(community.id());
  request.mutable_community()->set_version(2);
  request.mutable_community()->set_lead_institution_id("ins-nope");
  ExpectError(Call(&Stub::UpdateCommunity, request, &updated),
              StatusCode::NOT_FOUND, "community.lead_institution_id");
  request.mutable_update_mask()->add_paths("code");
  ExpectError(Call(&Stub::UpdateCommunity, request, &updated),
              StatusCode::INVALID_ARGUMENT, "update_mask");
}

}  // namespace
}  // namespace cmc::institution
