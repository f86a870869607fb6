#include "services/institution/org_tree.h"

#include <map>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "services/institution/staff_rules.h"

namespace cmc::institution {
namespace {

// An institution with the indices of its child nodes and villages.
struct Node {
  v1::Institution institution;
  std::vector<size_t> children;
  std::vector<size_t> villages;
};

void Emit(std::vector<Node>& nodes, std::vector<v1::Village>& villages,
          size_t index, v1::SubtreeNode* out) {
  Node& node = nodes[index];
  *out->mutable_institution() = std::move(node.institution);
  for (size_t v : node.villages) {
    *out->add_villages() = std::move(villages[v]);
  }
  for (size_t child : node.children) {
    Emit(nodes, villages, child, out->add_children());
  }
}

}  // namespace

v1::ListSubtreeResponse BuildSubtree(OrgContents contents) {
  v1::ListSubtreeResponse response;
  if (contents.community.has_value()) {
    *response.mutable_community() = std::move(*contents.community);
  }
  std::vector<Node> nodes;
  nodes.reserve(contents.institutions.size());
  std::unordered_map<std::string, size_t> index_of;
  for (v1::Institution& institution : contents.institutions) {
    index_of.emplace(institution.id(), nodes.size());
    nodes.push_back(Node{std::move(institution), {}, {}});
  }
  // Input order (tier, then registration) is kept for roots and children.
  std::vector<size_t> roots;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const auto parent =
        index_of.find(nodes[i].institution.parent_institution_id());
    if (parent == index_of.end() || parent->second == i) {
      roots.push_back(i);
    } else {
      nodes[parent->second].children.push_back(i);
    }
  }
  std::vector<size_t> unplaced;
  for (size_t v = 0; v < contents.villages.size(); ++v) {
    const v1::Village& village = contents.villages[v];
    auto home = index_of.find(village.village_clinic_id());
    if (village.village_clinic_id().empty() || home == index_of.end()) {
      home = index_of.find(village.township_center_id());
    }
    if (home == index_of.end()) {
      unplaced.push_back(v);
    } else {
      nodes[home->second].villages.push_back(v);
    }
  }
  response.set_institution_count(static_cast<int32_t>(nodes.size()));
  response.set_village_count(static_cast<int32_t>(contents.villages.size()));
  for (size_t root : roots) {
    Emit(nodes, contents.villages, root, response.add_roots());
  }
  for (size_t v : unplaced) {
    *response.add_unplaced_villages() = std::move(contents.villages[v]);
  }
  return response;
}

v1::GetStaffingSummaryResponse SummarizeStaffing(
    const std::vector<StaffingRow>& rows) {
  using Key = std::tuple<int, int, bool>;
  std::map<Key, int64_t> counts;
  for (const StaffingRow& row : rows) {
    const absl::StatusOr<v1::TitleLevel> level =
        TitleLevelOf(row.title_code, "title_code");
    const Key key{row.qualification,
                  level.ok() ? *level : v1::TITLE_LEVEL_UNSPECIFIED,
                  row.general_practitioner};
    counts[key] += row.count;
  }
  v1::GetStaffingSummaryResponse response;
  int64_t total = 0;
  int64_t general_practitioners = 0;
  for (const auto& [key, count] : counts) {
    v1::StaffingCount* cell = response.add_counts();
    cell->set_qualification(static_cast<v1::Qualification>(std::get<0>(key)));
    cell->set_title_level(static_cast<v1::TitleLevel>(std::get<1>(key)));
    cell->set_general_practitioner(std::get<2>(key));
    cell->set_count(static_cast<int32_t>(count));
    total += count;
    if (std::get<2>(key)) general_practitioners += count;
  }
  response.set_total(static_cast<int32_t>(total));
  response.set_general_practitioners(
      static_cast<int32_t>(general_practitioners));
  return response;
}

}  // namespace cmc::institution
