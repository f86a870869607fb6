// The referral's life cycle as pure rules (no I/O, thread-safe): which action
// is allowed in which status and what status it leads to, which side may take
// it, whether a direction fits the tiers, and when an unanswered referral
// expires. The store applies them inside its transaction; the handlers only
// gather what the rules need (the acting institution's tier).
//
//   CMC_RETURN_IF_ERROR(CheckDirection(direction, from_tier, to_tier,
//                                      /*external=*/false));
//   ActionRequest request{Action::kAccept, "ins-1", ...};
//   CMC_RETURN_IF_ERROR(ApplyAction(request, absl::Now(), policy, &referral));
#ifndef CMC_SERVICES_REFERRAL_REFERRAL_RULES_H_
#define CMC_SERVICES_REFERRAL_REFERRAL_RULES_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cmc/common/v1/types.pb.h"
#include "cmc/referral/v1/referral.pb.h"

namespace cmc::referral {

// What can happen to a referral after it is created. kExpire is taken only by
// the system (the expiry sweep), never by a caller.
enum class Action {
  kReceive,
  kAccept,
  kReject,
  kArrive,
  kComplete,
  kCancel,
  kApprove,
  kExpire,
};

// Every action, for tables and tests.
inline constexpr Action kAllActions[] = {
    Action::kReceive,  Action::kAccept, Action::kReject,  Action::kArrive,
    Action::kComplete, Action::kCancel, Action::kApprove, Action::kExpire,
};

// Who may take an action.
enum class Side {
  kSender,    // the sending institution
  kReceiver,  // the receiving institution (the sender for an external one)
  kApprover,  // a county-tier institution (out-of-county approval)
  kSystem,    // the service itself (expiry)
};

// "receive", "accept", ...: for messages.
absl::string_view ActionName(Action action);
// "REQUESTED", "APPROVAL_PENDING", ...: the status name without its prefix.
std::string StatusName(v1::ReferralStatus status);
// The outbox event type of an action: "referral.ReferralAccepted", ...
absl::string_view EventType(Action action);
// True for REJECTED, COMPLETED, CANCELLED and EXPIRED: nothing follows them.
bool IsFinal(v1::ReferralStatus status);

// The status `action` leads to from `current`. FAILED_PRECONDITION naming
// "id", whose message names the current status and which carries an ErrorInfo
// (reason "REFERRAL_STATUS_CONFLICT", metadata "status" = the full enum name),
// when the table has no such transition.
absl::StatusOr<v1::ReferralStatus> NextStatus(v1::ReferralStatus current,
                                              Action action);

// The side that may take `action` in `current`: Reject is the approver's while
// APPROVAL_PENDING and the receiver's otherwise. Meaningful only where
// NextStatus allows the action.
Side RequiredSide(v1::ReferralStatus current, Action action);

// The status a new referral starts in: APPROVAL_PENDING when it leaves the
// county (it spends the community's insurance budget, so the county approves
// it first), REQUESTED otherwise.
v1::ReferralStatus InitialStatus(bool external);

// True for the three tiers of a county medical community (county, township,
// village); false for TIER_UNSPECIFIED and unknown values.
bool IsTier(common::v1::Tier tier);

// OK when `direction` fits the tiers: UP goes to a strictly higher tier
// (village 3 -> township 2 -> county 1) or out of the county; DOWN goes to a
// strictly lower tier and never out of the county. `to_tier` is ignored when
// `external`. INVALID_ARGUMENT naming "referral.direction" otherwise (or
// "referral.to_tier" when it is not a tier).
absl::Status CheckDirection(v1::ReferralDirection direction,
                            common::v1::Tier from_tier,
                            common::v1::Tier to_tier, bool external);

// How long the receiving side has to answer, per type. Local practice varies,
// so every county configures these; the defaults follow the issue (emergency
// 30 minutes, others 24 hours).
struct ExpiryPolicy {
  absl::Duration emergency = absl::Minutes(30);
  absl::Duration outpatient = absl::Hours(24);
  absl::Duration inpatient = absl::Hours(24);
};

// The answer limit of `type` under `policy`.
absl::Duration AnswerLimit(v1::ReferralType type, const ExpiryPolicy& policy);

// The expiry deadline of a referral that has just entered `status` at `now`,
// given its deadline before (`previous`, nullopt when none). The clock starts
// when the referral is sent (REQUESTED, on create or on approval); receiving
// it does not answer it, so RECEIVED keeps the deadline; every other status
// has none (approval is the county's delay, not the receiver's, and an
// accepted referral has been answered).
std::optional<absl::Time> ExpireTimeOnEntering(
    v1::ReferralStatus status, v1::ReferralType type, absl::Time now,
    std::optional<absl::Time> previous, const ExpiryPolicy& policy);

// A caller's (or the sweep's) action on one referral, with what the rules
// need to judge it.
struct ActionRequest {
  Action action = Action::kReceive;
  // The institution acting (Actor.institution_id); empty for kExpire.
  std::string institution_id;
  // The acting institution's tier, when known; needed only where
  // NeedsActorTier says so.
  common::v1::Tier institution_tier = common::v1::TIER_UNSPECIFIED;
  std::string practitioner;
  // The principal subject recorded as the transition's actor.
  std::string principal;
  // The note or reason given with the action.
  std::string note;
  // For kComplete: the outcome sent back.
  v1::ReferralOutcome outcome;
};

// Completes a validated new referral for storing: `id`, the initial status,
// version 1, create and update time `now`, the first transition (by
// `principal` for the sending institution and practitioner), the expiry
// deadline, and the receiving institution when it is addressed directly.
void InitializeReferral(const std::string& id, absl::Time now,
                        const std::string& principal,
                        const ExpiryPolicy& policy, v1::Referral* referral);

// `referral` as callers see it, in responses and event payloads: the
// patient's resident ID masked (first 6 and last 4 characters).
v1::Referral MaskedForOutput(const v1::Referral& referral);

// True when judging `action` on `referral` needs the acting institution's
// tier: the approver's actions, and receiving or accepting a referral open to
// a tier that no institution has claimed yet.
bool NeedsActorTier(const v1::Referral& referral, Action action);

// PERMISSION_DENIED naming "actor.institution_id" when `request`'s institution
// is not on the side that may take its action on `referral`. Assumes the
// transition itself is allowed.
absl::Status CheckActor(const v1::Referral& referral,
                        const ActionRequest& request);

// How an institution is involved in a referral, for WatchReferrals.
enum class Involvement {
  kNone,
  kOutgoing,  // it sent the referral
  kIncoming,  // addressed to it, received by it, or open to its tier and
              // not received by anyone yet
};

// How institution `institution_id`, of tier `tier`, is involved in
// `referral`. The sender's side wins for a referral it also receives.
Involvement InvolvementOf(const v1::Referral& referral,
                          const std::string& institution_id,
                          common::v1::Tier tier);

// Applies `request` to `referral` at `now`: checks the transition table, then
// the actor's side, then updates status, version (+1), the transition list,
// update_time, expire_time, the receiving institution (claimed by the first
// receiver of a tier-open referral), status_reason and outcome. On error the
// referral is unchanged.
absl::Status ApplyAction(const ActionRequest& request, absl::Time now,
                         const ExpiryPolicy& policy, v1::Referral* referral);

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_REFERRAL_RULES_H_
