// The staff of the institutions: the contract of their storage
// (store_types.h lists what every store shares). MysqlStaffStore is the
// implementation; tests use a fake.
//
// Results carry the full resident ID (masking is the handler's job); event
// payloads carry it masked, since the event feed is itself an API. Every
// write that stores an employer, status, qualification, title code or GP flag
// also records those values in the history (history_rules.h).
//
//   CMC_ASSIGN_OR_RETURN(v1::Staff found, staff->GetStaff(id, "id", deadline));
#ifndef CMC_SERVICES_INSTITUTION_STAFF_STORE_H_
#define CMC_SERVICES_INSTITUTION_STAFF_STORE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/institution/store_types.h"

namespace cmc::institution {

class StaffStore {
 public:
  virtual ~StaffStore() = default;

  // Stores a validated new staff member (gender, birth date and title level
  // derived by the caller) after the checks listed for CreateStaff in
  // institution.proto. Its history starts on `today`.
  virtual absl::StatusOr<v1::Staff> CreateStaff(const RequestClaim& claim,
                                                const v1::Staff& staff,
                                                absl::CivilDay today,
                                                const Actor& actor,
                                                absl::Time deadline) = 0;
  // NOT_FOUND naming `field` when `id` is unknown.
  virtual absl::StatusOr<v1::Staff> GetStaff(const std::string& id,
                                             absl::string_view field,
                                             absl::Time deadline) = 0;
  // As CommunityStore::UpdateCommunity (NOT_FOUND "staff.id", ABORTED
  // "staff.version"); a changed employer is checked as on create. `guard`
  // sees the stored staff member before the version check. Changed history
  // values hold from `effective_day` (today or earlier); FAILED_PRECONDITION
  // "effective_date" when the current ones began later.
  virtual absl::StatusOr<v1::Staff> UpdateStaff(
      const std::string& id, int64_t version, const Guard<v1::Staff>& guard,
      const Mutation<v1::Staff>& mutate, absl::CivilDay effective_day,
      const Actor& actor, absl::Time deadline) = 0;
  // The staff matching `filter`, one page in creation order.
  virtual absl::StatusOr<PageOf<v1::Staff>> ListStaff(const StaffFilter& filter,
                                                      const PageQuery& page,
                                                      absl::Time deadline) = 0;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_STAFF_STORE_H_
