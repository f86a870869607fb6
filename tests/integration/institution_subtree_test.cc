// Whole trees (ListSubtree) and staffing counts (GetStaffingSummary) through
// the institution service.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/institution_fixture.h"

namespace cmc::institution {
namespace {

// "name[villages](children...)" for compact comparisons.
std::string Render(const v1::SubtreeNode& node) {
  std::string text = node.institution().name();
  if (node.villages_size() > 0) {
    text += "[";
    for (int i = 0; i < node.villages_size(); ++i) {
      text += (i > 0 ? "," : "") + node.villages(i).name();
    }
    text += "]";
  }
  if (node.children_size() > 0) {
    text += "(";
    for (int i = 0; i < node.children_size(); ++i) {
      text += (i > 0 ? " " : "") + Render(node.children(i));
    }
    text += ")";
  }
  return text;
}

// A community whose members joined on 2024-01-01: a lead hospital, a CDC, a
// township center with two village clinics, and a second township center that
// left on 2024-06-30; three villages, one served by the departed center.
class SubtreeTest : public InstitutionTest {
 protected:
  void SetUp() override {
    InstitutionTest::SetUp();
    community_ = NewCommunity("YGT-T");
    hospital_ = Member(400, "县医院", "A100", TIER_COUNTY, kTown, "");
    cdc_ = Member(401, "疾控", "J100", TIER_COUNTY, kTown, "");
    town_ = Member(402, "甲镇", "C210", TIER_TOWNSHIP, kTown, hospital_.id());
    clinic_ = Member(403, "甲村室", "D600", TIER_VILLAGE, kVillage, town_.id());
    clinic2_ =
        Member(404, "乙村室", "D600", TIER_VILLAGE, kVillage, town_.id());
    left_ = Member(405, "乙乡", "C220", TIER_TOWNSHIP, kTown, hospital_.id(),
                   "2024-06-30");
    v1::Village v1 =
        MakeVillage(community_.id(), "360426100201", "一村", town_.id());
    v1.set_village_clinic_id(clinic_.id());
    NewVillage(v1);
    NewVillage(
        MakeVillage(community_.id(), "360426100202", "二村", town_.id()));
    NewVillage(
        MakeVillage(community_.id(), "360426100203", "三村", left_.id()));
  }

  v1::Institution Member(int n, const char* name, const char* kind,
                         common::v1::Tier tier, const char* division,
                         const std::string& parent,
                         const char* until = nullptr) {
    v1::Institution wanted = MakeInstitution(n, name, kind, tier, division);
    wanted.set_parent_institution_id(parent);
    const v1::Institution created = NewInstitution(wanted);
    v1::Membership m;
    EXPECT_TRUE(AddMembership("req-m-" + std::to_string(n),
                              MakeMembership(created.id(), community_.id(),
                                             "2024-01-01", until),
                              &m)
                    .ok());
    return created;
  }

  v1::Community community_;
  v1::Institution hospital_, cdc_, town_, clinic_, clinic2_, left_;
};

TEST_F(SubtreeTest, CommunityTreeFollowsMembershipsOnTheDay) {
  struct Case {
    const char* as_of;  // nullptr: today
    std::vector<std::string> roots;
    std::vector<std::string> unplaced;
    int institutions;
  };
  const Case cases[] = {
      {nullptr,
       {"县医院(甲镇[二村](甲村室[一村] 乙村室))", "疾控"},
       {"三村"},
       5},
      {"2024-03-01",
       {"县医院(甲镇[二村](甲村室[一村] 乙村室) 乙乡[三村])", "疾控"},
       {},
       6},
      {"2023-12-31", {}, {"一村", "二村", "三村"}, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.as_of == nullptr ? "today" : c.as_of);
    v1::ListSubtreeRequest request;
    request.mutable_org()->set_community_id(community_.id());
    if (c.as_of != nullptr) request.mutable_as_of()->set_value(c.as_of);
    v1::ListSubtreeResponse tree;
    ASSERT_TRUE(Call(&Stub::ListSubtree, request, &tree).ok());
    EXPECT_EQ(tree.community().id(), community_.id());
    std::vector<std::string> roots, unplaced;
    for (const auto& root : tree.roots()) roots.push_back(Render(root));
    for (const auto& v : tree.unplaced_villages()) unplaced.push_back(v.name());
    EXPECT_EQ(roots, c.roots);
    EXPECT_EQ(unplaced, c.unplaced);
    EXPECT_EQ(tree.institution_count(), c.institutions);
    EXPECT_EQ(tree.village_count(), 3);
  }
}

TEST_F(SubtreeTest, InstitutionTreeFollowsParents) {
  v1::ListSubtreeRequest request;
  request.mutable_org()->set_institution_id(town_.id());
  v1::ListSubtreeResponse tree;
  ASSERT_TRUE(Call(&Stub::ListSubtree, request, &tree).ok());
  EXPECT_FALSE(tree.has_community());
  ASSERT_EQ(tree.roots_size(), 1);
  EXPECT_EQ(Render(tree.roots(0)), "甲镇[二村](甲村室[一村] 乙村室)");
  EXPECT_EQ(tree.roots(0).institution().SerializeAsString(),
            town_.SerializeAsString());
  EXPECT_EQ(tree.institution_count(), 3);
  EXPECT_EQ(tree.village_count(), 2);
  request.mutable_org()->set_institution_id(hospital_.id());
  ASSERT_TRUE(Call(&Stub::ListSubtree, request, &tree).ok());
  ASSERT_EQ(tree.roots_size(), 1);
  EXPECT_EQ(Render(tree.roots(0)),
            "县医院(甲镇[二村](甲村室[一村] 乙村室) 乙乡[三村])");
  EXPECT_EQ(tree.unplaced_villages_size(), 0);
}

TEST_F(SubtreeTest, BadOrgsAreNamed) {
  struct Case {
    const char* name;
    std::function<void(common::v1::OrgRef&)> org;
    const char* as_of;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {"no org", [](auto&) {}, nullptr, StatusCode::INVALID_ARGUMENT, "org"},
      {"empty community id", [](auto& o) { o.set_community_id(""); }, nullptr,
       StatusCode::INVALID_ARGUMENT, "org.community_id"},
      {"unknown community", [](auto& o) { o.set_community_id("com-nope"); },
       nullptr, StatusCode::NOT_FOUND, "org.community_id"},
      {"unknown institution", [](auto& o) { o.set_institution_id("ins-nope"); },
       nullptr, StatusCode::NOT_FOUND, "org.institution_id"},
      {"bad day", [&](auto& o) { o.set_community_id(community_.id()); },
       "2024-02-30", StatusCode::INVALID_ARGUMENT, "as_of"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::ListSubtreeRequest tree_request;
    c.org(*tree_request.mutable_org());
    v1::GetStaffingSummaryRequest summary_request;
    c.org(*summary_request.mutable_org());
    if (c.as_of != nullptr) {
      tree_request.mutable_as_of()->set_value(c.as_of);
      summary_request.mutable_as_of()->set_value(c.as_of);
    }
    v1::ListSubtreeResponse tree;
    ExpectError(Call(&Stub::ListSubtree, tree_request, &tree), c.code, c.field);
    v1::GetStaffingSummaryResponse summary;
    ExpectError(Call(&Stub::GetStaffingSummary, summary_request, &summary),
                c.code, c.field);
  }
}

TEST_F(SubtreeTest, StaffingSummaryCountsActiveStaffOfMembers) {
  v1::Staff gp = MakeStaff(41, hospital_.id(),
                           v1::QUALIFICATION_PRACTISING_PHYSICIAN, "233");
  gp.set_general_practitioner(true);
  NewStaff(gp);
  NewStaff(MakeStaff(42, hospital_.id(), v1::QUALIFICATION_PRACTISING_PHYSICIAN,
                     "233"));
  NewStaff(MakeStaff(43, hospital_.id(), v1::QUALIFICATION_PRACTISING_PHYSICIAN,
                     "232"));
  NewStaff(
      MakeStaff(44, town_.id(), v1::QUALIFICATION_REGISTERED_NURSE, "254"));
  NewStaff(MakeStaff(45, clinic_.id(), v1::QUALIFICATION_VILLAGE_DOCTOR));
  NewStaff(MakeStaff(46, left_.id(), v1::QUALIFICATION_PHARMACIST, "244"));
  v1::Staff retired = NewStaff(MakeStaff(47, town_.id()));
  retired.set_status(v1::STAFF_STATUS_RETIRED);
  ASSERT_TRUE(UpdateStaff(retired, {"status"}, &retired).ok());

  auto summarize = [&](const common::v1::OrgRef& org, const char* as_of) {
    v1::GetStaffingSummaryRequest request;
    *request.mutable_org() = org;
    if (as_of != nullptr) request.mutable_as_of()->set_value(as_of);
    v1::GetStaffingSummaryResponse summary;
    EXPECT_TRUE(Call(&Stub::GetStaffingSummary, request, &summary).ok());
    std::vector<std::string> cells;
    for (const auto& c : summary.counts()) {
      cells.push_back(absl::StrFormat(
          "%s/%s/%s=%d", v1::Qualification_Name(c.qualification()),
          v1::TitleLevel_Name(c.title_level()),
          c.general_practitioner() ? "GP" : "-", c.count()));
    }
    return std::make_pair(summary, cells);
  };
  common::v1::OrgRef org;
  org.set_community_id(community_.id());
  auto [today, cells] = summarize(org, nullptr);
  EXPECT_EQ(today.total(), 5);
  EXPECT_EQ(today.general_practitioners(), 1);
  const std::vector<std::string> expected = {
      "QUALIFICATION_PRACTISING_PHYSICIAN/TITLE_LEVEL_ASSOCIATE_SENIOR/-=1",
      "QUALIFICATION_PRACTISING_PHYSICIAN/TITLE_LEVEL_INTERMEDIATE/-=1",
      "QUALIFICATION_PRACTISING_PHYSICIAN/TITLE_LEVEL_INTERMEDIATE/GP=1",
      "QUALIFICATION_VILLAGE_DOCTOR/TITLE_LEVEL_UNSPECIFIED/-=1",
      "QUALIFICATION_REGISTERED_NURSE/TITLE_LEVEL_JUNIOR/-=1"};
  EXPECT_EQ(cells, expected);
  // While the second township center was a member, its pharmacist counted.
  EXPECT_EQ(summarize(org, "2024-03-01").first.total(), 6);
  EXPECT_EQ(summarize(org, "2023-12-31").first.total(), 0);
  org.set_institution_id(town_.id());
  auto [town, town_cells] = summarize(org, nullptr);
  EXPECT_EQ(town.total(), 1);
  EXPECT_EQ(town_cells,
            std::vector<std::string>{"QUALIFICATION_REGISTERED_NURSE/"
                                     "TITLE_LEVEL_JUNIOR/-=1"});
}

}  // namespace
}  // namespace cmc::institution
