// Assembling organisation trees and staffing counts from stored rows (pure,
// thread-safe): the shapes ListSubtree and GetStaffingSummary return, kept
// apart from SQL so the placement rules are unit-tested on their own.
//
//   OrgContents contents = ...;  // from OrgStore::LoadOrgContents
//   v1::ListSubtreeResponse tree = BuildSubtree(contents);
#ifndef CMC_SERVICES_INSTITUTION_ORG_TREE_H_
#define CMC_SERVICES_INSTITUTION_ORG_TREE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cmc/institution/v1/institution.pb.h"

namespace cmc::institution {

namespace v1 = ::cmc::institution::v1;

// What a subtree is made of: the institutions in tier, then registration
// order, and the villages that may hang below them, in registration order.
struct OrgContents {
  std::optional<v1::Community> community;  // set for a community's tree
  std::vector<v1::Institution> institutions;
  std::vector<v1::Village> villages;
};

// The tree of `contents` as ListSubtree documents it: an institution whose
// parent is not in `contents` is a root; a village goes under its village
// clinic when that is in the tree, else under its township center, else (a
// community's village served from outside the tree) to unplaced_villages.
v1::ListSubtreeResponse BuildSubtree(OrgContents contents);

// Active staff with one (qualification, title code, GP flag), as counted by
// the database.
struct StaffingRow {
  v1::Qualification qualification;
  std::string title_code;
  bool general_practitioner;
  int64_t count;
};

// The summary of `rows`: title codes folded into title levels, counts of
// equal keys added, sorted by qualification, title level, GP flag.
v1::GetStaffingSummaryResponse SummarizeStaffing(
    const std::vector<StaffingRow>& rows);

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_ORG_TREE_H_
