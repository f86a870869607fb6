// The caller's org scope as the referral service applies it (pure, no I/O,
// thread-safe): which institutions a principal's scope covers once its
// communities are resolved to their members, which tiers those institutions
// are of, which referrals it may see, which actions it may take, and when it
// may see a resident ID unmasked. The rules are documented in referral.proto
// (file comment, "Org scope").
//
//   OrgScope scope(principal, {{"com-1", {"ins-a", "ins-b"}}},
//                  {common::v1::TIER_TOWNSHIP});
//   if (!scope.CanSee(referral)) return OutOfScope("id", ...);
//   CMC_RETURN_IF_ERROR(AuthorizeAction(scope, referral, request));
#ifndef CMC_SERVICES_REFERRAL_REFERRAL_SCOPE_H_
#define CMC_SERVICES_REFERRAL_REFERRAL_SCOPE_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cmc/common/v1/types.pb.h"
#include "cmc/referral/v1/referral.pb.h"
#include "common/identity/principal.h"
#include "services/referral/referral_rules.h"

namespace cmc::referral {

class OrgScope {
 public:
  // No restriction: an anonymous call (inside the network) or county scope.
  OrgScope() = default;
  // The scope of `principal`; `community_members` maps each of its
  // communities to the ids of their member institutions (a community missing
  // from the map covers nobody); `covered_tiers` are the tiers of the covered
  // institutions (TIER_UNSPECIFIED is ignored). The tiers matter only for
  // unclaimed tier-open referrals (NeedsTiersFor); a scope built without them
  // fails closed: it sees such a referral only through its sender.
  OrgScope(
      const Principal& principal,
      const std::map<std::string, std::set<std::string>>& community_members,
      std::set<common::v1::Tier> covered_tiers = {});

  bool unrestricted() const { return unrestricted_; }
  // True when the scope covers institution `id`: unrestricted, listed as
  // "institution:<id>", or a member of one of the scope's communities.
  bool Covers(absl::string_view id) const;
  // True when the scope covers `id` through a community (or is
  // unrestricted): what approving an out-of-county referral needs.
  bool CoversThroughCommunity(absl::string_view id) const;
  // True when the scope holds a community or is unrestricted: what writing
  // the in-county catalogue needs.
  bool HasCommunityReach() const { return unrestricted_ || has_community_; }
  // The institutions covered, sorted (meaningless when unrestricted).
  std::vector<std::string> InstitutionIds() const;
  // The tiers given at construction (meaningless when unrestricted).
  const std::set<common::v1::Tier>& Tiers() const { return tiers_; }

  // True when `referral` is in scope: the sending or the receiving
  // institution is covered, or it is open to a tier, unclaimed, and the scope
  // covers an institution of that tier (which could claim it).
  bool CanSee(const v1::Referral& referral) const;
  // True when CanSee(referral) depends on the covered tiers: the scope is
  // restricted and `referral` is open to a tier, unclaimed, and not sent by a
  // covered institution. Claiming never un-claims and the sender never
  // changes, so a later version of a referral for which this is false keeps
  // it false.
  bool NeedsTiersFor(const v1::Referral& referral) const;

 private:
  bool unrestricted_ = true;
  bool has_community_ = false;
  std::set<std::string> institutions_;            // explicit + members
  std::set<std::string> community_institutions_;  // members only
  std::set<common::v1::Tier> tiers_;              // of institutions_
};

// OK when `scope` lets the caller take `request` on `referral` (see
// referral.proto): the receiver's actions need the receiving institution (while
// a tier-open referral is unclaimed: that the scope sees it, then the acting
// institution, PERMISSION_DENIED "actor.institution_id" when that is outside;
// the sender for an external hospital), Cancel
// the sender, Approve and Reject while APPROVAL_PENDING a community covering
// the sender. Otherwise PERMISSION_DENIED "id" (cmc::OutOfScope).
absl::Status AuthorizeAction(const OrgScope& scope,
                             const v1::Referral& referral,
                             const ActionRequest& request);

// True when the caller of GetReferral sees `referral`'s resident ID unmasked:
// a principal with role "clinician" whose scope covers the sending or the
// receiving institution.
bool ShowsResidentId(const Principal& principal, const OrgScope& scope,
                     const v1::Referral& referral);

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_REFERRAL_SCOPE_H_
