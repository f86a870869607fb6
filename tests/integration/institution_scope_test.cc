// Org scope inside the institution service: for every RPC, a caller whose
// scope does not cover the resource can neither read nor change it
// (PERMISSION_DENIED naming the request field, nothing written, no event), a
// caller whose scope covers it can, and lists keep only rows in scope.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/integration/institution_fixture.h"

namespace cmc::institution {
namespace {

// Two communities of kCounty. C1: the hospital H, the township center T1
// (reporting to H) and the village clinic K1 (reporting to T1); C2: the
// township center T2. Villages V1 (T1, K1) and V2 (T2); staff S1 at T1 and S2
// at T2; posting P1 of S1 to T2.
class ScopeTest : public InstitutionTest {
 protected:
  void SetUp() override {
    InstitutionTest::SetUp();
    c1_ = NewCommunity("YGT-C1");
    c2_ = NewCommunity("YGT-C2");
    h_ = NewInstitution(
        MakeInstitution(300, "某县人民医院", "A100", TIER_COUNTY, kTown));
    v1::Institution t1 =
        MakeInstitution(301, "一镇中心卫生院", "C210", TIER_TOWNSHIP, kTown);
    t1.set_parent_institution_id(h_.id());
    t1_ = NewInstitution(t1);
    t2_ = NewInstitution(
        MakeInstitution(302, "二乡卫生院", "C220", TIER_TOWNSHIP, kTown));
    v1::Institution k1 =
        MakeInstitution(303, "一村卫生室", "D600", TIER_VILLAGE, kVillage);
    k1.set_parent_institution_id(t1_.id());
    k1_ = NewInstitution(k1);
    for (const auto& [institution, community] :
         std::vector<std::pair<std::string, std::string>>{
             {h_.id(), c1_.id()},
             {t1_.id(), c1_.id()},
             {k1_.id(), c1_.id()},
             {t2_.id(), c2_.id()}}) {
      v1::Membership m;
      ASSERT_TRUE(AddMembership(
                      "req-m-" + institution,
                      MakeMembership(institution, community, "2024-01-01"), &m)
                      .ok());
      if (institution == t2_.id()) t2_membership_ = m;
    }
    v1::Village v1 = MakeVillage(c1_.id(), kVillage, "一村", t1_.id());
    v1.set_village_clinic_id(k1_.id());
    v1_ = NewVillage(v1);
    v2_ = NewVillage(MakeVillage(c2_.id(), "360426100202", "二村", t2_.id()));
    s1_ = NewStaff(MakeStaff(31, t1_.id()));
    s2_ = NewStaff(MakeStaff(32, t2_.id()));
    ASSERT_TRUE(
        CreatePosting("req-p1", s1_.id(), t2_.id(), "2025-01-01", nullptr, &p1_)
            .ok());

    c1_admin_ = Who("community_admin", "community:" + c1_.id());
    t1_admin_ = Who("township_admin", "institution:" + t1_.id());
    t2_admin_ = Who("township_admin", "institution:" + t2_.id());
  }

  static Principal Who(const char* role, const std::string& scope) {
    Principal p;
    p.subject = "user:scoped";
    p.roles.insert(role);
    if (scope.rfind("community:", 0) == 0) {
      p.communities.insert(scope.substr(10));
    } else if (scope.rfind("institution:", 0) == 0) {
      p.institutions.insert(scope.substr(12));
    }
    return p;
  }

  // Everything stored that a write could change, as bytes: every list in
  // full (unrestricted) and the event feed.
  std::string Snapshot() {
    std::string out;
    v1::ListCommunitiesRequest communities;
    communities.mutable_page()->set_page_size(1000);
    v1::ListCommunitiesResponse c;
    EXPECT_TRUE(Call(&Stub::ListCommunities, communities, &c).ok());
    out += c.SerializeAsString();
    v1::ListInstitutionsRequest institutions;
    institutions.mutable_page()->set_page_size(1000);
    v1::ListInstitutionsResponse i;
    EXPECT_TRUE(Call(&Stub::ListInstitutions, institutions, &i).ok());
    out += i.SerializeAsString();
    v1::ListVillagesRequest villages;
    villages.mutable_page()->set_page_size(1000);
    v1::ListVillagesResponse v;
    EXPECT_TRUE(Call(&Stub::ListVillages, villages, &v).ok());
    out += v.SerializeAsString();
    v1::ListStaffRequest staff;
    staff.mutable_page()->set_page_size(1000);
    v1::ListStaffResponse s;
    EXPECT_TRUE(Call(&Stub::ListStaff, staff, &s).ok());
    out += s.SerializeAsString();
    for (const std::string& id : {h_.id(), t1_.id(), t2_.id(), k1_.id()}) {
      v1::ListMembershipsRequest memberships;
      memberships.set_institution_id(id);
      v1::ListMembershipsResponse m;
      EXPECT_TRUE(Call(&Stub::ListMemberships, memberships, &m).ok());
      out += m.SerializeAsString();
      v1::ListPostingsRequest postings;
      postings.set_institution_id(id);
      v1::ListPostingsResponse p;
      EXPECT_TRUE(Call(&Stub::ListPostings, postings, &p).ok());
      out += p.SerializeAsString();
    }
    for (const common::v1::Event& event : Events()) {
      out += event.SerializeAsString();
    }
    return out;
  }

  v1::Community c1_, c2_;
  v1::Institution h_, t1_, t2_, k1_;
  v1::Membership t2_membership_;
  v1::Village v1_, v2_;
  v1::Staff s1_, s2_;
  v1::Posting p1_;
  Principal c1_admin_, t1_admin_, t2_admin_;
};

using Rpc = std::function<grpc::Status()>;

struct Refusal {
  const char* name;
  Rpc call;
  const char* field;
};

// Every read a scoped caller must be refused, with the field named.
TEST_F(ScopeTest, ReadsOutsideTheScopeAreRefused) {
  auto org = [](const char* kind, const std::string& id) {
    common::v1::OrgRef ref;
    if (std::string(kind) == "community") {
      ref.set_community_id(id);
    } else {
      ref.set_institution_id(id);
    }
    return ref;
  };
  const Refusal cases[] = {
      {"GetCommunity of another community",
       [&] {
         v1::GetCommunityRequest r;
         r.set_id(c2_.id());
         v1::Community out;
         return CallAs(c1_admin_, &Stub::GetCommunity, r, &out);
       },
       "id"},
      {"GetCommunity by an institution scope",
       [&] {
         v1::GetCommunityRequest r;
         r.set_id(c1_.id());
         v1::Community out;
         return CallAs(t1_admin_, &Stub::GetCommunity, r, &out);
       },
       "id"},
      {"GetInstitution of another community",
       [&] {
         v1::GetInstitutionRequest r;
         r.set_id(t2_.id());
         v1::Institution out;
         return CallAs(c1_admin_, &Stub::GetInstitution, r, &out);
       },
       "id"},
      {"GetInstitution of a child of the scope's institution",
       [&] {
         v1::GetInstitutionRequest r;
         r.set_id(k1_.id());
         v1::Institution out;
         return CallAs(t1_admin_, &Stub::GetInstitution, r, &out);
       },
       "id"},
      {"GetInstitution of an unknown id",
       [&] {
         v1::GetInstitutionRequest r;
         r.set_id("ins-nope");
         v1::Institution out;
         return CallAs(c1_admin_, &Stub::GetInstitution, r, &out);
       },
       "id"},
      {"BatchGetInstitutions with one outside",
       [&] {
         v1::BatchGetInstitutionsRequest r;
         r.add_ids(h_.id());
         r.add_ids(t2_.id());
         v1::BatchGetInstitutionsResponse out;
         return CallAs(c1_admin_, &Stub::BatchGetInstitutions, r, &out);
       },
       "ids[1]"},
      {"ListInstitutions of another community",
       [&] {
         v1::ListInstitutionsRequest r;
         r.set_community_id(c2_.id());
         v1::ListInstitutionsResponse out;
         return CallAs(c1_admin_, &Stub::ListInstitutions, r, &out);
       },
       "community_id"},
      {"ListMemberships of an institution outside",
       [&] {
         v1::ListMembershipsRequest r;
         r.set_institution_id(t2_.id());
         v1::ListMembershipsResponse out;
         return CallAs(c1_admin_, &Stub::ListMemberships, r, &out);
       },
       "institution_id"},
      {"ListMemberships of a community outside",
       [&] {
         v1::ListMembershipsRequest r;
         r.set_community_id(c2_.id());
         v1::ListMembershipsResponse out;
         return CallAs(c1_admin_, &Stub::ListMemberships, r, &out);
       },
       "community_id"},
      {"GetVillage of another community",
       [&] {
         v1::GetVillageRequest r;
         r.set_id(v2_.id());
         v1::Village out;
         return CallAs(c1_admin_, &Stub::GetVillage, r, &out);
       },
       "id"},
      {"ListVillages of a community outside",
       [&] {
         v1::ListVillagesRequest r;
         r.set_community_id(c2_.id());
         v1::ListVillagesResponse out;
         return CallAs(c1_admin_, &Stub::ListVillages, r, &out);
       },
       "community_id"},
      {"ListVillages of a township center outside",
       [&] {
         v1::ListVillagesRequest r;
         r.set_township_center_id(t2_.id());
         v1::ListVillagesResponse out;
         return CallAs(c1_admin_, &Stub::ListVillages, r, &out);
       },
       "township_center_id"},
      {"ListVillages of a village clinic outside",
       [&] {
         v1::ListVillagesRequest r;
         r.set_village_clinic_id(k1_.id());
         v1::ListVillagesResponse out;
         return CallAs(t1_admin_, &Stub::ListVillages, r, &out);
       },
       "village_clinic_id"},
      {"GetStaff employed outside",
       [&] {
         v1::GetStaffRequest r;
         r.set_id(s2_.id());
         v1::Staff out;
         return CallAs(c1_admin_, &Stub::GetStaff, r, &out);
       },
       "id"},
      {"ListStaff of an institution outside",
       [&] {
         v1::ListStaffRequest r;
         r.set_institution_id(t2_.id());
         v1::ListStaffResponse out;
         return CallAs(c1_admin_, &Stub::ListStaff, r, &out);
       },
       "institution_id"},
      {"ListStaff of a community outside",
       [&] {
         v1::ListStaffRequest r;
         r.set_community_id(c2_.id());
         v1::ListStaffResponse out;
         return CallAs(c1_admin_, &Stub::ListStaff, r, &out);
       },
       "community_id"},
      {"ListPostings of an institution outside",
       [&] {
         v1::ListPostingsRequest r;
         r.set_institution_id(h_.id());
         v1::ListPostingsResponse out;
         return CallAs(t2_admin_, &Stub::ListPostings, r, &out);
       },
       "institution_id"},
      {"ListSubtree of a community outside",
       [&] {
         v1::ListSubtreeRequest r;
         *r.mutable_org() = org("community", c2_.id());
         v1::ListSubtreeResponse out;
         return CallAs(c1_admin_, &Stub::ListSubtree, r, &out);
       },
       "org.community_id"},
      {"ListSubtree of an institution outside",
       [&] {
         v1::ListSubtreeRequest r;
         *r.mutable_org() = org("institution", h_.id());
         v1::ListSubtreeResponse out;
         return CallAs(t1_admin_, &Stub::ListSubtree, r, &out);
       },
       "org.institution_id"},
      {"ListSubtree of the community before the scope's members joined",
       [&] {
         // as_of decides membership: on 2023-12-31 nothing was a member, so
         // the hospital was outside the community scope.
         v1::ListSubtreeRequest r;
         *r.mutable_org() = org("institution", h_.id());
         r.mutable_as_of()->set_value("2023-12-31");
         v1::ListSubtreeResponse out;
         return CallAs(c1_admin_, &Stub::ListSubtree, r, &out);
       },
       "org.institution_id"},
      {"GetStaffingSummary of a community outside",
       [&] {
         v1::GetStaffingSummaryRequest r;
         *r.mutable_org() = org("community", c2_.id());
         v1::GetStaffingSummaryResponse out;
         return CallAs(c1_admin_, &Stub::GetStaffingSummary, r, &out);
       },
       "org.community_id"},
      {"GetStaffingSummary of an institution outside",
       [&] {
         v1::GetStaffingSummaryRequest r;
         *r.mutable_org() = org("institution", t1_.id());
         v1::GetStaffingSummaryResponse out;
         return CallAs(t2_admin_, &Stub::GetStaffingSummary, r, &out);
       },
       "org.institution_id"},
  };
  for (const Refusal& c : cases) {
    SCOPED_TRACE(c.name);
    const grpc::Status status = c.call();
    ExpectError(status, StatusCode::PERMISSION_DENIED, c.field);
    EXPECT_NE(status.error_message().find("is outside the caller's scope"),
              std::string::npos)
        << status.error_message();
  }
}

// The same reads inside the scope succeed.
TEST_F(ScopeTest, ReadsInsideTheScopeSucceed) {
  const std::vector<std::pair<const char*, Rpc>> cases = {
      {"GetCommunity",
       [&] {
         v1::GetCommunityRequest r;
         r.set_id(c1_.id());
         v1::Community out;
         return CallAs(c1_admin_, &Stub::GetCommunity, r, &out);
       }},
      {"GetInstitution of a member",
       [&] {
         v1::GetInstitutionRequest r;
         r.set_id(k1_.id());
         v1::Institution out;
         return CallAs(c1_admin_, &Stub::GetInstitution, r, &out);
       }},
      {"GetInstitution of the scope's institution",
       [&] {
         v1::GetInstitutionRequest r;
         r.set_id(t1_.id());
         v1::Institution out;
         return CallAs(t1_admin_, &Stub::GetInstitution, r, &out);
       }},
      {"BatchGetInstitutions",
       [&] {
         v1::BatchGetInstitutionsRequest r;
         r.add_ids(h_.id());
         r.add_ids(k1_.id());
         v1::BatchGetInstitutionsResponse out;
         return CallAs(c1_admin_, &Stub::BatchGetInstitutions, r, &out);
       }},
      {"GetVillage by its township center",
       [&] {
         v1::GetVillageRequest r;
         r.set_id(v1_.id());
         v1::Village out;
         return CallAs(t1_admin_, &Stub::GetVillage, r, &out);
       }},
      {"GetStaff",
       [&] {
         v1::GetStaffRequest r;
         r.set_id(s1_.id());
         v1::Staff out;
         return CallAs(t1_admin_, &Stub::GetStaff, r, &out);
       }},
      {"ListPostings of the host",
       [&] {
         v1::ListPostingsRequest r;
         r.set_institution_id(t2_.id());
         v1::ListPostingsResponse out;
         return CallAs(t2_admin_, &Stub::ListPostings, r, &out);
       }},
      {"GetStaffingSummary of the community",
       [&] {
         v1::GetStaffingSummaryRequest r;
         r.mutable_org()->set_community_id(c1_.id());
         v1::GetStaffingSummaryResponse out;
         return CallAs(c1_admin_, &Stub::GetStaffingSummary, r, &out);
       }},
  };
  for (const auto& [name, call] : cases) {
    SCOPED_TRACE(name);
    const grpc::Status status = call();
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
}

// Lists keep only the rows in scope, and total_size counts only those.
TEST_F(ScopeTest, ListsKeepOnlyRowsInScope) {
  struct Case {
    const char* name;
    Principal who;
    std::function<std::vector<std::string>(const Principal&)> list;
    std::vector<std::string> ids;
  };
  auto communities = [&](const Principal& who) {
    v1::ListCommunitiesRequest r;
    v1::ListCommunitiesResponse out;
    EXPECT_TRUE(CallAs(who, &Stub::ListCommunities, r, &out).ok());
    EXPECT_EQ(out.page().total_size(), out.communities_size());
    std::vector<std::string> ids;
    for (const auto& c : out.communities()) ids.push_back(c.id());
    return ids;
  };
  auto institutions = [&](const Principal& who) {
    v1::ListInstitutionsRequest r;
    v1::ListInstitutionsResponse out;
    EXPECT_TRUE(CallAs(who, &Stub::ListInstitutions, r, &out).ok());
    EXPECT_EQ(out.page().total_size(), out.institutions_size());
    std::vector<std::string> ids;
    for (const auto& i : out.institutions()) ids.push_back(i.id());
    return ids;
  };
  auto villages = [&](const Principal& who) {
    v1::ListVillagesRequest r;
    v1::ListVillagesResponse out;
    EXPECT_TRUE(CallAs(who, &Stub::ListVillages, r, &out).ok());
    EXPECT_EQ(out.page().total_size(), out.villages_size());
    std::vector<std::string> ids;
    for (const auto& v : out.villages()) ids.push_back(v.id());
    return ids;
  };
  auto staff = [&](const Principal& who) {
    v1::ListStaffRequest r;
    v1::ListStaffResponse out;
    EXPECT_TRUE(CallAs(who, &Stub::ListStaff, r, &out).ok());
    EXPECT_EQ(out.page().total_size(), out.staff_size());
    std::vector<std::string> ids;
    for (const auto& s : out.staff()) ids.push_back(s.id());
    return ids;
  };
  auto postings_of_s1 = [&](const Principal& who) {
    v1::ListPostingsRequest r;
    r.set_staff_id(s1_.id());
    v1::ListPostingsResponse out;
    EXPECT_TRUE(CallAs(who, &Stub::ListPostings, r, &out).ok());
    std::vector<std::string> ids;
    for (const auto& p : out.postings()) ids.push_back(p.id());
    return ids;
  };
  auto memberships_of_c1 = [&](const Principal& who) {
    v1::ListMembershipsRequest r;
    r.set_community_id(c1_.id());
    v1::ListMembershipsResponse out;
    EXPECT_TRUE(CallAs(who, &Stub::ListMemberships, r, &out).ok());
    std::vector<std::string> ids;
    for (const auto& m : out.memberships()) ids.push_back(m.institution_id());
    return ids;
  };
  const Principal county = Who("auditor", "county");
  Principal county_principal = county;
  county_principal.whole_county = true;
  const Case cases[] = {
      {"communities, county",
       county_principal,
       communities,
       {c1_.id(), c2_.id()}},
      {"communities, community", c1_admin_, communities, {c1_.id()}},
      {"communities, institution", t1_admin_, communities, {}},
      {"institutions, county",
       county_principal,
       institutions,
       {h_.id(), t1_.id(), t2_.id(), k1_.id()}},
      {"institutions, community",
       c1_admin_,
       institutions,
       {h_.id(), t1_.id(), k1_.id()}},
      {"institutions, institution", t2_admin_, institutions, {t2_.id()}},
      {"villages, community", c1_admin_, villages, {v1_.id()}},
      {"villages, township center", t1_admin_, villages, {v1_.id()}},
      {"villages, other township center", t2_admin_, villages, {v2_.id()}},
      {"staff, community", c1_admin_, staff, {s1_.id()}},
      {"staff, institution", t2_admin_, staff, {s2_.id()}},
      {"postings, employer", t1_admin_, postings_of_s1, {p1_.id()}},
      {"postings, host", t2_admin_, postings_of_s1, {p1_.id()}},
      {"postings, neither",
       Who("township_admin", "institution:" + h_.id()),
       postings_of_s1,
       {}},
      {"memberships, community",
       c1_admin_,
       memberships_of_c1,
       {h_.id(), t1_.id(), k1_.id()}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.list(c.who), c.ids);
  }

  // Below an institution, ListSubtree leaves out what the scope does not
  // cover: T1's admin sees T1 and its village, not the clinic K1 below it.
  v1::ListSubtreeRequest subtree;
  subtree.mutable_org()->set_institution_id(t1_.id());
  v1::ListSubtreeResponse tree;
  ASSERT_TRUE(CallAs(t1_admin_, &Stub::ListSubtree, subtree, &tree).ok());
  EXPECT_EQ(tree.institution_count(), 1);
  EXPECT_EQ(tree.village_count(), 1);
  ASSERT_EQ(tree.roots_size(), 1);
  EXPECT_EQ(tree.roots(0).institution().id(), t1_.id());
  EXPECT_EQ(tree.roots(0).children_size(), 0);
  // The community's admin sees the whole community, as an unrestricted caller.
  subtree.mutable_org()->set_community_id(c1_.id());
  ASSERT_TRUE(CallAs(c1_admin_, &Stub::ListSubtree, subtree, &tree).ok());
  v1::ListSubtreeResponse full;
  ASSERT_TRUE(Call(&Stub::ListSubtree, subtree, &full).ok());
  EXPECT_EQ(tree.SerializeAsString(), full.SerializeAsString());
  EXPECT_EQ(tree.institution_count(), 3);
}

// Every write outside the scope is refused and changes nothing: the lists
// and the event feed are byte for byte the same afterwards.
TEST_F(ScopeTest, WritesOutsideTheScopeChangeNothing) {
  auto import_institution = [&](const Principal& who,
                                const std::string& community) {
    grpc::ClientContext context;
    AttachPrincipal(who, &context);
    v1::ImportResponse response;
    auto writer = stub_->ImportInstitutions(&context, &response);
    v1::ImportInstitutionsRequest row;
    row.set_mode(v1::IMPORT_MODE_ALL_OR_NOTHING);
    row.set_line(7);
    *row.mutable_institution() =
        MakeInstitution(399, "新卫生院", "C220", TIER_TOWNSHIP, kTown);
    if (!community.empty()) {
      row.set_community_id(community);
      row.set_membership_kind(v1::MEMBERSHIP_KIND_CLOSE_KNIT);
    }
    writer->Write(row);
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.imported(), 0);
    EXPECT_EQ(response.errors_size(), 1);
    return response;
  };
  const Refusal cases[] = {
      {"CreateCommunity by a community admin",
       [&] {
         v1::CreateCommunityRequest r;
         r.set_request_id("w-1");
         r.mutable_community()->set_code("YGT-NEW");
         r.mutable_community()->set_name("新医共体");
         r.mutable_community()->set_county_division_code(kCounty);
         v1::Community out;
         return CallAs(c1_admin_, &Stub::CreateCommunity, r, &out);
       },
       "community"},
      {"UpdateCommunity of another community",
       [&] {
         v1::UpdateCommunityRequest r;
         *r.mutable_community() = c2_;
         r.mutable_community()->set_name("改名");
         r.mutable_update_mask()->add_paths("name");
         v1::Community out;
         return CallAs(c1_admin_, &Stub::UpdateCommunity, r, &out);
       },
       "community.id"},
      {"UpdateInstitution: a township admin reclassifies its own as county",
       [&] {
         v1::UpdateInstitutionRequest r;
         *r.mutable_institution() = t1_;
         r.mutable_institution()->set_tier(TIER_COUNTY);
         r.mutable_update_mask()->add_paths("tier");
         v1::Institution out;
         return CallAs(t1_admin_, &Stub::UpdateInstitution, r, &out);
       },
       "institution.tier"},
      {"UpdateInstitution: nor by its kind",
       [&] {
         v1::UpdateInstitutionRequest r;
         *r.mutable_institution() = t1_;
         r.mutable_institution()->set_kind("A100");
         r.mutable_update_mask()->add_paths("kind");
         v1::Institution out;
         return CallAs(t1_admin_, &Stub::UpdateInstitution, r, &out);
       },
       "institution.kind"},
      {"UpdateInstitution: a parent from another community",
       [&] {
         v1::UpdateInstitutionRequest r;
         *r.mutable_institution() = k1_;
         r.mutable_institution()->set_parent_institution_id(t2_.id());
         r.mutable_update_mask()->add_paths("parent_institution_id");
         v1::Institution out;
         return CallAs(c1_admin_, &Stub::UpdateInstitution, r, &out);
       },
       "institution.parent_institution_id"},
      {"CreateInstitution under another community's institution",
       [&] {
         v1::CreateInstitutionRequest r;
         r.set_request_id("w-parent");
         *r.mutable_institution() =
             MakeInstitution(397, "新卫生室", "D600", TIER_VILLAGE, kVillage);
         r.mutable_institution()->set_parent_institution_id(t2_.id());
         r.set_community_id(c1_.id());
         r.set_membership_kind(v1::MEMBERSHIP_KIND_CLOSE_KNIT);
         v1::Institution out;
         return CallAs(c1_admin_, &Stub::CreateInstitution, r, &out);
       },
       "institution.parent_institution_id"},
      {"UpdateCommunity: a lead hospital from another community",
       [&] {
         v1::UpdateCommunityRequest r;
         *r.mutable_community() = c1_;
         r.mutable_community()->set_lead_institution_id(t2_.id());
         r.mutable_update_mask()->add_paths("lead_institution_id");
         v1::Community out;
         return CallAs(c1_admin_, &Stub::UpdateCommunity, r, &out);
       },
       "community.lead_institution_id"},
      {"CreateVillage into another community by a township admin",
       [&] {
         v1::CreateVillageRequest r;
         r.set_request_id("w-village");
         *r.mutable_village() =
             MakeVillage(c2_.id(), "360426100209", "越界村", t1_.id());
         v1::Village out;
         return CallAs(t1_admin_, &Stub::CreateVillage, r, &out);
       },
       "village.community_id"},
      {"UpdateVillage under another community's township center",
       [&] {
         v1::UpdateVillageRequest r;
         *r.mutable_village() = v1_;
         r.mutable_village()->set_township_center_id(t2_.id());
         r.mutable_update_mask()->add_paths("township_center_id");
         v1::Village out;
         return CallAs(c1_admin_, &Stub::UpdateVillage, r, &out);
       },
       "village.township_center_id"},
      {"CreateInstitution in no community",
       [&] {
         v1::CreateInstitutionRequest r;
         r.set_request_id("w-2");
         *r.mutable_institution() =
             MakeInstitution(398, "新卫生院", "C220", TIER_TOWNSHIP, kTown);
         v1::Institution out;
         return CallAs(c1_admin_, &Stub::CreateInstitution, r, &out);
       },
       "community_id"},
      {"CreateInstitution in another community",
       [&] {
         v1::CreateInstitutionRequest r;
         r.set_request_id("w-3");
         *r.mutable_institution() =
             MakeInstitution(398, "新卫生院", "C220", TIER_TOWNSHIP, kTown);
         r.set_community_id(c2_.id());
         r.set_membership_kind(v1::MEMBERSHIP_KIND_CLOSE_KNIT);
         v1::Institution out;
         return CallAs(c1_admin_, &Stub::CreateInstitution, r, &out);
       },
       "community_id"},
      {"CreateInstitution by an institution scope",
       [&] {
         v1::CreateInstitutionRequest r;
         r.set_request_id("w-4");
         *r.mutable_institution() =
             MakeInstitution(398, "新卫生院", "C220", TIER_TOWNSHIP, kTown);
         r.set_community_id(c1_.id());
         r.set_membership_kind(v1::MEMBERSHIP_KIND_CLOSE_KNIT);
         v1::Institution out;
         return CallAs(t1_admin_, &Stub::CreateInstitution, r, &out);
       },
       "community_id"},
      {"UpdateInstitution outside",
       [&] {
         v1::UpdateInstitutionRequest r;
         *r.mutable_institution() = t2_;
         r.mutable_institution()->set_beds(99);
         r.mutable_update_mask()->add_paths("beds");
         v1::Institution out;
         return CallAs(c1_admin_, &Stub::UpdateInstitution, r, &out);
       },
       "institution.id"},
      {"UpdateInstitution of the scope's parent",
       [&] {
         v1::UpdateInstitutionRequest r;
         *r.mutable_institution() = h_;
         r.mutable_institution()->set_beds(99);
         r.mutable_update_mask()->add_paths("beds");
         v1::Institution out;
         return CallAs(t1_admin_, &Stub::UpdateInstitution, r, &out);
       },
       "institution.id"},
      {"AddMembership of an institution outside",
       [&] {
         v1::AddMembershipRequest r;
         r.set_request_id("w-5");
         *r.mutable_membership() =
             MakeMembership(t2_.id(), c1_.id(), "2030-01-01");
         v1::Membership out;
         return CallAs(c1_admin_, &Stub::AddMembership, r, &out);
       },
       "membership.institution_id"},
      {"AddMembership to a community outside",
       [&] {
         v1::AddMembershipRequest r;
         r.set_request_id("w-6");
         *r.mutable_membership() =
             MakeMembership(h_.id(), c2_.id(), "2030-01-01");
         v1::Membership out;
         return CallAs(c1_admin_, &Stub::AddMembership, r, &out);
       },
       "membership.community_id"},
      {"EndMembership of another community",
       [&] {
         v1::EndMembershipRequest r;
         r.set_id(t2_membership_.id());
         r.mutable_valid_to()->set_value("2030-12-31");
         v1::Membership out;
         return CallAs(c1_admin_, &Stub::EndMembership, r, &out);
       },
       "id"},
      {"CreateVillage served from outside",
       [&] {
         v1::CreateVillageRequest r;
         r.set_request_id("w-7");
         *r.mutable_village() =
             MakeVillage(c2_.id(), "360426100203", "三村", t2_.id());
         v1::Village out;
         return CallAs(c1_admin_, &Stub::CreateVillage, r, &out);
       },
       "village.township_center_id"},
      {"UpdateVillage outside",
       [&] {
         v1::UpdateVillageRequest r;
         *r.mutable_village() = v2_;
         r.mutable_village()->set_population(1);
         r.mutable_update_mask()->add_paths("population");
         v1::Village out;
         return CallAs(c1_admin_, &Stub::UpdateVillage, r, &out);
       },
       "village.id"},
      {"UpdateVillage handing it out of the scope",
       [&] {
         v1::UpdateVillageRequest r;
         *r.mutable_village() = v1_;
         r.mutable_village()->set_township_center_id(t2_.id());
         r.mutable_village()->clear_village_clinic_id();
         r.mutable_update_mask()->add_paths("township_center_id");
         r.mutable_update_mask()->add_paths("village_clinic_id");
         v1::Village out;
         return CallAs(t1_admin_, &Stub::UpdateVillage, r, &out);
       },
       "village.township_center_id"},
      {"CreateStaff employed outside",
       [&] {
         v1::CreateStaffRequest r;
         r.set_request_id("w-8");
         *r.mutable_staff() = MakeStaff(38, t2_.id());
         v1::Staff out;
         return CallAs(c1_admin_, &Stub::CreateStaff, r, &out);
       },
       "staff.institution_id"},
      {"UpdateStaff employed outside",
       [&] {
         v1::UpdateStaffRequest r;
         *r.mutable_staff() = s2_;
         r.mutable_staff()->set_name("改名");
         r.mutable_update_mask()->add_paths("name");
         v1::Staff out;
         return CallAs(c1_admin_, &Stub::UpdateStaff, r, &out);
       },
       "staff.id"},
      {"UpdateStaff employed outside, with a stale version",
       [&] {
         // The scope is checked before the version: no hint what is stored.
         v1::UpdateStaffRequest r;
         *r.mutable_staff() = s2_;
         r.mutable_staff()->set_version(s2_.version() + 5);
         r.mutable_staff()->set_name("改名");
         r.mutable_update_mask()->add_paths("name");
         v1::Staff out;
         return CallAs(c1_admin_, &Stub::UpdateStaff, r, &out);
       },
       "staff.id"},
      {"UpdateVillage outside, with a stale version",
       [&] {
         v1::UpdateVillageRequest r;
         *r.mutable_village() = v2_;
         r.mutable_village()->set_version(v2_.version() + 5);
         r.mutable_village()->set_population(1);
         r.mutable_update_mask()->add_paths("population");
         v1::Village out;
         return CallAs(c1_admin_, &Stub::UpdateVillage, r, &out);
       },
       "village.id"},
      {"UpdateStaff moving the person out of the scope",
       [&] {
         v1::UpdateStaffRequest r;
         *r.mutable_staff() = s1_;
         r.mutable_staff()->set_institution_id(t2_.id());
         r.mutable_update_mask()->add_paths("institution_id");
         v1::Staff out;
         return CallAs(c1_admin_, &Stub::UpdateStaff, r, &out);
       },
       "staff.institution_id"},
      {"CreatePosting of staff employed outside",
       [&] {
         v1::CreatePostingRequest r;
         r.set_request_id("w-9");
         r.mutable_posting()->set_staff_id(s2_.id());
         r.mutable_posting()->set_to_institution_id(t1_.id());
         r.mutable_posting()->mutable_start_date()->set_value("2030-01-01");
         v1::Posting out;
         return CallAs(c1_admin_, &Stub::CreatePosting, r, &out);
       },
       "posting.staff_id"},
      {"EndPosting by the host",
       [&] {
         v1::EndPostingRequest r;
         r.set_id(p1_.id());
         r.mutable_end_date()->set_value("2030-12-31");
         v1::Posting out;
         return CallAs(t2_admin_, &Stub::EndPosting, r, &out);
       },
       "id"},
  };
  const std::string before = Snapshot();
  for (const Refusal& c : cases) {
    SCOPED_TRACE(c.name);
    ExpectError(c.call(), StatusCode::PERMISSION_DENIED, c.field);
  }

  // Imports report such rows as bad rows with line, field and code.
  v1::ImportResponse imported = import_institution(c1_admin_, "");
  ASSERT_EQ(imported.errors_size(), 1);
  EXPECT_EQ(imported.errors(0).line(), 7);
  EXPECT_EQ(imported.errors(0).field(), "community_id");
  EXPECT_EQ(imported.errors(0).code(), "PERMISSION_DENIED");
  imported = import_institution(c1_admin_, c2_.id());
  ASSERT_EQ(imported.errors_size(), 1);
  EXPECT_EQ(imported.errors(0).field(), "community_id");
  {
    grpc::ClientContext context;
    AttachPrincipal(c1_admin_, &context);
    v1::ImportResponse response;
    auto writer = stub_->ImportStaff(&context, &response);
    v1::ImportStaffRequest row;
    row.set_mode(v1::IMPORT_MODE_BEST_EFFORT);
    *row.mutable_staff() = MakeStaff(39, t2_.id());
    writer->Write(row);
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    EXPECT_EQ(response.imported(), 0);
    ASSERT_EQ(response.errors_size(), 1);
    EXPECT_EQ(response.errors(0).line(), 1);
    EXPECT_EQ(response.errors(0).field(), "staff.institution_id");
    EXPECT_EQ(response.errors(0).code(), "PERMISSION_DENIED");
  }
  EXPECT_TRUE(before == Snapshot()) << "a refused write changed something";
}

// A community admin creates an institution into its community and sees it at
// once; staff and villages inside the scope are written as for anyone.
TEST_F(ScopeTest, WritesInsideTheScopeSucceed) {
  const size_t events_before = Events().size();
  v1::CreateInstitutionRequest create;
  create.set_request_id("in-1");
  v1::Institution clinic =
      MakeInstitution(397, "二村卫生室", "D600", TIER_VILLAGE, kVillage);
  clinic.set_parent_institution_id(t1_.id());
  *create.mutable_institution() = clinic;
  create.set_community_id(c1_.id());
  create.set_membership_kind(v1::MEMBERSHIP_KIND_CLOSE_KNIT);
  v1::Institution created;
  ASSERT_TRUE(
      CallAs(c1_admin_, &Stub::CreateInstitution, create, &created).ok());
  v1::GetInstitutionRequest get;
  get.set_id(created.id());
  v1::Institution read;
  ASSERT_TRUE(CallAs(c1_admin_, &Stub::GetInstitution, get, &read).ok());
  EXPECT_EQ(read.id(), created.id());
  // A repeat returns the first result; the membership was added once.
  v1::Institution again;
  ASSERT_TRUE(CallAs(c1_admin_, &Stub::CreateInstitution, create, &again).ok());
  EXPECT_EQ(again.id(), created.id());
  const std::vector<common::v1::Event> events = Events();
  ASSERT_EQ(events.size(), events_before + 2);
  EXPECT_EQ(events[events_before].type(), "institution.InstitutionCreated");
  EXPECT_EQ(events[events_before + 1].type(), "institution.MembershipAdded");
  v1::Membership membership;
  ASSERT_TRUE(events[events_before + 1].payload().UnpackTo(&membership));
  EXPECT_EQ(membership.institution_id(), created.id());
  EXPECT_EQ(membership.community_id(), c1_.id());
  // Keys are the caller's: the same request from another caller is a new
  // create (here refused: the USCC is taken), not a replay.
  ExpectError(Call(&Stub::CreateInstitution, create, &again),
              StatusCode::ALREADY_EXISTS, "institution.uscc");
  // The same request_id with another name is a different request.
  create.mutable_institution()->set_name("三村卫生室");
  ExpectError(CallAs(c1_admin_, &Stub::CreateInstitution, create, &again),
              StatusCode::INVALID_ARGUMENT, "request_id");
  create.mutable_institution()->set_name("二村卫生室");
  create.set_community_id(c2_.id());
  // The kind is required with a community, and only with one.
  create.set_request_id("in-2");
  create.set_membership_kind(v1::MEMBERSHIP_KIND_UNSPECIFIED);
  ExpectError(Call(&Stub::CreateInstitution, create, &again),
              StatusCode::INVALID_ARGUMENT, "membership_kind");
  create.clear_community_id();
  create.set_membership_kind(v1::MEMBERSHIP_KIND_LOOSE);
  ExpectError(Call(&Stub::CreateInstitution, create, &again),
              StatusCode::INVALID_ARGUMENT, "membership_kind");

  // Staff at the new clinic, updated, posted and ended by the admin.
  v1::CreateStaffRequest staff;
  staff.set_request_id("in-3");
  *staff.mutable_staff() = MakeStaff(37, created.id());
  v1::Staff person;
  ASSERT_TRUE(CallAs(c1_admin_, &Stub::CreateStaff, staff, &person).ok());
  EXPECT_FALSE(person.resident_id_masked());
  v1::UpdateStaffRequest update;
  *update.mutable_staff() = person;
  update.mutable_staff()->set_institution_id(h_.id());
  update.mutable_update_mask()->add_paths("institution_id");
  ASSERT_TRUE(CallAs(c1_admin_, &Stub::UpdateStaff, update, &person).ok());
  v1::EndPostingRequest end;
  end.set_id(p1_.id());
  end.mutable_end_date()->set_value("2030-12-31");
  v1::Posting ended;
  ASSERT_TRUE(CallAs(t1_admin_, &Stub::EndPosting, end, &ended).ok());
  EXPECT_EQ(ended.end_date().value(), "2030-12-31");

  // The township center's admin updates its own village.
  v1::UpdateVillageRequest village;
  *village.mutable_village() = v1_;
  village.mutable_village()->set_population(999);
  village.mutable_update_mask()->add_paths("population");
  v1::Village changed;
  ASSERT_TRUE(CallAs(t1_admin_, &Stub::UpdateVillage, village, &changed).ok());
  EXPECT_EQ(changed.population(), 999);

  // An import into the admin's community is in scope at once.
  grpc::ClientContext context;
  AttachPrincipal(c1_admin_, &context);
  v1::ImportResponse imported;
  auto writer = stub_->ImportInstitutions(&context, &imported);
  v1::ImportInstitutionsRequest row;
  row.set_mode(v1::IMPORT_MODE_ALL_OR_NOTHING);
  *row.mutable_institution() =
      MakeInstitution(396, "三村卫生室", "D600", TIER_VILLAGE, kVillage);
  row.set_parent_uscc(t1_.uscc());
  row.set_community_id(c1_.id());
  row.set_membership_kind(v1::MEMBERSHIP_KIND_LOOSE);
  writer->Write(row);
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  ASSERT_EQ(imported.imported(), 1) << imported.DebugString();
  get.set_id(imported.ids(0));
  ASSERT_TRUE(CallAs(c1_admin_, &Stub::GetInstitution, get, &read).ok());
  EXPECT_EQ(read.parent_institution_id(), t1_.id());
}

// Unmasked resident IDs mark the response; masked ones do not.
TEST_F(ScopeTest, UnmaskedResidentIdsMarkTheResponse) {
  struct Case {
    const char* name;
    Principal who;
    bool marked;
  };
  Principal clinician = Who("clinician", "community:" + c1_.id());
  const Case cases[] = {
      {"community admin", c1_admin_, true},
      {"clinician", clinician, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    grpc::ClientContext context;
    AttachPrincipal(c.who, &context);
    v1::ListStaffRequest request;
    v1::ListStaffResponse response;
    ASSERT_TRUE(stub_->ListStaff(&context, request, &response).ok());
    ASSERT_EQ(response.staff_size(), 1);
    EXPECT_EQ(response.staff(0).resident_id_masked(), !c.marked);
    const auto& trailers = context.GetServerTrailingMetadata();
    EXPECT_EQ(trailers.count(kPersonalDataTrailer), c.marked ? 1u : 0u);
  }
}

}  // namespace
}  // namespace cmc::institution
