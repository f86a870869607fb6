#include "services/institution/request_checks.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/institution_rules.h"

namespace cmc::institution {
namespace {

// Approved beds of the largest county hospitals are in the low thousands; a
// larger number is a typing error, not a hospital.
constexpr int kMaxBeds = 20000;
// The most populous administrative villages have a few tens of thousands of
// registered residents.
constexpr int kMaxVillagePopulation = 100000;

absl::Status CheckRequiredId(const std::string& id, absl::string_view field) {
  if (id.empty()) return InvalidField(field, "required");
  return absl::OkStatus();
}

absl::Status CheckSharedCenters(const v1::Institution& institution) {
  std::set<int> seen;
  for (int i = 0; i < institution.shared_centers_size(); ++i) {
    const int center = institution.shared_centers(i);
    const std::string field =
        absl::StrCat("institution.shared_centers[", i, "]");
    if (center == v1::SHARED_CENTER_UNSPECIFIED ||
        !v1::SharedCenter_IsValid(center)) {
      return InvalidField(field,
                          absl::StrCat("unknown shared center ", center));
    }
    if (!seen.insert(center).second) {
      return InvalidField(field, absl::StrCat(v1::SharedCenter_Name(center),
                                              " is listed twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCommunityStatus(v1::CommunityStatus status, bool creating) {
  const bool ok = creating ? (status == v1::COMMUNITY_STATUS_UNSPECIFIED ||
                              status == v1::COMMUNITY_STATUS_ACTIVE)
                           : (status == v1::COMMUNITY_STATUS_ACTIVE ||
                              status == v1::COMMUNITY_STATUS_CLOSED);
  if (!ok) {
    return InvalidField("community.status", creating
                                                ? "a new community is ACTIVE"
                                                : "must be ACTIVE or CLOSED");
  }
  return absl::OkStatus();
}

// The fields of a village that a create sets and an update may change.
absl::Status CheckVillageFields(const v1::Village& village) {
  CMC_RETURN_IF_ERROR(ValidateDisplayName(village.name(), "village.name"));
  if (village.population() < 0 ||
      village.population() > kMaxVillagePopulation) {
    return InvalidField("village.population",
                        absl::StrCat("must be in 0..", kMaxVillagePopulation));
  }
  return CheckRequiredId(village.township_center_id(),
                         "village.township_center_id");
}

}  // namespace

absl::Status CheckNewCommunity(const v1::Community& community) {
  CMC_RETURN_IF_ERROR(
      ValidateCommunityCode(community.code(), "community.code"));
  CMC_RETURN_IF_ERROR(ValidateDisplayName(community.name(), "community.name"));
  CMC_RETURN_IF_ERROR(ValidateCountyCode(community.county_division_code(),
                                         "community.county_division_code"));
  return CheckCommunityStatus(community.status(), /*creating=*/true);
}

absl::Status CheckInstitutionFields(const v1::Institution& institution,
                                    bool creating) {
  if (creating) {
    CMC_RETURN_IF_ERROR(ValidateUscc(institution.uscc(), "institution.uscc"));
  }
  CMC_RETURN_IF_ERROR(
      ValidateDisplayName(institution.name(), "institution.name"));
  CMC_RETURN_IF_ERROR(CheckKindAndTier(institution.kind(), institution.tier(),
                                       "institution.kind", "institution.tier"));
  CMC_RETURN_IF_ERROR(ValidateDivisionCode12(institution.division_code(),
                                             "institution.division_code"));
  if (institution.tier() == common::v1::TIER_COUNTY &&
      !institution.parent_institution_id().empty()) {
    return InvalidField("institution.parent_institution_id",
                        "a county-tier institution has no parent");
  }
  if (institution.beds() < 0 || institution.beds() > kMaxBeds) {
    return InvalidField("institution.beds",
                        absl::StrCat("must be in 0..", kMaxBeds));
  }
  CMC_RETURN_IF_ERROR(CheckSharedCenters(institution));
  const v1::InstitutionStatus status = institution.status();
  const bool status_ok = creating
                             ? (status == v1::INSTITUTION_STATUS_UNSPECIFIED ||
                                status == v1::INSTITUTION_STATUS_ACTIVE)
                             : (status == v1::INSTITUTION_STATUS_ACTIVE ||
                                status == v1::INSTITUTION_STATUS_CLOSED);
  if (!status_ok) {
    return InvalidField(
        "institution.status",
        creating ? "a new institution is ACTIVE" : "must be ACTIVE or CLOSED");
  }
  return absl::OkStatus();
}

absl::Status CheckNewMembership(const v1::Membership& membership) {
  CMC_RETURN_IF_ERROR(CheckRequiredId(membership.institution_id(),
                                      "membership.institution_id"));
  CMC_RETURN_IF_ERROR(
      CheckRequiredId(membership.community_id(), "membership.community_id"));
  if (membership.kind() != v1::MEMBERSHIP_KIND_CLOSE_KNIT &&
      membership.kind() != v1::MEMBERSHIP_KIND_LOOSE) {
    return InvalidField("membership.kind", "must be CLOSE_KNIT or LOOSE");
  }
  if (!membership.has_valid_from()) {
    return InvalidField("membership.valid_from", "required");
  }
  CMC_ASSIGN_OR_RETURN(
      const absl::CivilDay first,
      ParseCivilDate(membership.valid_from().value(), "membership.valid_from"));
  if (membership.has_valid_to()) {
    CMC_ASSIGN_OR_RETURN(
        const absl::CivilDay last,
        ParseCivilDate(membership.valid_to().value(), "membership.valid_to"));
    if (last < first) {
      return InvalidField("membership.valid_to", "before valid_from");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckNewVillage(const v1::Village& village) {
  CMC_RETURN_IF_ERROR(
      CheckRequiredId(village.community_id(), "village.community_id"));
  CMC_ASSIGN_OR_RETURN(
      const DivisionLevel level,
      DivisionLevelOf(village.division_code(), "village.division_code"));
  if (level != DivisionLevel::kVillage) {
    return InvalidField("village.division_code",
                        "not a village-level code: the last three digits must "
                        "be 001-399");
  }
  return CheckVillageFields(village);
}

absl::Status CheckNewPosting(const v1::Posting& posting) {
  CMC_RETURN_IF_ERROR(CheckRequiredId(posting.staff_id(), "posting.staff_id"));
  CMC_RETURN_IF_ERROR(CheckRequiredId(posting.to_institution_id(),
                                      "posting.to_institution_id"));
  if (!posting.has_start_date()) {
    return InvalidField("posting.start_date", "required");
  }
  CMC_ASSIGN_OR_RETURN(
      const absl::CivilDay first,
      ParseCivilDate(posting.start_date().value(), "posting.start_date"));
  if (posting.has_end_date()) {
    CMC_ASSIGN_OR_RETURN(
        const absl::CivilDay last,
        ParseCivilDate(posting.end_date().value(), "posting.end_date"));
    if (last < first) {
      return InvalidField("posting.end_date", "before start_date");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckUpdateTarget(absl::string_view resource,
                               const std::string& id, int64_t version) {
  CMC_RETURN_IF_ERROR(CheckRequiredId(id, absl::StrCat(resource, ".id")));
  if (version <= 0) {
    return InvalidField(absl::StrCat(resource, ".version"),
                        "required: send the version you read");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::set<std::string>> CheckUpdateMask(
    const google::protobuf::FieldMask& mask,
    const std::set<std::string>& allowed) {
  if (mask.paths().empty()) {
    return InvalidField("update_mask", "name at least one field to change");
  }
  std::set<std::string> paths;
  for (const std::string& path : mask.paths()) {
    if (allowed.count(path) == 0) {
      return InvalidField(
          "update_mask",
          absl::StrCat("\"", path, "\" is unknown or cannot be changed"));
    }
    paths.insert(path);
  }
  return paths;
}

const std::set<std::string>& CommunityUpdatePaths() {
  static const auto* paths =
      new std::set<std::string>{"name", "lead_institution_id", "status"};
  return *paths;
}

const std::set<std::string>& InstitutionUpdatePaths() {
  static const auto* paths = new std::set<std::string>{"name",
                                                       "kind",
                                                       "tier",
                                                       "division_code",
                                                       "beds",
                                                       "shared_centers",
                                                       "parent_institution_id",
                                                       "status"};
  return *paths;
}

const std::set<std::string>& VillageUpdatePaths() {
  static const auto* paths = new std::set<std::string>{
      "name", "population", "township_center_id", "village_clinic_id",
      "has_resident_village_doctor"};
  return *paths;
}

absl::Status ApplyCommunityUpdate(const std::set<std::string>& paths,
                                  const v1::Community& from,
                                  v1::Community& to) {
  if (paths.count("name")) to.set_name(from.name());
  if (paths.count("lead_institution_id")) {
    to.set_lead_institution_id(from.lead_institution_id());
  }
  if (paths.count("status")) to.set_status(from.status());
  CMC_RETURN_IF_ERROR(ValidateDisplayName(to.name(), "community.name"));
  return CheckCommunityStatus(to.status(), /*creating=*/false);
}

absl::Status ApplyInstitutionUpdate(const std::set<std::string>& paths,
                                    const v1::Institution& from,
                                    v1::Institution& to) {
  if (paths.count("name")) to.set_name(from.name());
  if (paths.count("kind")) to.set_kind(from.kind());
  if (paths.count("tier")) to.set_tier(from.tier());
  if (paths.count("division_code")) to.set_division_code(from.division_code());
  if (paths.count("parent_institution_id")) {
    to.set_parent_institution_id(from.parent_institution_id());
  }
  if (paths.count("beds")) to.set_beds(from.beds());
  if (paths.count("shared_centers")) {
    *to.mutable_shared_centers() = from.shared_centers();
  }
  if (paths.count("status")) to.set_status(from.status());
  return CheckInstitutionFields(to, /*creating=*/false);
}

absl::Status ApplyVillageUpdate(const std::set<std::string>& paths,
                                const v1::Village& from, v1::Village& to) {
  if (paths.count("name")) to.set_name(from.name());
  if (paths.count("population")) to.set_population(from.population());
  if (paths.count("township_center_id")) {
    to.set_township_center_id(from.township_center_id());
  }
  if (paths.count("village_clinic_id")) {
    to.set_village_clinic_id(from.village_clinic_id());
  }
  if (paths.count("has_resident_village_doctor")) {
    to.set_has_resident_village_doctor(from.has_resident_village_doctor());
  }
  return CheckVillageFields(to);
}

}  // namespace cmc::institution
