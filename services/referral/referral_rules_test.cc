#include "services/referral/referral_rules.h"

#include <gtest/gtest.h>

#include <string>

#include "common/service/county_time.h"
#include "common/status.h"
#include "google/rpc/error_details.pb.h"

namespace cmc::referral {
namespace {

using common::v1::Tier;
using v1::Referral;
using v1::ReferralStatus;

constexpr ReferralStatus kAllStatuses[] = {
    v1::REFERRAL_STATUS_UNSPECIFIED, v1::REFERRAL_STATUS_REQUESTED,
    v1::REFERRAL_STATUS_RECEIVED,    v1::REFERRAL_STATUS_ACCEPTED,
    v1::REFERRAL_STATUS_REJECTED,    v1::REFERRAL_STATUS_IN_PROGRESS,
    v1::REFERRAL_STATUS_COMPLETED,   v1::REFERRAL_STATUS_CANCELLED,
    v1::REFERRAL_STATUS_EXPIRED,     v1::REFERRAL_STATUS_APPROVAL_PENDING,
};

// The expected life cycle, written out independently of the implementation's
// table: row = current status (kAllStatuses order), column = action
// (kAllActions order), "-" = refused.
constexpr const char* kExpected[10][8] = {
    // receive    accept      reject      arrive         complete     cancel
    // approve      expire
    {"-", "-", "-", "-", "-", "-", "-", "-"},  // UNSPECIFIED
    {"RECEIVED", "ACCEPTED", "REJECTED", "-", "-", "CANCELLED", "-",
     "EXPIRED"},  // REQUESTED
    {"-", "ACCEPTED", "REJECTED", "-", "-", "CANCELLED", "-",
     "EXPIRED"},                                                 // RECEIVED
    {"-", "-", "-", "IN_PROGRESS", "-", "CANCELLED", "-", "-"},  // ACCEPTED
    {"-", "-", "-", "-", "-", "-", "-", "-"},                    // REJECTED
    {"-", "-", "-", "-", "COMPLETED", "-", "-", "-"},            // IN_PROGRESS
    {"-", "-", "-", "-", "-", "-", "-", "-"},                    // COMPLETED
    {"-", "-", "-", "-", "-", "-", "-", "-"},                    // CANCELLED
    {"-", "-", "-", "-", "-", "-", "-", "-"},                    // EXPIRED
    {"-", "-", "REJECTED", "-", "-", "CANCELLED", "REQUESTED",
     "-"},  // APPROVAL_PENDING
};

std::string ErrorInfoStatus(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorInfoTypeUrl);
  if (!payload.has_value()) return "";
  google::rpc::ErrorInfo info;
  if (!info.ParseFromString(std::string(*payload))) return "";
  return info.reason() + "/" + info.metadata().at("status");
}

TEST(ReferralNextStatusTest, EveryStatusTimesEveryActionFollowsTheTable) {
  int allowed = 0;
  for (int s = 0; s < 10; ++s) {
    for (int a = 0; a < 8; ++a) {
      const ReferralStatus current = kAllStatuses[s];
      const Action action = kAllActions[a];
      const std::string expected = kExpected[s][a];
      SCOPED_TRACE(StatusName(current) + " x " +
                   std::string(ActionName(action)));
      absl::StatusOr<ReferralStatus> next = NextStatus(current, action);
      if (expected == "-") {
        ASSERT_FALSE(next.ok());
        EXPECT_EQ(next.status().code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_EQ(BadField(next.status()), "id");
        EXPECT_NE(next.status().message().find("the referral is " +
                                               StatusName(current)),
                  absl::string_view::npos)
            << next.status().message();
        EXPECT_EQ(
            ErrorInfoStatus(next.status()),
            "REFERRAL_STATUS_CONFLICT/" + v1::ReferralStatus_Name(current));
      } else {
        ++allowed;
        ASSERT_TRUE(next.ok()) << next.status();
        EXPECT_EQ(StatusName(*next), expected);
      }
    }
  }
  EXPECT_EQ(allowed, 15);
}

TEST(ReferralNextStatusTest, RefusalNamesTheStatusesTheActionNeeds) {
  absl::StatusOr<ReferralStatus> next =
      NextStatus(v1::REFERRAL_STATUS_COMPLETED, Action::kAccept);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().message(),
            "id: the referral is COMPLETED; accept is allowed only when "
            "REQUESTED or RECEIVED");
}

TEST(ReferralIsFinalTest, FinalStatusesAreThoseWithNoWayOut) {
  for (int s = 0; s < 10; ++s) {
    bool any_way_out = false;
    for (int a = 0; a < 8; ++a) any_way_out |= kExpected[s][a][0] != '-';
    const ReferralStatus status = kAllStatuses[s];
    if (status == v1::REFERRAL_STATUS_UNSPECIFIED) continue;
    EXPECT_EQ(IsFinal(status), !any_way_out) << StatusName(status);
  }
}

TEST(ReferralInitialStatusTest, OutOfCountyNeedsApprovalFirst) {
  EXPECT_EQ(InitialStatus(/*external=*/true),
            v1::REFERRAL_STATUS_APPROVAL_PENDING);
  EXPECT_EQ(InitialStatus(/*external=*/false), v1::REFERRAL_STATUS_REQUESTED);
}

TEST(ReferralEventTypeTest, OneEventTypePerAction) {
  EXPECT_EQ(EventType(Action::kReceive), "referral.ReferralReceived");
  EXPECT_EQ(EventType(Action::kAccept), "referral.ReferralAccepted");
  EXPECT_EQ(EventType(Action::kReject), "referral.ReferralRejected");
  EXPECT_EQ(EventType(Action::kArrive), "referral.ReferralArrived");
  EXPECT_EQ(EventType(Action::kComplete), "referral.ReferralCompleted");
  EXPECT_EQ(EventType(Action::kCancel), "referral.ReferralCancelled");
  EXPECT_EQ(EventType(Action::kApprove), "referral.ReferralApproved");
  EXPECT_EQ(EventType(Action::kExpire), "referral.ReferralExpired");
}

struct DirectionCase {
  v1::ReferralDirection direction;
  Tier from;
  Tier to;
  bool external;
  const char* bad_field;  // "" when allowed
};

TEST(ReferralCheckDirectionTest, UpGoesHigherDownGoesLower) {
  using common::v1::TIER_COUNTY;
  using common::v1::TIER_TOWNSHIP;
  using common::v1::TIER_UNSPECIFIED;
  using common::v1::TIER_VILLAGE;
  constexpr auto kUp = v1::REFERRAL_DIRECTION_UP;
  constexpr auto kDown = v1::REFERRAL_DIRECTION_DOWN;
  const DirectionCase cases[] = {
      {kUp, TIER_VILLAGE, TIER_TOWNSHIP, false, ""},
      {kUp, TIER_VILLAGE, TIER_COUNTY, false, ""},
      {kUp, TIER_TOWNSHIP, TIER_COUNTY, false, ""},
      {kUp, TIER_VILLAGE, TIER_UNSPECIFIED, true, ""},
      {kUp, TIER_TOWNSHIP, TIER_UNSPECIFIED, true, ""},
      {kUp, TIER_COUNTY, TIER_UNSPECIFIED, true, ""},
      {kUp, TIER_COUNTY, TIER_COUNTY, false, "referral.direction"},
      {kUp, TIER_TOWNSHIP, TIER_TOWNSHIP, false, "referral.direction"},
      {kUp, TIER_TOWNSHIP, TIER_VILLAGE, false, "referral.direction"},
      {kUp, TIER_COUNTY, TIER_VILLAGE, false, "referral.direction"},
      {kDown, TIER_COUNTY, TIER_TOWNSHIP, false, ""},
      {kDown, TIER_COUNTY, TIER_VILLAGE, false, ""},
      {kDown, TIER_TOWNSHIP, TIER_VILLAGE, false, ""},
      {kDown, TIER_VILLAGE, TIER_VILLAGE, false, "referral.direction"},
      {kDown, TIER_TOWNSHIP, TIER_COUNTY, false, "referral.direction"},
      {kDown, TIER_COUNTY, TIER_COUNTY, false, "referral.direction"},
      {kDown, TIER_COUNTY, TIER_UNSPECIFIED, true, "referral.direction"},
      {v1::REFERRAL_DIRECTION_UNSPECIFIED, TIER_VILLAGE, TIER_COUNTY, false,
       "referral.direction"},
      {kUp, TIER_VILLAGE, TIER_UNSPECIFIED, false, "referral.to_tier"},
      {kUp, TIER_VILLAGE, static_cast<Tier>(7), false, "referral.to_tier"},
      {kUp, TIER_UNSPECIFIED, TIER_COUNTY, false,
       "referral.from_institution_id"},
  };
  for (const DirectionCase& c : cases) {
    const absl::Status status =
        CheckDirection(c.direction, c.from, c.to, c.external);
    SCOPED_TRACE(v1::ReferralDirection_Name(c.direction) + " " +
                 common::v1::Tier_Name(c.from) + " -> " +
                 (c.external ? "external" : common::v1::Tier_Name(c.to)));
    if (std::string(c.bad_field).empty()) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(BadField(status), c.bad_field) << status;
    }
  }
}

TEST(ReferralExpiryTest, AnswerLimitsPerTypeAreConfigurable) {
  const ExpiryPolicy defaults;
  EXPECT_EQ(AnswerLimit(v1::REFERRAL_TYPE_EMERGENCY, defaults),
            absl::Minutes(30));
  EXPECT_EQ(AnswerLimit(v1::REFERRAL_TYPE_OUTPATIENT, defaults),
            absl::Hours(24));
  EXPECT_EQ(AnswerLimit(v1::REFERRAL_TYPE_INPATIENT, defaults),
            absl::Hours(24));
  ExpiryPolicy custom;
  custom.emergency = absl::Minutes(10);
  custom.outpatient = absl::Hours(48);
  custom.inpatient = absl::Hours(12);
  EXPECT_EQ(AnswerLimit(v1::REFERRAL_TYPE_EMERGENCY, custom),
            absl::Minutes(10));
  EXPECT_EQ(AnswerLimit(v1::REFERRAL_TYPE_OUTPATIENT, custom), absl::Hours(48));
  EXPECT_EQ(AnswerLimit(v1::REFERRAL_TYPE_INPATIENT, custom), absl::Hours(12));
}

TEST(ReferralExpiryTest, ClockStartsWhenSentAndStopsWhenAnswered) {
  const ExpiryPolicy policy;
  const absl::Time now = absl::FromUnixSeconds(1732270000);
  const absl::Time earlier = now - absl::Minutes(5);
  EXPECT_EQ(ExpireTimeOnEntering(v1::REFERRAL_STATUS_REQUESTED,
                                 v1::REFERRAL_TYPE_EMERGENCY, now, std::nullopt,
                                 policy),
            now + absl::Minutes(30));
  EXPECT_EQ(ExpireTimeOnEntering(v1::REFERRAL_STATUS_REQUESTED,
                                 v1::REFERRAL_TYPE_INPATIENT, now, std::nullopt,
                                 policy),
            now + absl::Hours(24));
  EXPECT_EQ(
      ExpireTimeOnEntering(v1::REFERRAL_STATUS_RECEIVED,
                           v1::REFERRAL_TYPE_EMERGENCY, now, earlier, policy),
      earlier)
      << "receiving does not restart the clock";
  for (ReferralStatus status : kAllStatuses) {
    if (status == v1::REFERRAL_STATUS_REQUESTED ||
        status == v1::REFERRAL_STATUS_RECEIVED) {
      continue;
    }
    EXPECT_EQ(ExpireTimeOnEntering(status, v1::REFERRAL_TYPE_OUTPATIENT, now,
                                   earlier, policy),
              std::nullopt)
        << StatusName(status);
  }
}

// A referral from ins-from in `status`, addressed to ins-to, to the township
// tier, or out of county.
enum class Target { kInstitution, kTier, kExternal };
Referral MakeReferral(ReferralStatus status, Target target) {
  Referral referral;
  referral.set_id("ref-1");
  referral.set_type(v1::REFERRAL_TYPE_OUTPATIENT);
  referral.set_from_institution_id("ins-from");
  referral.set_status(status);
  referral.set_version(3);
  switch (target) {
    case Target::kInstitution:
      referral.set_to_institution_id("ins-to");
      referral.set_receiving_institution_id("ins-to");
      break;
    case Target::kTier:
      referral.set_to_tier(common::v1::TIER_TOWNSHIP);
      break;
    case Target::kExternal:
      referral.mutable_to_external_hospital()->set_uscc("91110000600037341L");
      break;
  }
  return referral;
}

ActionRequest By(Action action, const std::string& institution,
                 Tier tier = common::v1::TIER_UNSPECIFIED) {
  ActionRequest request;
  request.action = action;
  request.institution_id = institution;
  request.institution_tier = tier;
  request.principal = "user:tester";
  request.note = "note";
  return request;
}

// For every allowed cell of the table and every kind of target: the right
// side succeeds and moves the referral to the expected status; the wrong side
// is PERMISSION_DENIED naming actor.institution_id and changes nothing.
TEST(ReferralApplyActionTest, EveryAllowedTransitionChecksTheActingSide) {
  const absl::Time now = absl::FromUnixSeconds(1732270000);
  for (int s = 0; s < 10; ++s) {
    for (int a = 0; a < 8; ++a) {
      if (kExpected[s][a][0] == '-') continue;
      for (Target target :
           {Target::kInstitution, Target::kTier, Target::kExternal}) {
        const ReferralStatus status = kAllStatuses[s];
        const Action action = kAllActions[a];
        SCOPED_TRACE(StatusName(status) + " x " +
                     std::string(ActionName(action)) + " target " +
                     std::to_string(static_cast<int>(target)));
        ActionRequest right;
        ActionRequest wrong;
        switch (RequiredSide(status, action)) {
          case Side::kSender:
            right = By(action, "ins-from");
            wrong = By(action, "ins-to", common::v1::TIER_TOWNSHIP);
            break;
          case Side::kApprover:
            right = By(action, "ins-county", common::v1::TIER_COUNTY);
            wrong = By(action, "ins-from", common::v1::TIER_TOWNSHIP);
            break;
          case Side::kSystem:
            right = By(action, "");
            break;
          case Side::kReceiver:
            right = target == Target::kExternal
                        ? By(action, "ins-from")
                        : By(action, "ins-to", common::v1::TIER_TOWNSHIP);
            wrong = By(action, "ins-other", common::v1::TIER_VILLAGE);
            break;
        }
        if (!wrong.institution_id.empty()) {
          Referral referral = MakeReferral(status, target);
          const Referral before = referral;
          const absl::Status denied =
              ApplyAction(wrong, now, ExpiryPolicy(), &referral);
          EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied)
              << denied;
          EXPECT_EQ(BadField(denied), "actor.institution_id");
          EXPECT_EQ(referral.SerializeAsString(), before.SerializeAsString());
        }
        Referral referral = MakeReferral(status, target);
        const absl::Status ok =
            ApplyAction(right, now, ExpiryPolicy(), &referral);
        ASSERT_TRUE(ok.ok()) << ok;
        EXPECT_EQ(StatusName(referral.status()), kExpected[s][a]);
        EXPECT_EQ(referral.version(), 4);
        ASSERT_EQ(referral.transitions_size(), 1);
        EXPECT_EQ(referral.transitions(0).status(), referral.status());
        EXPECT_EQ(referral.transitions(0).actor(), "user:tester");
        EXPECT_EQ(referral.transitions(0).institution_id(),
                  right.institution_id);
        EXPECT_EQ(FromProtoTime(referral.update_time()), now);
      }
    }
  }
}

TEST(ReferralApplyActionTest, FirstReceiverOfTheTierClaimsAnOpenReferral) {
  const absl::Time now = absl::FromUnixSeconds(1732270000);
  Referral referral =
      MakeReferral(v1::REFERRAL_STATUS_REQUESTED, Target::kTier);
  EXPECT_TRUE(NeedsActorTier(referral, Action::kReceive));
  ASSERT_TRUE(
      ApplyAction(By(Action::kReceive, "ins-a", common::v1::TIER_TOWNSHIP), now,
                  ExpiryPolicy(), &referral)
          .ok());
  EXPECT_EQ(referral.receiving_institution_id(), "ins-a");
  EXPECT_FALSE(NeedsActorTier(referral, Action::kAccept));
  const absl::Status other =
      ApplyAction(By(Action::kAccept, "ins-b", common::v1::TIER_TOWNSHIP), now,
                  ExpiryPolicy(), &referral);
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied) << other;
  EXPECT_TRUE(
      ApplyAction(By(Action::kAccept, "ins-a"), now, ExpiryPolicy(), &referral)
          .ok());
}

TEST(ReferralApplyActionTest,
     NeedsActorTierOnlyForApproverAndUnclaimedTierTargets) {
  const Referral pending =
      MakeReferral(v1::REFERRAL_STATUS_APPROVAL_PENDING, Target::kExternal);
  EXPECT_TRUE(NeedsActorTier(pending, Action::kApprove));
  EXPECT_TRUE(NeedsActorTier(pending, Action::kReject));
  EXPECT_FALSE(NeedsActorTier(pending, Action::kCancel));
  const Referral direct =
      MakeReferral(v1::REFERRAL_STATUS_REQUESTED, Target::kInstitution);
  EXPECT_FALSE(NeedsActorTier(direct, Action::kAccept));
  EXPECT_FALSE(NeedsActorTier(direct, Action::kReject));
}

TEST(ReferralApplyActionTest, ReasonsOutcomeAndDeadlinesAreRecorded) {
  const absl::Time created = absl::FromUnixSeconds(1732270000);
  const absl::Time later = created + absl::Minutes(7);
  Referral referral =
      MakeReferral(v1::REFERRAL_STATUS_APPROVAL_PENDING, Target::kExternal);
  referral.set_type(v1::REFERRAL_TYPE_EMERGENCY);
  ASSERT_TRUE(
      ApplyAction(By(Action::kApprove, "ins-c", common::v1::TIER_COUNTY), later,
                  ExpiryPolicy(), &referral)
          .ok());
  EXPECT_EQ(referral.status(), v1::REFERRAL_STATUS_REQUESTED);
  EXPECT_EQ(FromProtoTime(referral.expire_time()), later + absl::Minutes(30))
      << "the answer clock starts at approval";
  ActionRequest cancel = By(Action::kCancel, "ins-from");
  cancel.note = "patient chose another hospital";
  ASSERT_TRUE(ApplyAction(cancel, later, ExpiryPolicy(), &referral).ok());
  EXPECT_EQ(referral.status_reason(), "patient chose another hospital");
  EXPECT_FALSE(referral.has_expire_time());

  Referral loop =
      MakeReferral(v1::REFERRAL_STATUS_IN_PROGRESS, Target::kInstitution);
  ActionRequest complete = By(Action::kComplete, "ins-to");
  complete.outcome.set_summary("recovered; continue follow-up");
  complete.outcome.mutable_diagnosis()->set_icd10_code("I10");
  ASSERT_TRUE(ApplyAction(complete, later, ExpiryPolicy(), &loop).ok());
  EXPECT_EQ(loop.status(), v1::REFERRAL_STATUS_COMPLETED);
  EXPECT_EQ(loop.outcome().summary(), "recovered; continue follow-up");
  EXPECT_EQ(loop.outcome().diagnosis().icd10_code(), "I10");
}

TEST(ReferralProtoTimeTest, RoundTripsMicroseconds) {
  const absl::Time t = absl::FromUnixMicros(1732270000123456);
  google::protobuf::Timestamp proto;
  ToProtoTime(t, &proto);
  EXPECT_EQ(proto.seconds(), 1732270000);
  EXPECT_EQ(proto.nanos(), 123456000);
  EXPECT_EQ(FromProtoTime(proto), t);
}

TEST(ReferralInvolvementTest, SenderReceiverAndOpenTierAreInvolved) {
  Referral addressed;
  addressed.set_from_institution_id("ins-village");
  addressed.set_to_institution_id("ins-town");
  addressed.set_receiving_institution_id("ins-town");
  Referral open;
  open.set_from_institution_id("ins-village");
  open.set_to_tier(common::v1::TIER_TOWNSHIP);
  Referral claimed = open;
  claimed.set_receiving_institution_id("ins-town2");

  struct Case {
    std::string name;
    const Referral* referral;
    std::string institution;
    common::v1::Tier tier;
    Involvement want;
  };
  const Case cases[] = {
      {"sender", &addressed, "ins-village", common::v1::TIER_VILLAGE,
       Involvement::kOutgoing},
      {"addressee", &addressed, "ins-town", common::v1::TIER_TOWNSHIP,
       Involvement::kIncoming},
      {"same tier, not addressed", &addressed, "ins-town2",
       common::v1::TIER_TOWNSHIP, Involvement::kNone},
      {"open to its tier", &open, "ins-town2", common::v1::TIER_TOWNSHIP,
       Involvement::kIncoming},
      {"open to another tier", &open, "ins-county", common::v1::TIER_COUNTY,
       Involvement::kNone},
      {"tier unknown", &open, "ins-town2", common::v1::TIER_UNSPECIFIED,
       Involvement::kNone},
      {"claimed by it", &claimed, "ins-town2", common::v1::TIER_TOWNSHIP,
       Involvement::kIncoming},
      {"claimed by another", &claimed, "ins-town", common::v1::TIER_TOWNSHIP,
       Involvement::kNone},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(InvolvementOf(*c.referral, c.institution, c.tier), c.want)
        << c.name;
  }
}

}  // namespace
}  // namespace cmc::referral
