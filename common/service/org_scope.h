// The caller's org scope, one model for every service (pure, thread-safe
// value): which communities and institutions a call may read or change, once
// the principal's "community:<id>" entries are resolved to their member
// institutions, and, when a rule needs it, which tiers those institutions are
// of.
//
//   "county" or an anonymous call   everything (unrestricted())
//   "community:<C>"                 community C and its member institutions
//   "institution:<I>"               institution I only (not its children)
//
// Each service states what follows from an institution being covered (a
// village, a staff member, a referral, a visit) as free functions over this
// class in its own folder. ScopeResolver (scope_resolver.h) builds it.
//
//   CMC_ASSIGN_OR_RETURN(const OrgScope scope, resolver.Resolve(call));
//   CMC_RETURN_IF_ERROR(scope.RequireInstitution(request.institution_id(),
//                                                "institution_id"));
#ifndef CMC_COMMON_SERVICE_ORG_SCOPE_H_
#define CMC_COMMON_SERVICE_ORG_SCOPE_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cmc/common/v1/types.pb.h"
#include "common/identity/principal.h"

namespace cmc {

class OrgScope {
 public:
  // Covers everything.
  static OrgScope Unrestricted();
  // The scope of `who`: unrestricted when who.unrestricted(), else its
  // institutions and communities, with `community_members` mapping each of
  // its communities to the ids of their member institutions (a community
  // missing from the map covers no institution; communities that are not the
  // principal's are ignored). `tiers`, when given, are the tiers of the
  // covered institutions (TIER_UNSPECIFIED is ignored).
  static OrgScope Of(
      const Principal& who,
      const std::map<std::string, std::set<std::string>>& community_members,
      std::optional<std::set<common::v1::Tier>> tiers = std::nullopt);

  // This scope with the tiers of its institutions known to be `tiers`.
  OrgScope WithTiers(std::set<common::v1::Tier> tiers) const;

  bool unrestricted() const { return unrestricted_; }

  // True when the scope covers community `id`.
  bool CoversCommunity(absl::string_view id) const;
  // True when the scope covers institution `id`: listed as
  // "institution:<id>", or a member of one of the scope's communities.
  bool CoversInstitution(absl::string_view id) const;
  // True when institution `id` is covered through a community (or the scope
  // is unrestricted): what acting for a community needs (approving an
  // out-of-county referral).
  bool CoversThroughCommunity(absl::string_view id) const;
  // True when the scope holds a community or is unrestricted.
  bool HasCommunityReach() const {
    return unrestricted_ || !communities_.empty();
  }
  // The scope's community that institution `id` is a member of, or "".
  std::string CommunityOf(absl::string_view id) const;

  // The communities of the scope (meaningless when unrestricted).
  const std::set<std::string>& Communities() const { return communities_; }
  // Every institution covered, sorted: the principal's institutions and the
  // members of its communities (meaningless when unrestricted).
  const std::set<std::string>& Institutions() const { return institutions_; }
  std::vector<std::string> InstitutionIds() const {
    return {institutions_.begin(), institutions_.end()};
  }
  // Whether the tiers of the covered institutions were resolved, and which
  // they are (empty when not resolved or unrestricted).
  bool tiers_known() const { return tiers_known_; }
  const std::set<common::v1::Tier>& Tiers() const { return tiers_; }
  bool CoversTier(common::v1::Tier tier) const { return tiers_.count(tier); }

  // OK when covered, else cmc::OutOfScope(field, ...) (PERMISSION_DENIED
  // naming `field`, ErrorInfo OUT_OF_SCOPE).
  absl::Status RequireCommunity(absl::string_view id,
                                absl::string_view field) const;
  absl::Status RequireInstitution(absl::string_view id,
                                  absl::string_view field) const;
  // The same for a List request's optional filter: an empty id (no filter)
  // is OK.
  absl::Status RequireCommunityFilter(absl::string_view id,
                                      absl::string_view field) const;
  absl::Status RequireInstitutionFilter(absl::string_view id,
                                        absl::string_view field) const;

 private:
  bool unrestricted_ = false;
  bool tiers_known_ = false;
  std::set<std::string> communities_;
  std::set<std::string> institutions_;               // explicit + members
  std::map<std::string, std::string> community_of_;  // member -> community
  std::set<common::v1::Tier> tiers_;
};

}  // namespace cmc

#endif  // CMC_COMMON_SERVICE_ORG_SCOPE_H_
