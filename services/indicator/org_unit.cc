#include "services/indicator/org_unit.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace cmc::indicator {
namespace {

bool IsOpaqueId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != ':' && c != '-') {
      return false;
    }
  }
  return true;
}

bool IsDivisionCode(absl::string_view code) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  const int province = (code[0] - '0') * 10 + (code[1] - '0');
  return province >= 11 && province <= 82;
}

}  // namespace

absl::StatusOr<OrgUnitKey> ParseOrgUnit(const v1::OrgUnit& unit,
                                        absl::string_view field) {
  switch (unit.kind_case()) {
    case v1::OrgUnit::kInstitutionId:
      if (!IsOpaqueId(unit.institution_id())) {
        return InvalidField(absl::StrCat(field, ".institution_id"),
                            "not an institution id");
      }
      return OrgUnitKey{OrgKind::kInstitution, unit.institution_id()};
    case v1::OrgUnit::kCommunityId:
      if (!IsOpaqueId(unit.community_id())) {
        return InvalidField(absl::StrCat(field, ".community_id"),
                            "not a community id");
      }
      return OrgUnitKey{OrgKind::kCommunity, unit.community_id()};
    case v1::OrgUnit::kDivisionCode:
      if (!IsDivisionCode(unit.division_code())) {
        return InvalidField(
            absl::StrCat(field, ".division_code"),
            "not a 6-digit province, prefecture or county code");
      }
      return OrgUnitKey{OrgKind::kDivision, unit.division_code()};
    case v1::OrgUnit::KIND_NOT_SET:
      break;
  }
  return InvalidField(field,
                      "missing (institution_id, community_id or "
                      "division_code)");
}

v1::OrgUnit ToProto(const OrgUnitKey& key) {
  v1::OrgUnit unit;
  switch (key.kind) {
    case OrgKind::kInstitution:
      unit.set_institution_id(key.id);
      break;
    case OrgKind::kCommunity:
      unit.set_community_id(key.id);
      break;
    case OrgKind::kDivision:
      unit.set_division_code(key.id);
      break;
  }
  return unit;
}

OrgUnitKey KeyOf(int kind, const std::string& id) {
  switch (kind) {
    case 2:
      return {OrgKind::kCommunity, id};
    case 3:
      return {OrgKind::kDivision, id};
    default:
      return {OrgKind::kInstitution, id};
  }
}

v1::OrgLevel DivisionLevel(absl::string_view code) {
  if (absl::EndsWith(code, "0000")) return v1::ORG_LEVEL_PROVINCE;
  if (absl::EndsWith(code, "00")) return v1::ORG_LEVEL_PREFECTURE;
  return v1::ORG_LEVEL_COUNTY;
}

v1::OrgLevel LevelOf(const OrgUnitKey& key) {
  switch (key.kind) {
    case OrgKind::kInstitution:
      return v1::ORG_LEVEL_INSTITUTION;
    case OrgKind::kCommunity:
      return v1::ORG_LEVEL_COMMUNITY;
    case OrgKind::kDivision:
      return DivisionLevel(key.id);
  }
  return v1::ORG_LEVEL_UNSPECIFIED;
}

bool DivisionWithin(absl::string_view code, absl::string_view outer) {
  switch (DivisionLevel(outer)) {
    case v1::ORG_LEVEL_PROVINCE:
      return code.substr(0, 2) == outer.substr(0, 2);
    case v1::ORG_LEVEL_PREFECTURE:
      return code.substr(0, 4) == outer.substr(0, 4);
    default:
      return code == outer;
  }
}

}  // namespace cmc::indicator
