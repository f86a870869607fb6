// The institutions (hospitals, township centers, village clinics): the
// contract of their storage (store_types.h lists what every store shares).
// MysqlInstitutionStore is the implementation; tests use a fake.
//
//   CMC_ASSIGN_OR_RETURN(v1::Institution created,
//       institutions->CreateInstitution(claim, wanted, joining, today, actor,
//                                       deadline));
//
// History: every write that stores an institution's parent or status also
// records those values as the version holding from `today` (the caller's
// civil day in Asia/Shanghai) in the same transaction (history_rules.h,
// migrations/0005_history.sql); reads "as of" a day before today use them.
#ifndef CMC_SERVICES_INSTITUTION_INSTITUTION_STORE_H_
#define CMC_SERVICES_INSTITUTION_INSTITUTION_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/institution/store_types.h"

namespace cmc::institution {

class InstitutionStore {
 public:
  virtual ~InstitutionStore() = default;

  // Stores a validated new institution. A parent, when given, must exist
  // (NOT_FOUND "institution.parent_institution_id") and be of a higher tier
  // (INVALID_ARGUMENT). ALREADY_EXISTS "institution.uscc" for a taken USCC.
  // With `joining`, the institution also becomes a member of that community in
  // the same transaction (checked as AddMembership checks, errors naming
  // "community_id"; event institution.MembershipAdded after
  // institution.InstitutionCreated). Its history starts on `today`.
  virtual absl::StatusOr<v1::Institution> CreateInstitution(
      const RequestClaim& claim, const v1::Institution& institution,
      const std::optional<Joining>& joining, absl::CivilDay today,
      const Actor& actor, absl::Time deadline) = 0;
  // NOT_FOUND naming `field` when `id` is unknown.
  virtual absl::StatusOr<v1::Institution> GetInstitution(
      const std::string& id, absl::string_view field, absl::Time deadline) = 0;
  // Loads institution `id` (NOT_FOUND "institution.id"), checks `version`
  // (ABORTED when stale) and applies `mutate`; then the parent is re-checked
  // as on create and must not be the institution itself; institutions
  // reporting to this one must stay of a lower tier (FAILED_PRECONDITION
  // "institution.tier"); a changed division code must lie in the county of
  // every community the institution belongs to on `today` or later
  // (INVALID_ARGUMENT "institution.division_code"). A new parent or status
  // holds from `effective_day` (today or earlier) in the history;
  // FAILED_PRECONDITION "effective_date" when the current ones began later.
  virtual absl::StatusOr<v1::Institution> UpdateInstitution(
      const std::string& id, int64_t version,
      const Mutation<v1::Institution>& mutate, absl::CivilDay today,
      absl::CivilDay effective_day, const Actor& actor,
      absl::Time deadline) = 0;
  // The institutions matching `filter`, one page in creation order.
  virtual absl::StatusOr<PageOf<v1::Institution>> ListInstitutions(
      const InstitutionFilter& filter, const PageQuery& page,
      absl::Time deadline) = 0;
  // In the order of `ids`; NOT_FOUND "ids[i]" for the first unknown one.
  virtual absl::StatusOr<std::vector<v1::Institution>> BatchGetInstitutions(
      const std::vector<std::string>& ids, absl::Time deadline) = 0;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_INSTITUTION_STORE_H_
