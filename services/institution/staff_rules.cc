#include "services/institution/staff_rules.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/institution_rules.h"

namespace cmc::institution {
namespace {

constexpr size_t kMaxLicenceLength = 32;
constexpr size_t kMaxDepartmentCharacters = 50;

// GB/T 8561 series of health-technical titles (卫生技术人员), by the code's
// first two digits. Codes 23x and 25x are given in the domain brief; 24x
// (pharmacy: 主任药师 241 ... 药士 245) and 26x (technicians: 主任技师 261 ...
// 技士 265) follow the same standard's table and are what HIS dictionaries in
// China use. Other series (teachers, engineers) are not health posts and are
// rejected rather than guessed at.
enum class Series { kPhysician, kPharmacist, kNurse, kTechnician };

bool SeriesOf(absl::string_view code, Series* series) {
  if (code.size() != 3 || code[0] != '2' || code[2] < '1' || code[2] > '5') {
    return false;
  }
  switch (code[1]) {
    case '3':
      *series = Series::kPhysician;
      return true;
    case '4':
      *series = Series::kPharmacist;
      return true;
    case '5':
      *series = Series::kNurse;
      return true;
    case '6':
      *series = Series::kTechnician;
      return true;
    default:
      return false;
  }
}

bool SeriesFits(Series series, v1::Qualification qualification) {
  switch (qualification) {
    case v1::QUALIFICATION_PRACTISING_PHYSICIAN:
    case v1::QUALIFICATION_ASSISTANT_PHYSICIAN:
    case v1::QUALIFICATION_VILLAGE_DOCTOR:
      return series == Series::kPhysician;
    case v1::QUALIFICATION_PHARMACIST:
      return series == Series::kPharmacist;
    case v1::QUALIFICATION_REGISTERED_NURSE:
      return series == Series::kNurse;
    case v1::QUALIFICATION_TECHNICIAN:
      return series == Series::kTechnician;
    default:
      return true;  // QUALIFICATION_OTHER
  }
}

size_t CodePoints(absl::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

absl::Status CheckLicenceNumber(absl::string_view licence) {
  if (licence.size() > kMaxLicenceLength) {
    return InvalidField("staff.licence_number", "longer than 32 characters");
  }
  for (char c : licence) {
    if (!absl::ascii_isupper(c) && !absl::ascii_isdigit(c) && c != '-') {
      return InvalidField("staff.licence_number",
                          "only A-Z, 0-9 and '-' are allowed");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::TitleLevel> TitleLevelOf(absl::string_view code,
                                            absl::string_view field) {
  if (code.empty()) return v1::TITLE_LEVEL_UNSPECIFIED;
  Series series;
  if (!SeriesOf(code, &series)) {
    return InvalidField(field,
                        absl::StrCat("unknown GB/T 8561 title code \"", code,
                                     "\"; accepted: 231-235, 241-245, 251-255, "
                                     "261-265, or empty for none"));
  }
  return static_cast<v1::TitleLevel>(code[2] - '0');
}

absl::Status CheckTitleFitsQualification(absl::string_view code,
                                         v1::Qualification qualification,
                                         absl::string_view field) {
  CMC_RETURN_IF_ERROR(TitleLevelOf(code, field).status());
  Series series;
  if (!code.empty() && SeriesOf(code, &series) &&
      !SeriesFits(series, qualification)) {
    return InvalidField(
        field, absl::StrCat("title ", code, " does not fit qualification ",
                            v1::Qualification_Name(qualification)));
  }
  return absl::OkStatus();
}

absl::Status CheckStaffFields(const v1::Staff& staff, bool creating) {
  if (creating) {
    CMC_RETURN_IF_ERROR(
        ValidateResidentId(staff.resident_id(), "staff.resident_id"));
  }
  CMC_RETURN_IF_ERROR(ValidateDisplayName(staff.name(), "staff.name"));
  if (staff.qualification() == v1::QUALIFICATION_UNSPECIFIED ||
      !v1::Qualification_IsValid(staff.qualification())) {
    return InvalidField("staff.qualification", "required");
  }
  CMC_RETURN_IF_ERROR(CheckTitleFitsQualification(
      staff.title_code(), staff.qualification(), "staff.title_code"));
  // 全科医生 register as (assistant) physicians with the general-practice
  // scope; nurses and village doctors cannot.
  if (staff.general_practitioner() &&
      staff.qualification() != v1::QUALIFICATION_PRACTISING_PHYSICIAN &&
      staff.qualification() != v1::QUALIFICATION_ASSISTANT_PHYSICIAN) {
    return InvalidField("staff.general_practitioner",
                        "only practising or assistant physicians register as "
                        "general practitioners");
  }
  CMC_RETURN_IF_ERROR(CheckLicenceNumber(staff.licence_number()));
  if (staff.institution_id().empty()) {
    return InvalidField("staff.institution_id", "required");
  }
  if (CodePoints(staff.department()) > kMaxDepartmentCharacters) {
    return InvalidField("staff.department", "longer than 50 characters");
  }
  const v1::StaffStatus status = staff.status();
  const bool status_ok = creating ? (status == v1::STAFF_STATUS_UNSPECIFIED ||
                                     status == v1::STAFF_STATUS_ACTIVE)
                                  : (status == v1::STAFF_STATUS_ACTIVE ||
                                     status == v1::STAFF_STATUS_LEFT ||
                                     status == v1::STAFF_STATUS_RETIRED);
  if (!status_ok) {
    return InvalidField("staff.status",
                        creating ? "a new staff member is ACTIVE"
                                 : "must be ACTIVE, LEFT or RETIRED");
  }
  return absl::OkStatus();
}

void DeriveStaffFacts(v1::Staff& staff) {
  absl::StatusOr<ResidentIdFacts> facts =
      ParseResidentId(staff.resident_id(), "staff.resident_id");
  if (facts.ok()) {
    staff.set_gender(facts->male ? v1::GENDER_MALE : v1::GENDER_FEMALE);
    staff.mutable_birth_date()->set_value(FormatCivilDate(facts->birth_date));
    staff.set_birth_year(static_cast<int>(facts->birth_date.year()));
  }
  absl::StatusOr<v1::TitleLevel> level =
      TitleLevelOf(staff.title_code(), "staff.title_code");
  staff.set_title_level(level.ok() ? *level : v1::TITLE_LEVEL_UNSPECIFIED);
}

const std::set<std::string>& StaffUpdatePaths() {
  static const auto* paths = new std::set<std::string>{
      "name",           "qualification",  "title_code", "general_practitioner",
      "licence_number", "institution_id", "department", "status"};
  return *paths;
}

absl::Status ApplyStaffUpdate(const std::set<std::string>& paths,
                              const v1::Staff& from, v1::Staff& to) {
  if (paths.count("name")) to.set_name(from.name());
  if (paths.count("qualification")) to.set_qualification(from.qualification());
  if (paths.count("title_code")) to.set_title_code(from.title_code());
  if (paths.count("general_practitioner")) {
    to.set_general_practitioner(from.general_practitioner());
  }
  if (paths.count("licence_number")) {
    to.set_licence_number(from.licence_number());
  }
  if (paths.count("institution_id")) {
    to.set_institution_id(from.institution_id());
  }
  if (paths.count("department")) to.set_department(from.department());
  if (paths.count("status")) to.set_status(from.status());
  CMC_RETURN_IF_ERROR(CheckStaffFields(to, /*creating=*/false));
  DeriveStaffFacts(to);
  return absl::OkStatus();
}

const std::set<std::string>& ResidentIdRoles() {
  static const auto* roles = new std::set<std::string>{
      "community_admin", "township_admin", "personnel_admin"};
  return *roles;
}

bool MaySeeResidentId(const Principal& who, absl::string_view institution_id,
                      absl::string_view community_id) {
  bool has_role = false;
  for (const std::string& role : ResidentIdRoles()) {
    has_role = has_role || who.HasRole(role);
  }
  if (!has_role) return false;
  return who.CoversInstitution(institution_id) ||
         (!community_id.empty() && who.CoversCommunity(community_id));
}

void MaskStaffResidentId(v1::Staff& staff) {
  staff.set_resident_id(MaskResidentId(staff.resident_id()));
  staff.set_resident_id_masked(true);
  // The birth date would restore the masked digits; only its year shows.
  if (staff.birth_year() == 0) {
    staff.set_birth_year(YearOfIsoDate(staff.birth_date().value()));
  }
  staff.clear_birth_date();
}

}  // namespace cmc::institution
