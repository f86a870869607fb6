#include "common/service/org_scope.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace cmc {

OrgScope OrgScope::Unrestricted() {
  OrgScope scope;
  scope.unrestricted_ = true;
  scope.tiers_known_ = true;  // nothing to know: every tier is covered
  return scope;
}

OrgScope OrgScope::Of(
    const Principal& who,
    const std::map<std::string, std::set<std::string>>& community_members,
    std::optional<std::set<common::v1::Tier>> tiers) {
  if (who.unrestricted()) return Unrestricted();
  OrgScope scope;
  scope.communities_ = who.communities;
  scope.institutions_ = who.institutions;
  for (const std::string& community : who.communities) {
    auto it = community_members.find(community);
    if (it == community_members.end()) continue;
    for (const std::string& member : it->second) {
      scope.institutions_.insert(member);
      scope.community_of_.emplace(member, community);
    }
  }
  if (tiers.has_value()) return scope.WithTiers(*std::move(tiers));
  return scope;
}

OrgScope OrgScope::WithTiers(std::set<common::v1::Tier> tiers) const {
  OrgScope scope = *this;
  if (unrestricted_) return scope;
  scope.tiers_known_ = true;
  scope.tiers_ = std::move(tiers);
  // No rule is about "no tier"; an institution without one covers none.
  scope.tiers_.erase(common::v1::TIER_UNSPECIFIED);
  return scope;
}

bool OrgScope::CoversCommunity(absl::string_view id) const {
  return unrestricted_ || (!id.empty() && communities_.count(std::string(id)));
}

bool OrgScope::CoversInstitution(absl::string_view id) const {
  return unrestricted_ || (!id.empty() && institutions_.count(std::string(id)));
}

bool OrgScope::CoversThroughCommunity(absl::string_view id) const {
  return unrestricted_ || (!id.empty() && community_of_.count(std::string(id)));
}

std::string OrgScope::CommunityOf(absl::string_view id) const {
  const auto it = community_of_.find(std::string(id));
  return it == community_of_.end() ? std::string() : it->second;
}

absl::Status OrgScope::RequireCommunity(absl::string_view id,
                                        absl::string_view field) const {
  if (CoversCommunity(id)) return absl::OkStatus();
  return OutOfScope(field, absl::StrCat("community ", id));
}

absl::Status OrgScope::RequireInstitution(absl::string_view id,
                                          absl::string_view field) const {
  if (CoversInstitution(id)) return absl::OkStatus();
  return OutOfScope(field, absl::StrCat("institution ", id));
}

absl::Status OrgScope::RequireCommunityFilter(absl::string_view id,
                                              absl::string_view field) const {
  if (id.empty()) return absl::OkStatus();
  return RequireCommunity(id, field);
}

absl::Status OrgScope::RequireInstitutionFilter(absl::string_view id,
                                                absl::string_view field) const {
  if (id.empty()) return absl::OkStatus();
  return RequireInstitution(id, field);
}

}  // namespace cmc
