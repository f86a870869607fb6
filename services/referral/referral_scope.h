// The caller's org scope (cmc::OrgScope, common/service/org_scope.h) as the
// referral service applies it (pure, no I/O, thread-safe): which referrals it
// may see, which actions it may take, and when it may see a resident ID
// unmasked. The rules are documented in referral.proto (file comment, "Org
// scope").
//
//   const OrgScope scope = OrgScope::Of(principal, {{"com-1", {"ins-a"}}},
//                                       std::set{common::v1::TIER_TOWNSHIP});
//   if (!CanSee(scope, referral)) return OutOfScope("id", ...);
//   CMC_RETURN_IF_ERROR(AuthorizeAction(scope, referral, request));
#ifndef CMC_SERVICES_REFERRAL_REFERRAL_SCOPE_H_
#define CMC_SERVICES_REFERRAL_REFERRAL_SCOPE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cmc/common/v1/types.pb.h"
#include "cmc/referral/v1/referral.pb.h"
#include "common/identity/principal.h"
#include "common/service/org_scope.h"
#include "services/referral/referral_rules.h"

namespace cmc::referral {

// True when `referral` is in `scope`: the sending or the receiving
// institution is covered, or it is open to a tier, unclaimed, and the scope
// covers an institution of that tier (which could claim it). A scope whose
// tiers are not resolved fails closed on such a referral: it sees it only
// through its sender.
bool CanSee(const OrgScope& scope, const v1::Referral& referral);

// True when CanSee(scope, referral) depends on the covered tiers: the scope is
// restricted and `referral` is open to a tier, unclaimed, and not sent by a
// covered institution. Claiming never un-claims and the sender never changes,
// so a later version of a referral for which this is false keeps it false.
bool NeedsTiersFor(const OrgScope& scope, const v1::Referral& referral);

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
