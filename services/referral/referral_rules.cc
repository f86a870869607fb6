#include "services/referral/referral_rules.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/service/county_time.h"
#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::referral {
namespace {

using v1::Referral;
using v1::ReferralStatus;

// The whole life cycle: every (status, action) pair not listed here is
// refused. Accept is allowed straight from REQUESTED because a receiver who
// accepts has evidently received; emergencies are often accepted at once.
// Cancelling stops once the patient has arrived: from then on only the
// receiver can close the loop.
struct TransitionRow {
  ReferralStatus from;
  Action action;
  ReferralStatus to;
};
constexpr TransitionRow kTransitions[] = {
    {v1::REFERRAL_STATUS_APPROVAL_PENDING, Action::kApprove,
     v1::REFERRAL_STATUS_REQUESTED},
    {v1::REFERRAL_STATUS_APPROVAL_PENDING, Action::kReject,
     v1::REFERRAL_STATUS_REJECTED},
    {v1::REFERRAL_STATUS_APPROVAL_PENDING, Action::kCancel,
     v1::REFERRAL_STATUS_CANCELLED},
    {v1::REFERRAL_STATUS_REQUESTED, Action::kReceive,
     v1::REFERRAL_STATUS_RECEIVED},
    {v1::REFERRAL_STATUS_REQUESTED, Action::kAccept,
     v1::REFERRAL_STATUS_ACCEPTED},
    {v1::REFERRAL_STATUS_REQUESTED, Action::kReject,
     v1::REFERRAL_STATUS_REJECTED},
    {v1::REFERRAL_STATUS_REQUESTED, Action::kCancel,
     v1::REFERRAL_STATUS_CANCELLED},
    {v1::REFERRAL_STATUS_REQUESTED, Action::kExpire,
     v1::REFERRAL_STATUS_EXPIRED},
    {v1::REFERRAL_STATUS_RECEIVED, Action::kAccept,
     v1::REFERRAL_STATUS_ACCEPTED},
    {v1::REFERRAL_STATUS_RECEIVED, Action::kReject,
     v1::REFERRAL_STATUS_REJECTED},
    {v1::REFERRAL_STATUS_RECEIVED, Action::kCancel,
     v1::REFERRAL_STATUS_CANCELLED},
    {v1::REFERRAL_STATUS_RECEIVED, Action::kExpire,
     v1::REFERRAL_STATUS_EXPIRED},
    {v1::REFERRAL_STATUS_ACCEPTED, Action::kArrive,
     v1::REFERRAL_STATUS_IN_PROGRESS},
    {v1::REFERRAL_STATUS_ACCEPTED, Action::kCancel,
     v1::REFERRAL_STATUS_CANCELLED},
    {v1::REFERRAL_STATUS_IN_PROGRESS, Action::kComplete,
     v1::REFERRAL_STATUS_COMPLETED},
};

// Out of county ranks above the county tier.
int Rank(common::v1::Tier tier, bool external) {
  return external ? 0 : static_cast<int>(tier);
}

std::string TierName(common::v1::Tier tier) {
  std::string name = common::v1::Tier_Name(tier);
  return name.rfind("TIER_", 0) == 0 ? name.substr(5) : name;
}

absl::Status Denied(absl::string_view why) {
  return FieldError(absl::StatusCode::kPermissionDenied, "actor.institution_id",
                    why);
}

}  // namespace

bool IsTier(common::v1::Tier tier) {
  return tier == common::v1::TIER_COUNTY || tier == common::v1::TIER_TOWNSHIP ||
         tier == common::v1::TIER_VILLAGE;
}

absl::string_view ActionName(Action action) {
  switch (action) {
    case Action::kReceive:
      return "receive";
    case Action::kAccept:
      return "accept";
    case Action::kReject:
      return "reject";
    case Action::kArrive:
      return "arrive";
    case Action::kComplete:
      return "complete";
    case Action::kCancel:
      return "cancel";
    case Action::kApprove:
      return "approve";
    case Action::kExpire:
      return "expire";
  }
  return "unknown";
}

std::string StatusName(ReferralStatus status) {
  std::string name = v1::ReferralStatus_Name(status);
  constexpr absl::string_view kPrefix = "REFERRAL_STATUS_";
  if (name.rfind(std::string(kPrefix), 0) == 0) name.erase(0, kPrefix.size());
  return name.empty() ? absl::StrCat(static_cast<int>(status)) : name;
}

absl::string_view EventType(Action action) {
  switch (action) {
    case Action::kReceive:
      return "referral.ReferralReceived";
    case Action::kAccept:
      return "referral.ReferralAccepted";
    case Action::kReject:
      return "referral.ReferralRejected";
    case Action::kArrive:
      return "referral.ReferralArrived";
    case Action::kComplete:
      return "referral.ReferralCompleted";
    case Action::kCancel:
      return "referral.ReferralCancelled";
    case Action::kApprove:
      return "referral.ReferralApproved";
    case Action::kExpire:
      return "referral.ReferralExpired";
  }
  return "referral.Unknown";
}

bool IsFinal(ReferralStatus status) {
  return status == v1::REFERRAL_STATUS_REJECTED ||
         status == v1::REFERRAL_STATUS_COMPLETED ||
         status == v1::REFERRAL_STATUS_CANCELLED ||
         status == v1::REFERRAL_STATUS_EXPIRED;
}

absl::StatusOr<ReferralStatus> NextStatus(ReferralStatus current,
                                          Action action) {
  std::vector<std::string> allowed_from;
  for (const TransitionRow& row : kTransitions) {
    if (row.action != action) continue;
    if (row.from == current) return row.to;
    allowed_from.push_back(StatusName(row.from));
  }
  absl::Status conflict =
      FieldError(absl::StatusCode::kFailedPrecondition, "id",
                 absl::StrCat("the referral is ", StatusName(current), "; ",
                              ActionName(action), " is allowed only when ",
                              absl::StrJoin(allowed_from, " or ")));
  return WithErrorInfo(std::move(conflict), "REFERRAL_STATUS_CONFLICT",
                       "status", v1::ReferralStatus_Name(current));
}

Side RequiredSide(ReferralStatus current, Action action) {
  switch (action) {
    case Action::kCancel:
      return Side::kSender;
    case Action::kApprove:
      return Side::kApprover;
    case Action::kReject:
      return current == v1::REFERRAL_STATUS_APPROVAL_PENDING ? Side::kApprover
                                                             : Side::kReceiver;
    case Action::kExpire:
      return Side::kSystem;
    case Action::kReceive:
    case Action::kAccept:
    case Action::kArrive:
    case Action::kComplete:
      return Side::kReceiver;
  }
  return Side::kSystem;
}

ReferralStatus InitialStatus(bool external) {
  return external ? v1::REFERRAL_STATUS_APPROVAL_PENDING
                  : v1::REFERRAL_STATUS_REQUESTED;
}

absl::Status CheckDirection(v1::ReferralDirection direction,
                            common::v1::Tier from_tier,
                            common::v1::Tier to_tier, bool external) {
  if (!IsTier(from_tier)) {
    return InvalidField("referral.from_institution_id",
                        "the sending institution has no tier");
  }
  if (!external && !IsTier(to_tier)) {
    return InvalidField("referral.to_tier",
                        absl::StrCat("must be TIER_COUNTY, TIER_TOWNSHIP or "
                                     "TIER_VILLAGE, got ",
                                     static_cast<int>(to_tier)));
  }
  const int from = Rank(from_tier, false);
  const int to = Rank(to_tier, external);
  const std::string target =
      external ? std::string("out of county") : TierName(to_tier);
  switch (direction) {
    case v1::REFERRAL_DIRECTION_UP:
      if (to < from) return absl::OkStatus();
      return InvalidField(
          "referral.direction",
          absl::StrCat("UP must go to a higher tier than the sender's ",
                       TierName(from_tier), ", got ", target));
    case v1::REFERRAL_DIRECTION_DOWN:
      if (external) {
        return InvalidField("referral.direction",
                            "DOWN cannot leave the county");
      }
      if (to > from) return absl::OkStatus();
      return InvalidField(
          "referral.direction",
          absl::StrCat("DOWN must go to a lower tier than the sender's ",
                       TierName(from_tier), ", got ", target));
    default:
      return InvalidField("referral.direction", "must be UP or DOWN");
  }
}

absl::Duration AnswerLimit(v1::ReferralType type, const ExpiryPolicy& policy) {
  switch (type) {
    case v1::REFERRAL_TYPE_EMERGENCY:
      return policy.emergency;
    case v1::REFERRAL_TYPE_INPATIENT:
      return policy.inpatient;
    default:
      return policy.outpatient;
  }
}

std::optional<absl::Time> ExpireTimeOnEntering(
    ReferralStatus status, v1::ReferralType type, absl::Time now,
    std::optional<absl::Time> previous, const ExpiryPolicy& policy) {
  switch (status) {
    case v1::REFERRAL_STATUS_REQUESTED:
      return now + AnswerLimit(type, policy);
    case v1::REFERRAL_STATUS_RECEIVED:
      return previous;
    default:
      return std::nullopt;
  }
}

void InitializeReferral(const std::string& id, absl::Time now,
                        const std::string& principal,
                        const ExpiryPolicy& policy, Referral* referral) {
  const ReferralStatus status =
      InitialStatus(referral->to_case() == Referral::kToExternalHospital);
  referral->set_id(id);
  referral->clear_outcome();
  referral->clear_status_reason();
  referral->set_status(status);
  referral->set_version(1);
  referral->set_receiving_institution_id(referral->to_case() ==
                                                 Referral::kToInstitutionId
                                             ? referral->to_institution_id()
                                             : "");
  ToProtoTime(now, referral->mutable_create_time());
  ToProtoTime(now, referral->mutable_update_time());
  referral->clear_transitions();
  v1::ReferralTransition* step = referral->add_transitions();
  step->set_status(status);
  ToProtoTime(now, step->mutable_time());
  step->set_actor(principal);
  step->set_institution_id(referral->from_institution_id());
  step->set_practitioner(referral->from_practitioner());
  const std::optional<absl::Time> expires =
      ExpireTimeOnEntering(status, referral->type(), now, std::nullopt, policy);
  if (expires.has_value()) {
    ToProtoTime(*expires, referral->mutable_expire_time());
  } else {
    referral->clear_expire_time();
  }
}

Referral MaskedForOutput(const Referral& referral) {
  Referral masked = referral;
  v1::Patient& patient = *masked.mutable_patient();
  patient.set_resident_id(MaskResidentId(patient.resident_id()));
  patient.set_insurance_number(MaskIdentifier(patient.insurance_number()));
  // The birth date would restore the masked digits; only its year shows.
  if (patient.birth_year() == 0) {
    patient.set_birth_year(YearOfIsoDate(patient.birth_date().value()));
  }
  patient.clear_birth_date();
  return masked;
}

bool NeedsActorTier(const Referral& referral, Action action) {
  const Side side = RequiredSide(referral.status(), action);
  if (side == Side::kApprover) return true;
  return side == Side::kReceiver && referral.to_case() == Referral::kToTier &&
         referral.receiving_institution_id().empty();
}

absl::Status CheckActor(const Referral& referral,
                        const ActionRequest& request) {
  const std::string& who = request.institution_id;
  const absl::string_view verb = ActionName(request.action);
  switch (RequiredSide(referral.status(), request.action)) {
    case Side::kSystem:
      return absl::OkStatus();
    case Side::kSender:
      if (who == referral.from_institution_id()) return absl::OkStatus();
      return Denied(absl::StrCat("only the sending institution ",
                                 referral.from_institution_id(), " may ", verb,
                                 " this referral"));
    case Side::kApprover:
      if (request.institution_tier == common::v1::TIER_COUNTY) {
        return absl::OkStatus();
      }
      return Denied(absl::StrCat("only a county-tier institution may ", verb,
                                 " an out-of-county referral awaiting "
                                 "approval; ",
                                 who, " is ",
                                 TierName(request.institution_tier)));
    case Side::kReceiver:
      break;
  }
  // An external hospital has no account here: the sender records its answer.
  if (referral.to_case() == Referral::kToExternalHospital) {
    if (who == referral.from_institution_id()) return absl::OkStatus();
    return Denied(absl::StrCat(
        "the receiver is out of county; only the "
        "sending institution ",
        referral.from_institution_id(), " may ", verb, " on its behalf"));
  }
  if (!referral.receiving_institution_id().empty()) {
    if (who == referral.receiving_institution_id()) return absl::OkStatus();
    return Denied(absl::StrCat("only the receiving institution ",
                               referral.receiving_institution_id(), " may ",
                               verb, " this referral"));
  }
  if (request.institution_tier == referral.to_tier() &&
      who != referral.from_institution_id()) {
    return absl::OkStatus();
  }
  return Denied(absl::StrCat("the referral is open to tier ",
                             TierName(referral.to_tier()), "; ", who, " is ",
                             TierName(request.institution_tier)));
}

absl::Status ApplyAction(const ActionRequest& request, absl::Time now,
                         const ExpiryPolicy& policy, Referral* referral) {
  CMC_ASSIGN_OR_RETURN(const ReferralStatus next,
                       NextStatus(referral->status(), request.action));
  CMC_RETURN_IF_ERROR(CheckActor(*referral, request));
  Referral updated = *referral;
  if (RequiredSide(referral->status(), request.action) == Side::kReceiver &&
      updated.to_case() == Referral::kToTier &&
      updated.receiving_institution_id().empty()) {
    updated.set_receiving_institution_id(request.institution_id);
  }
  updated.set_status(next);
  updated.set_version(referral->version() + 1);
  ToProtoTime(now, updated.mutable_update_time());
  v1::ReferralTransition* step = updated.add_transitions();
  step->set_status(next);
  ToProtoTime(now, step->mutable_time());
  step->set_actor(request.principal);
  step->set_institution_id(request.institution_id);
  step->set_practitioner(request.practitioner);
  step->set_note(request.note);

  std::optional<absl::Time> previous;
  if (referral->has_expire_time()) {
    previous = FromProtoTime(referral->expire_time());
  }
  const std::optional<absl::Time> expires =
      ExpireTimeOnEntering(next, referral->type(), now, previous, policy);
  if (expires.has_value()) {
    ToProtoTime(*expires, updated.mutable_expire_time());
  } else {
    updated.clear_expire_time();
  }
  if (next == v1::REFERRAL_STATUS_REJECTED ||
      next == v1::REFERRAL_STATUS_CANCELLED) {
    updated.set_status_reason(request.note);
  }
  if (request.action == Action::kComplete) {
    *updated.mutable_outcome() = request.outcome;
  }
  *referral = std::move(updated);
  return absl::OkStatus();
}

Involvement InvolvementOf(const Referral& referral,
                          const std::string& institution_id,
                          common::v1::Tier tier) {
  if (referral.from_institution_id() == institution_id) {
    return Involvement::kOutgoing;
  }
  if (referral.receiving_institution_id() == institution_id) {
    return Involvement::kIncoming;
  }
  const bool open_to_its_tier = referral.to_case() == Referral::kToTier &&
                                referral.receiving_institution_id().empty() &&
                                tier != common::v1::TIER_UNSPECIFIED &&
                                referral.to_tier() == tier;
  return open_to_its_tier ? Involvement::kIncoming : Involvement::kNone;
}

}  // namespace cmc::referral
