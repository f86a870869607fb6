#include "services/dispatch/dispatch_scope.h"

#include "absl/strings/str_cat.h"
#include "common/identity/principal.h"

namespace cmc::dispatch {

bool CoversRecord(const OrgScope& scope, const RecordKeys& keys) {
  if (scope.unrestricted() || scope.CoversCommunity(keys.community_id)) {
    return true;
  }
  for (const std::string& id : keys.institution_ids) {
    if (scope.CoversInstitution(id)) return true;
  }
  return false;
}

bool CoversVillage(const OrgScope& scope, const institution::v1::Village& v) {
  return scope.unrestricted() || scope.CoversCommunity(v.community_id()) ||
         scope.CoversInstitution(v.township_center_id()) ||
         (!v.village_clinic_id().empty() &&
          scope.CoversInstitution(v.village_clinic_id()));
}

absl::Status RequireRecord(const OrgScope& scope, const RecordKeys& keys,
                           absl::string_view field, absl::string_view what) {
  if (CoversRecord(scope, keys)) return absl::OkStatus();
  return OutOfScope(field, what);
}

absl::Status RequireVillage(const OrgScope& scope,
                            const institution::v1::Village& village,
                            absl::string_view field) {
  if (CoversVillage(scope, village)) return absl::OkStatus();
  return OutOfScope(field, absl::StrCat("village ", village.id()));
}

void RestrictQuery(const OrgScope& scope, RecordQuery* query) {
  if (scope.unrestricted()) return;
  query->scope_institutions = scope.InstitutionIds();
  query->scope_communities = std::vector<std::string>(
      scope.Communities().begin(), scope.Communities().end());
}

}  // namespace cmc::dispatch
