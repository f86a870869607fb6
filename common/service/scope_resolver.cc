#include "common/service/scope_resolver.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "common/status.h"

namespace cmc {

absl::StatusOr<OrgScope> ScopeResolver::Resolve(const Principal& who,
                                                absl::Time deadline,
                                                Tiers tiers) const {
  if (who.unrestricted()) return OrgScope::Unrestricted();
  std::map<std::string, std::set<std::string>> members;
  for (const std::string& community : who.communities) {
    CMC_ASSIGN_OR_RETURN(members[community],
                         communities_->Members(community, deadline));
  }
  OrgScope scope = OrgScope::Of(who, members);
  if (tiers == Tiers::kSkip) return scope;
  return AddTiers(scope, deadline);
}

absl::StatusOr<OrgScope> ScopeResolver::AddTiers(const OrgScope& scope,
                                                 absl::Time deadline) const {
  if (scope.tiers_known()) return scope;
  if (institutions_ == nullptr) {
    return absl::FailedPreconditionError(
        "this service resolves no institution tiers");
  }
  CMC_ASSIGN_OR_RETURN(
      std::set<common::v1::Tier> tiers,
      TiersOf(*institutions_, scope.InstitutionIds(), deadline));
  return scope.WithTiers(std::move(tiers));
}

}  // namespace cmc
