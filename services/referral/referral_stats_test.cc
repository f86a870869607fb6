#include "services/referral/referral_stats.h"

#include <gtest/gtest.h>

#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "common/service/county_time.h"
#include "services/referral/referral_rules.h"

namespace cmc::referral {
namespace {

using v1::Referral;

const absl::Time kStart = absl::FromUnixSeconds(1790000000);

// A referral of `direction` and `type` that went through `steps`: each a
// status entered at kStart + seconds. It ends in the last step's status.
Referral Made(v1::ReferralDirection direction, v1::ReferralType type,
              std::vector<std::pair<v1::ReferralStatus, int>> steps) {
  Referral referral;
  referral.set_direction(direction);
  referral.set_type(type);
  for (const auto& [status, seconds] : steps) {
    v1::ReferralTransition* step = referral.add_transitions();
    step->set_status(status);
    ToProtoTime(kStart + absl::Seconds(seconds), step->mutable_time());
    referral.set_status(status);
  }
  return referral;
}

constexpr auto kUp = v1::REFERRAL_DIRECTION_UP;
constexpr auto kDown = v1::REFERRAL_DIRECTION_DOWN;
constexpr auto kOut = v1::REFERRAL_TYPE_OUTPATIENT;
constexpr auto kIn = v1::REFERRAL_TYPE_INPATIENT;
constexpr auto kRequested = v1::REFERRAL_STATUS_REQUESTED;
constexpr auto kReceived = v1::REFERRAL_STATUS_RECEIVED;
constexpr auto kAccepted = v1::REFERRAL_STATUS_ACCEPTED;
constexpr auto kArrived = v1::REFERRAL_STATUS_IN_PROGRESS;
constexpr auto kCompleted = v1::REFERRAL_STATUS_COMPLETED;
constexpr auto kRejected = v1::REFERRAL_STATUS_REJECTED;
constexpr auto kExpired = v1::REFERRAL_STATUS_EXPIRED;
constexpr auto kPending = v1::REFERRAL_STATUS_APPROVAL_PENDING;

TEST(ReferralStatsTest, RatesAndMediansFollowTheContract) {
  const Referral completed_fast = Made(
      kUp, kIn,
      {{kRequested, 0}, {kAccepted, 60}, {kArrived, 100}, {kCompleted, 600}});
  const Referral completed_slow = Made(kUp, kIn,
                                       {{kRequested, 0},
                                        {kReceived, 10},
                                        {kAccepted, 300},
                                        {kArrived, 400},
                                        {kCompleted, 1000}});
  // Out of county: the clock starts at approval (REQUESTED at 500).
  const Referral approved = Made(kUp, kOut,
                                 {{kPending, 0},
                                  {kRequested, 500},
                                  {kAccepted, 620},
                                  {kArrived, 700},
                                  {kCompleted, 2500}});
  const Referral rejected =
      Made(kDown, kOut, {{kRequested, 0}, {kRejected, 30}});
  const Referral expired =
      Made(kDown, kOut, {{kRequested, 0}, {kExpired, 86400}});
  const Referral open = Made(kDown, kIn, {{kRequested, 0}, {kAccepted, 40}});

  struct Case {
    std::string name;
    std::vector<Referral> referrals;
    int64_t total, closed, completed, accepted;
    double rate, to_accept, to_complete;
  };
  const Case cases[] = {
      {"none", {}, 0, 0, 0, 0, 0, 0, 0},
      {"only open ones: no rate", {open}, 1, 0, 0, 1, 0, 40, 0},
      {"one closed loop", {completed_fast}, 1, 1, 1, 1, 1, 60, 600},
      {"odd count takes the middle",
       {completed_fast, completed_slow, approved},
       3,
       3,
       3,
       3,
       1,
       120,
       1000},
      {"even count takes the mean of the middle two",
       {completed_fast, completed_slow},
       2,
       2,
       2,
       2,
       1,
       180,
       800},
      {"open referrals are left out of the rate",
       {completed_fast, rejected, expired, open},
       4,
       3,
       1,
       2,
       1.0 / 3,
       50,
       600},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const v1::ReferralStats stats = ReferralStatsOf(c.referrals);
    EXPECT_EQ(stats.total(), c.total);
    EXPECT_EQ(stats.closed(), c.closed);
    EXPECT_EQ(stats.completed(), c.completed);
    EXPECT_EQ(stats.accepted_count(), c.accepted);
    EXPECT_DOUBLE_EQ(stats.closed_loop_rate(), c.rate);
    EXPECT_DOUBLE_EQ(stats.median_seconds_to_accept(), c.to_accept);
    EXPECT_DOUBLE_EQ(stats.median_seconds_to_complete(), c.to_complete);
  }
}

TEST(ReferralStatsTest, CountsOneCellPerDirectionTypeAndStatusInOrder) {
  const std::vector<Referral> referrals = {
      Made(kDown, kOut, {{kRequested, 0}, {kRejected, 30}}),
      Made(kUp, kIn, {{kRequested, 0}}),
      Made(kUp, kIn, {{kRequested, 0}}),
      Made(kUp, kOut, {{kRequested, 0}, {kExpired, 9}}),
      Made(kUp, kIn, {{kRequested, 0}, {kRejected, 5}}),
  };
  struct Cell {
    v1::ReferralDirection direction;
    v1::ReferralType type;
    v1::ReferralStatus status;
    int64_t count;
  };
  const Cell want[] = {
      {kUp, kOut, kExpired, 1},
      {kUp, kIn, kRequested, 2},
      {kUp, kIn, kRejected, 1},
      {kDown, kOut, kRejected, 1},
  };
  const v1::ReferralStats stats = ReferralStatsOf(referrals);
  ASSERT_EQ(stats.counts_size(), static_cast<int>(std::size(want)))
      << stats.DebugString();
  for (int i = 0; i < stats.counts_size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(stats.counts(i).direction(), want[i].direction);
    EXPECT_EQ(stats.counts(i).type(), want[i].type);
    EXPECT_EQ(stats.counts(i).status(), want[i].status);
    EXPECT_EQ(stats.counts(i).count(), want[i].count);
  }
}

}  // namespace
}  // namespace cmc::referral
