// The caller's org scope as the referral service applies it (pure, no I/O,
// thread-safe): which institutions a principal's scope covers once its
// communities are resolved to their members, which referrals it may see, which
// actions it may take, and when it may see a resident ID unmasked. The rules
// are documented in referral.proto (file comment, "Org scope").
//
//   OrgScope scope(principal, {{"com-1", {"ins-a", "ins-b"}}});
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
  // from the map covers nobody).
  OrgScope(
      const Principal& principal,
      const std::map<std::string, std::set<std::string>>& community_members);

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

  // True when `referral` is in scope: the sending or the receiving
  // institution is covered, or it is open to a tier and unclaimed.
  bool CanSee(const v1::Referral& referral) const;

 private:
  bool unrestricted_ = true;
  bool has_community_ = false;
  std::set<std::string> institutions_;            // explicit + members
  std::set<std::string> community_institutions_;  // members only
};

// OK when `scope` lets the caller take `request` on `referral` (see
// referral.proto): the receiver's actions need the receiving institution (the
// acting one while a tier-open referral is unclaimed: PERMISSION_DENIED
// "actor.institution_id" then; the sender for an external hospital), Cancel
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
