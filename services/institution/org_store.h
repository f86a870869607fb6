// Whole organisation trees and staffing counts, read across the aggregates
// as of a day (ListSubtree, GetStaffingSummary): the contract of their
// storage (store_types.h lists what every store shares). MysqlOrgStore is the
// implementation; tests use a fake. Read-only.
//
//   CMC_ASSIGN_OR_RETURN(OrgContents contents,
//                        orgs->LoadOrgContents(org, as_of, today, deadline));
//   v1::ListSubtreeResponse tree = BuildSubtree(std::move(contents));
#ifndef CMC_SERVICES_INSTITUTION_ORG_STORE_H_
#define CMC_SERVICES_INSTITUTION_ORG_STORE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cmc/common/v1/types.pb.h"
#include "services/institution/org_tree.h"

namespace cmc::institution {

class OrgStore {
 public:
  virtual ~OrgStore() = default;

  // The institutions and villages of ListSubtree for `org` on `as_of`:
  // memberships, and for a day before `today` the parents and statuses of
  // the history (institutions carry those; their other fields and the
  // villages are as stored now). NOT_FOUND "org.community_id" /
  // "org.institution_id"; an org with neither id set is INVALID_ARGUMENT
  // "org".
  virtual absl::StatusOr<OrgContents> LoadOrgContents(
      const common::v1::OrgRef& org, absl::CivilDay as_of, absl::CivilDay today,
      absl::Time deadline) = 0;
  // Active staff of `org` on `as_of` (as GetStaffingSummary documents)
  // grouped by qualification, title code and GP flag: for a day before
  // `today` from the history. Errors as LoadOrgContents.
  virtual absl::StatusOr<std::vector<StaffingRow>> CountActiveStaff(
      const common::v1::OrgRef& org, absl::CivilDay as_of, absl::CivilDay today,
      absl::Time deadline) = 0;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_ORG_STORE_H_
