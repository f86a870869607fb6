#include "services/institution/org_scope.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"

namespace cmc::institution {

OrgScope ScopeOf(const Principal& who,
                 const std::map<std::string, std::string>& members) {
  std::map<std::string, std::set<std::string>> by_community;
  for (const auto& [institution, community] : members) {
    by_community[community].insert(institution);
  }
  return OrgScope::Of(who, by_community);
}

bool CoversVillage(const OrgScope& scope, const v1::Village& village) {
  return scope.CoversCommunity(village.community_id()) ||
         scope.CoversInstitution(village.township_center_id()) ||
         scope.CoversInstitution(village.village_clinic_id());
}

bool CoversStaff(const OrgScope& scope, const v1::Staff& staff) {
  return scope.CoversInstitution(staff.institution_id());
}

bool CoversMembership(const OrgScope& scope, const v1::Membership& membership) {
  return scope.CoversCommunity(membership.community_id()) ||
         scope.CoversInstitution(membership.institution_id());
}

bool CoversPosting(const OrgScope& scope, const v1::Posting& posting) {
  return scope.CoversInstitution(posting.from_institution_id()) ||
         scope.CoversInstitution(posting.to_institution_id());
}

bool MayChangePosting(const OrgScope& scope, const v1::Posting& posting) {
  return scope.CoversInstitution(posting.from_institution_id());
}

absl::Status RequireVillage(const OrgScope& scope, const v1::Village& village,
                            absl::string_view field) {
  if (CoversVillage(scope, village)) return absl::OkStatus();
  return OutOfScope(field,
                    village.id().empty()
                        ? absl::StrCat("a village served by institution ",
                                       village.township_center_id())
                        : absl::StrCat("village ", village.id()));
}

absl::Status RequireStaff(const OrgScope& scope, const v1::Staff& staff,
                          absl::string_view field) {
  if (CoversStaff(scope, staff)) return absl::OkStatus();
  return OutOfScope(
      field, staff.id().empty()
                 ? absl::StrCat("staff of institution ", staff.institution_id())
                 : absl::StrCat("staff ", staff.id()));
}

absl::Status RequireMembership(const OrgScope& scope,
                               const v1::Membership& membership,
                               absl::string_view field) {
  if (CoversMembership(scope, membership)) return absl::OkStatus();
  return OutOfScope(field, absl::StrCat("membership ", membership.id()));
}

absl::Status RequirePostingRead(const OrgScope& scope,
                                const v1::Posting& posting,
                                absl::string_view field) {
  if (CoversPosting(scope, posting)) return absl::OkStatus();
  return OutOfScope(field, absl::StrCat("posting ", posting.id()));
}

absl::Status RequirePostingChange(const OrgScope& scope,
                                  const v1::Posting& posting,
                                  absl::string_view field) {
  if (MayChangePosting(scope, posting)) return absl::OkStatus();
  return OutOfScope(field, absl::StrCat("posting ", posting.id()));
}

void Prune(const OrgScope& scope, OrgContents& contents) {
  if (scope.unrestricted()) return;
  auto& institutions = contents.institutions;
  institutions.erase(std::remove_if(institutions.begin(), institutions.end(),
                                    [&](const v1::Institution& i) {
                                      return !scope.CoversInstitution(i.id());
                                    }),
                     institutions.end());
  auto& villages = contents.villages;
  villages.erase(std::remove_if(villages.begin(), villages.end(),
                                [&](const v1::Village& v) {
                                  return !CoversVillage(scope, v);
                                }),
                 villages.end());
}

}  // namespace cmc::institution
