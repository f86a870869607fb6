#include "services/indicator/referral_feed.h"

#include <gtest/gtest.h>

#include <string>

#include "cmc/referral/v1/referral.pb.h"

namespace cmc::indicator {
namespace {

namespace ref = cmc::referral::v1;

common::v1::Event Event(const std::string& type,
                        ref::ReferralDirection direction,
                        ref::ReferralType kind, int64_t unix_seconds,
                        const std::string& from = "ins-lead") {
  ref::Referral referral;
  referral.set_id("ref-1");
  referral.set_direction(direction);
  referral.set_type(kind);
  referral.set_from_institution_id(from);
  common::v1::Event event;
  event.set_sequence(7);
  event.set_source("referral");
  event.set_type(type);
  event.mutable_occurred_at()->set_seconds(unix_seconds);
  event.mutable_payload()->PackFrom(referral);
  return event;
}

// 2024-01-31 16:30 UTC is 2024-02-01 00:30 in Asia/Shanghai.
constexpr int64_t kFeb1Shanghai = 1706718600;
// 2024-01-31 15:30 UTC is 2024-01-31 23:30 in Asia/Shanghai.
constexpr int64_t kJan31Shanghai = 1706715000;

TEST(ReferralFeedTest, CompletedReferralsCountByDirectionTypeAndMonth) {
  struct Case {
    std::string name;
    common::v1::Event event;
    std::string element;  // "" when the event derives nothing
    std::string month;
  };
  const Case cases[] = {
      {"down outpatient",
       Event("referral.ReferralCompleted", ref::REFERRAL_DIRECTION_DOWN,
             ref::REFERRAL_TYPE_OUTPATIENT, kFeb1Shanghai),
       "DOWN_REFERRALS_OUTPATIENT", "2024-02"},
      {"down inpatient, county day",
       Event("referral.ReferralCompleted", ref::REFERRAL_DIRECTION_DOWN,
             ref::REFERRAL_TYPE_INPATIENT, kJan31Shanghai),
       "DOWN_REFERRALS_INPATIENT", "2024-01"},
      {"up inpatient",
       Event("referral.ReferralCompleted", ref::REFERRAL_DIRECTION_UP,
             ref::REFERRAL_TYPE_INPATIENT, kFeb1Shanghai),
       "UP_REFERRALS_INPATIENT", "2024-02"},
      {"up outpatient",
       Event("referral.ReferralCompleted", ref::REFERRAL_DIRECTION_UP,
             ref::REFERRAL_TYPE_OUTPATIENT, kFeb1Shanghai),
       "UP_REFERRALS_OUTPATIENT", "2024-02"},
      {"emergency",
       Event("referral.ReferralCompleted", ref::REFERRAL_DIRECTION_UP,
             ref::REFERRAL_TYPE_EMERGENCY, kFeb1Shanghai),
       "", ""},
      {"created only",
       Event("referral.ReferralCreated", ref::REFERRAL_DIRECTION_DOWN,
             ref::REFERRAL_TYPE_OUTPATIENT, kFeb1Shanghai),
       "", ""},
      {"cancelled",
       Event("referral.ReferralCancelled", ref::REFERRAL_DIRECTION_DOWN,
             ref::REFERRAL_TYPE_OUTPATIENT, kFeb1Shanghai),
       "", ""},
      {"no sender",
       Event("referral.ReferralCompleted", ref::REFERRAL_DIRECTION_DOWN,
             ref::REFERRAL_TYPE_OUTPATIENT, kFeb1Shanghai, ""),
       "", ""},
      {"no direction",
       Event("referral.ReferralCompleted", ref::REFERRAL_DIRECTION_UNSPECIFIED,
             ref::REFERRAL_TYPE_OUTPATIENT, kFeb1Shanghai),
       "", ""},
  };
  for (const Case& c : cases) {
    const auto d = ReferralDerivation(c.event);
    ASSERT_EQ(d.has_value(), !c.element.empty()) << c.name;
    if (!d) continue;
    EXPECT_EQ(d->element_code, c.element) << c.name;
    EXPECT_EQ(d->month.ToString(), c.month) << c.name;
    EXPECT_EQ(d->institution_id, "ins-lead") << c.name;
    EXPECT_EQ(d->amount, 1) << c.name;
  }
  common::v1::Event wrong_payload =
      Event("referral.ReferralCompleted", ref::REFERRAL_DIRECTION_DOWN,
            ref::REFERRAL_TYPE_OUTPATIENT, kFeb1Shanghai);
  wrong_payload.mutable_payload()->PackFrom(common::v1::Event());
  EXPECT_FALSE(ReferralDerivation(wrong_payload).has_value());
}

}  // namespace
}  // namespace cmc::indicator
