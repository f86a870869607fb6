// Rules for staff of member institutions, as pure functions (no I/O,
// thread-safe): GB/T 8561 professional titles and the qualifications they fit,
// the fields of a staff record, update masks, and who may see a resident ID
// in full. Every rejection is INVALID_ARGUMENT naming the caller's field.
//
//   CMC_RETURN_IF_ERROR(CheckStaffFields(staff, /*creating=*/true));
//   if (!MaySeeResidentId(who, staff.institution_id(), community)) {
//     MaskResidentId(staff);
//   }
#ifndef CMC_SERVICES_INSTITUTION_STAFF_RULES_H_
#define CMC_SERVICES_INSTITUTION_STAFF_RULES_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cmc/institution/v1/institution.pb.h"
#include "common/identity/principal.h"

namespace cmc::institution {

namespace v1 = ::cmc::institution::v1;

// The level of a GB/T 8561 title code accepted by CMC: 231-235 (physicians),
// 241-245 (pharmacists), 251-255 (nurses), 261-265 (technicians); the last
// digit is the level. "" is TITLE_LEVEL_UNSPECIFIED (no title). Any other code
// is INVALID_ARGUMENT naming `field`.
absl::StatusOr<v1::TitleLevel> TitleLevelOf(absl::string_view code,
                                            absl::string_view field);

// OK when the title's series fits the qualification (see Staff.title_code in
// institution.proto); INVALID_ARGUMENT naming `field` otherwise.
absl::Status CheckTitleFitsQualification(absl::string_view code,
                                         v1::Qualification qualification,
                                         absl::string_view field);

// The caller-set fields of a staff record being created (`creating`: resident
// ID checked, status UNSPECIFIED or ACTIVE) or as it would be after an update
// (status ACTIVE, LEFT or RETIRED; the resident ID is immutable).
absl::Status CheckStaffFields(const v1::Staff& staff, bool creating);

// Sets gender, birth_date and title_level from resident_id and title_code,
// which must have passed CheckStaffFields.
void DeriveStaffFacts(v1::Staff& staff);

// Paths accepted by UpdateStaff, and their application followed by
// CheckStaffFields(to, false) and DeriveStaffFacts.
const std::set<std::string>& StaffUpdatePaths();
absl::Status ApplyStaffUpdate(const std::set<std::string>& paths,
                              const v1::Staff& from, v1::Staff& to);

// Roles that may see resident IDs in full, within their scope: personnel
// work needs the number (insurance, licence registration); everyone else sees
// the masked form, which is enough to tell people apart.
const std::set<std::string>& ResidentIdRoles();

// True when `who` may see the full resident ID of someone employed by
// `institution_id`, which belongs to community `community_id` today ("" for
// none): one of ResidentIdRoles() and a scope of the whole county, the
// institution, or its community.
bool MaySeeResidentId(const Principal& who, absl::string_view institution_id,
                      absl::string_view community_id);

// Replaces resident_id with its masked form and sets resident_id_masked.
void MaskStaffResidentId(v1::Staff& staff);

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_STAFF_RULES_H_
