// Validation of institution service requests that needs no stored data (pure,
// thread-safe), and the application of update masks. Every rejection is
// INVALID_ARGUMENT naming the field by its path in the request, as written in
// institution.proto ("institution.uscc", "update_mask").
#ifndef CMC_SERVICES_INSTITUTION_REQUEST_CHECKS_H_
#define CMC_SERVICES_INSTITUTION_REQUEST_CHECKS_H_

#include <google/protobuf/field_mask.pb.h>

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cmc/institution/v1/institution.pb.h"

namespace cmc::institution {

namespace v1 = ::cmc::institution::v1;

// A new community's fields (code, name, county, status); the lead is checked
// against the store.
absl::Status CheckNewCommunity(const v1::Community& community);

// The fields of an institution being created (`creating`: USCC checked, status
// UNSPECIFIED or ACTIVE) or as it would be after an update (status ACTIVE or
// CLOSED; the USCC is immutable and not re-checked).
absl::Status CheckInstitutionFields(const v1::Institution& institution,
                                    bool creating);

// A new membership: ids present, kind, valid_from and optional valid_to (not
// before valid_from).
absl::Status CheckNewMembership(const v1::Membership& membership);

// A new village: community and township center present, a village-level
// division code, name, population (the county is checked against the store).
absl::Status CheckNewVillage(const v1::Village& village);

// A new posting: staff and host present, start_date and optional end_date
// (not before start_date).
absl::Status CheckNewPosting(const v1::Posting& posting);

// The id and version of the resource an update names; `resource` is
// "community", "institution", "village" or "staff".
absl::Status CheckUpdateTarget(absl::string_view resource,
                               const std::string& id, int64_t version);

// The distinct paths of `mask`, each one of `allowed`. INVALID_ARGUMENT
// "update_mask" when empty or when a path is unknown or immutable.
absl::StatusOr<std::set<std::string>> CheckUpdateMask(
    const google::protobuf::FieldMask& mask,
    const std::set<std::string>& allowed);

// Paths accepted by UpdateCommunity and UpdateInstitution.
const std::set<std::string>& CommunityUpdatePaths();
const std::set<std::string>& InstitutionUpdatePaths();
const std::set<std::string>& VillageUpdatePaths();

// Copies the fields named by `paths` from `from` into `to`, then validates the
// result (CheckInstitutionFields or the community's name and status).
absl::Status ApplyCommunityUpdate(const std::set<std::string>& paths,
                                  const v1::Community& from, v1::Community& to);
absl::Status ApplyInstitutionUpdate(const std::set<std::string>& paths,
                                    const v1::Institution& from,
                                    v1::Institution& to);
absl::Status ApplyVillageUpdate(const std::set<std::string>& paths,
                                const v1::Village& from, v1::Village& to);

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_REQUEST_CHECKS_H_
