// Org units of the indicator service (pure): their keys, levels and the
// division-code part of the tree (province > prefecture > county, by code).
//
//   CMC_ASSIGN_OR_RETURN(OrgUnitKey unit, ParseOrgUnit(request.org_unit(),
//                                                      "org_unit"));
//   LevelOf(unit) == v1::ORG_LEVEL_COUNTY;
#ifndef CMC_SERVICES_INDICATOR_ORG_UNIT_H_
#define CMC_SERVICES_INDICATOR_ORG_UNIT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cmc/indicator/v1/indicator.pb.h"

namespace cmc::indicator {

// Stored as data_values.org_kind.
enum class OrgKind { kInstitution = 1, kCommunity = 2, kDivision = 3 };

// One org unit: its kind and its id (an institution id, a community id or a
// 6-digit division code). Ids of different kinds never collide (the
// institution service's ids carry a prefix; division codes are digits).
struct OrgUnitKey {
  OrgKind kind = OrgKind::kInstitution;
  std::string id;

  bool operator<(const OrgUnitKey& o) const {
    return kind != o.kind ? kind < o.kind : id < o.id;
  }
  bool operator==(const OrgUnitKey& o) const {
    return kind == o.kind && id == o.id;
  }
};

// Checks `unit`: INVALID_ARGUMENT "<field>" when empty,
// "<field>.institution_id" / "<field>.community_id" when not 1-64 characters of
// [A-Za-z0-9._:-],
// "<field>.division_code" when not 6 digits naming a province, prefecture or
// county (the province part 11-82, not "000000").
absl::StatusOr<OrgUnitKey> ParseOrgUnit(const v1::OrgUnit& unit,
                                        absl::string_view field);

v1::OrgUnit ToProto(const OrgUnitKey& key);
// Rebuilds a key from its stored kind number; institution for unknown ones.
OrgUnitKey KeyOf(int kind, const std::string& id);

v1::OrgLevel LevelOf(const OrgUnitKey& key);
// The level of a division code: PROVINCE for "320000", PREFECTURE for
// "320100", COUNTY otherwise.
v1::OrgLevel DivisionLevel(absl::string_view code);
// True when division `code` lies inside division `outer` (or is it): a
// county inside its prefecture and province, by code.
bool DivisionWithin(absl::string_view code, absl::string_view outer);

}  // namespace cmc::indicator

#endif  // CMC_SERVICES_INDICATOR_ORG_UNIT_H_
