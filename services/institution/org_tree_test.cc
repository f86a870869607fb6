#include "services/institution/org_tree.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cmc::institution {
namespace {

v1::Institution Institution(const char* id, const char* parent) {
  v1::Institution i;
  i.set_id(id);
  i.set_parent_institution_id(parent);
  return i;
}

v1::Village Village(const char* id, const char* center, const char* clinic) {
  v1::Village v;
  v.set_id(id);
  v.set_township_center_id(center);
  v.set_village_clinic_id(clinic);
  return v;
}

// "id[villages](children...)" for compact comparisons.
std::string Render(const v1::SubtreeNode& node) {
  std::string text = node.institution().id();
  if (node.villages_size() > 0) {
    text += "[";
    for (int i = 0; i < node.villages_size(); ++i) {
      text += (i > 0 ? "," : "") + node.villages(i).id();
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

std::vector<std::string> Roots(const v1::ListSubtreeResponse& tree) {
  std::vector<std::string> roots;
  for (const auto& root : tree.roots()) roots.push_back(Render(root));
  return roots;
}

TEST(BuildSubtreeTest, NestsByParentAndPlacesEachVillageOnce) {
  OrgContents contents;
  contents.community.emplace();
  contents.community->set_id("com-1");
  // Tier order, as the store reads them.
  contents.institutions = {
      Institution("hospital", ""),     Institution("cdc", ""),
      Institution("town", "hospital"), Institution("far-town", "elsewhere"),
      Institution("clinic", "town"),   Institution("orphan-clinic", "gone")};
  contents.villages = {Village("v1", "town", "clinic"),
                       Village("v2", "town", ""),
                       Village("v3", "town", "closed-clinic"),
                       Village("v4", "outside-center", ""),
                       Village("v5", "far-town", "orphan-clinic")};
  const v1::ListSubtreeResponse tree = BuildSubtree(contents);
  EXPECT_EQ(tree.community().id(), "com-1");
  const std::vector<std::string> expected = {
      "hospital(town[v2,v3](clinic[v1]))", "cdc", "far-town",
      "orphan-clinic[v5]"};
  EXPECT_EQ(Roots(tree), expected);
  ASSERT_EQ(tree.unplaced_villages_size(), 1);
  EXPECT_EQ(tree.unplaced_villages(0).id(), "v4");
  EXPECT_EQ(tree.institution_count(), 6);
  EXPECT_EQ(tree.village_count(), 5);
}

TEST(BuildSubtreeTest, EmptyContentsGiveAnEmptyTree) {
  const v1::ListSubtreeResponse tree = BuildSubtree(OrgContents());
  EXPECT_FALSE(tree.has_community());
  EXPECT_EQ(tree.roots_size(), 0);
  EXPECT_EQ(tree.institution_count(), 0);
}

TEST(SummarizeStaffingTest, FoldsTitlesIntoLevelsAndSorts) {
  const std::vector<StaffingRow> rows = {
      {v1::QUALIFICATION_REGISTERED_NURSE, "253", false, 4},
      {v1::QUALIFICATION_PRACTISING_PHYSICIAN, "233", true, 2},
      {v1::QUALIFICATION_PRACTISING_PHYSICIAN, "", false, 1},
      {v1::QUALIFICATION_OTHER, "243", false, 1},
      {v1::QUALIFICATION_OTHER, "253", false, 2},  // same level as 243
      {v1::QUALIFICATION_PRACTISING_PHYSICIAN, "233", false, 3},
  };
  const v1::GetStaffingSummaryResponse summary = SummarizeStaffing(rows);
  EXPECT_EQ(summary.total(), 13);
  EXPECT_EQ(summary.general_practitioners(), 2);
  struct Cell {
    v1::Qualification qualification;
    v1::TitleLevel level;
    bool gp;
    int count;
  };
  const Cell expected[] = {
      {v1::QUALIFICATION_PRACTISING_PHYSICIAN, v1::TITLE_LEVEL_UNSPECIFIED,
       false, 1},
      {v1::QUALIFICATION_PRACTISING_PHYSICIAN, v1::TITLE_LEVEL_INTERMEDIATE,
       false, 3},
      {v1::QUALIFICATION_PRACTISING_PHYSICIAN, v1::TITLE_LEVEL_INTERMEDIATE,
       true, 2},
      {v1::QUALIFICATION_REGISTERED_NURSE, v1::TITLE_LEVEL_INTERMEDIATE, false,
       4},
      {v1::QUALIFICATION_OTHER, v1::TITLE_LEVEL_INTERMEDIATE, false, 3},
  };
  ASSERT_EQ(summary.counts_size(), 5);
  for (int i = 0; i < 5; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(summary.counts(i).qualification(), expected[i].qualification);
    EXPECT_EQ(summary.counts(i).title_level(), expected[i].level);
    EXPECT_EQ(summary.counts(i).general_practitioner(), expected[i].gp);
    EXPECT_EQ(summary.counts(i).count(), expected[i].count);
  }
}

}  // namespace
}  // namespace cmc::institution
