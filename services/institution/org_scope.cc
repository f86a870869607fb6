#include "services/institution/org_scope.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace cmc::institution {

OrgScope OrgScope::Unrestricted() {
  OrgScope scope;
  scope.unrestricted_ = true;
  return scope;
}

OrgScope OrgScope::Restricted(const Principal& who,
                              std::map<std::string, std::string> members) {
  OrgScope scope;
  scope.communities_ = who.communities;
  scope.institutions_ = who.institutions;
  // Only members of the principal's own communities count, whatever the
  // caller passed.
  for (auto it = members.begin(); it != members.end();) {
    it = scope.communities_.count(it->second) > 0 ? std::next(it)
                                                  : members.erase(it);
  }
  scope.members_ = std::move(members);
  return scope;
}

OrgScope OrgScope::Of(const Principal& who,
                      std::map<std::string, std::string> members) {
  if (who.unrestricted()) return Unrestricted();
  return Restricted(who, std::move(members));
}

bool OrgScope::CoversCommunity(absl::string_view community_id) const {
  return unrestricted_ || communities_.count(std::string(community_id)) > 0;
}

bool OrgScope::CoversInstitution(absl::string_view institution_id) const {
  if (unrestricted_) return true;
  if (institution_id.empty()) return false;
  const std::string id(institution_id);
  return institutions_.count(id) > 0 || members_.count(id) > 0;
}

bool OrgScope::CoversVillage(const v1::Village& village) const {
  return CoversCommunity(village.community_id()) ||
         CoversInstitution(village.township_center_id()) ||
         CoversInstitution(village.village_clinic_id());
}

bool OrgScope::CoversStaff(const v1::Staff& staff) const {
  return CoversInstitution(staff.institution_id());
}

bool OrgScope::CoversMembership(const v1::Membership& membership) const {
  return CoversCommunity(membership.community_id()) ||
         CoversInstitution(membership.institution_id());
}

bool OrgScope::CoversPosting(const v1::Posting& posting) const {
  return CoversInstitution(posting.from_institution_id()) ||
         CoversInstitution(posting.to_institution_id());
}

bool OrgScope::MayChangePosting(const v1::Posting& posting) const {
  return CoversInstitution(posting.from_institution_id());
}

std::string OrgScope::CommunityOf(absl::string_view institution_id) const {
  const auto it = members_.find(std::string(institution_id));
  return it == members_.end() ? std::string() : it->second;
}

std::set<std::string> OrgScope::Institutions() const {
  std::set<std::string> all = institutions_;
  for (const auto& [institution, community] : members_) all.insert(institution);
  return all;
}

absl::Status OrgScope::RequireCommunity(absl::string_view community_id,
                                        absl::string_view field) const {
  if (CoversCommunity(community_id)) return absl::OkStatus();
  return OutOfScope(field, absl::StrCat("community ", community_id));
}

absl::Status OrgScope::RequireInstitution(absl::string_view institution_id,
                                          absl::string_view field) const {
  if (CoversInstitution(institution_id)) return absl::OkStatus();
  return OutOfScope(field, absl::StrCat("institution ", institution_id));
}

absl::Status OrgScope::RequireCommunityFilter(absl::string_view community_id,
                                              absl::string_view field) const {
  if (community_id.empty()) return absl::OkStatus();
  return RequireCommunity(community_id, field);
}

absl::Status OrgScope::RequireInstitutionFilter(
    absl::string_view institution_id, absl::string_view field) const {
  if (institution_id.empty()) return absl::OkStatus();
  return RequireInstitution(institution_id, field);
}

absl::Status OrgScope::RequireVillage(const v1::Village& village,
                                      absl::string_view field) const {
  if (CoversVillage(village)) return absl::OkStatus();
  return OutOfScope(field,
                    village.id().empty()
                        ? absl::StrCat("a village served by institution ",
                                       village.township_center_id())
                        : absl::StrCat("village ", village.id()));
}

absl::Status OrgScope::RequireStaff(const v1::Staff& staff,
                                    absl::string_view field) const {
  if (CoversStaff(staff)) return absl::OkStatus();
  return OutOfScope(
      field, staff.id().empty()
                 ? absl::StrCat("staff of institution ", staff.institution_id())
                 : absl::StrCat("staff ", staff.id()));
}

absl::Status OrgScope::RequireMembership(const v1::Membership& membership,
                                         absl::string_view field) const {
  if (CoversMembership(membership)) return absl::OkStatus();
  return OutOfScope(field, absl::StrCat("membership ", membership.id()));
}

absl::Status OrgScope::RequirePostingRead(const v1::Posting& posting,
                                          absl::string_view field) const {
  if (CoversPosting(posting)) return absl::OkStatus();
  return OutOfScope(field, absl::StrCat("posting ", posting.id()));
}

absl::Status OrgScope::RequirePostingChange(const v1::Posting& posting,
                                            absl::string_view field) const {
  if (MayChangePosting(posting)) return absl::OkStatus();
  return OutOfScope(field, absl::StrCat("posting ", posting.id()));
}

void OrgScope::Prune(OrgContents& contents) const {
  if (unrestricted_) return;
  auto& institutions = contents.institutions;
  institutions.erase(std::remove_if(institutions.begin(), institutions.end(),
                                    [&](const v1::Institution& i) {
                                      return !CoversInstitution(i.id());
                                    }),
                     institutions.end());
  auto& villages = contents.villages;
  villages.erase(
      std::remove_if(villages.begin(), villages.end(),
                     [&](const v1::Village& v) { return !CoversVillage(v); }),
      villages.end());
}

}  // namespace cmc::institution
