// The expiry sweep against a real MariaDB: due referrals become EXPIRED with
// an event; answered ones, and ones not yet due, are left alone.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "services/referral/expiry_sweeper.h"
#include "tests/integration/referral_fixture.h"

namespace cmc::referral {
namespace referral_testing {
namespace {

constexpr absl::Duration kLimit = absl::Seconds(2);

// Outpatient referrals must be answered within kLimit; inpatient ones keep
// the default day.
class ReferralExpirySweepTest : public ReferralTest {
 protected:
  ReferralExpirySweepTest() { expiry_.outpatient = kLimit; }

  // The status of referral `id` as GetReferral returns it.
  v1::ReferralStatus StatusOf(const std::string& id) {
    v1::GetReferralRequest request;
    request.set_id(id);
    Referral response;
    EXPECT_TRUE(stub_->GetReferral(Context().get(), request, &response).ok());
    return response.status();
  }

  int EventsOfType(const std::string& type, const std::string& id) {
    int count = 0;
    for (const auto& event : Events()) {
      if (event.type() == type && event.aggregate_id() == id) ++count;
    }
    return count;
  }
};

TEST_F(ReferralExpirySweepTest,
       BackgroundSweepExpiresOnlyUnansweredDueReferrals) {
  ASSERT_OK_AND_ASSIGN(unanswered, Create(UpRequest("req-exp-unanswered")));
  ASSERT_OK_AND_ASSIGN(to_receive, Create(UpRequest("req-exp-received")));
  ASSERT_OK_AND_ASSIGN(to_accept, Create(UpRequest("req-exp-accepted")));
  v1::CreateReferralRequest inpatient = UpRequest("req-exp-inpatient");
  inpatient.mutable_referral()->set_type(v1::REFERRAL_TYPE_INPATIENT);
  ASSERT_OK_AND_ASSIGN(not_due, Create(inpatient));
  ASSERT_OK_AND_ASSIGN(received,
                       Act(&Stub::ReceiveReferral, to_receive, "ins-town"));
  ASSERT_OK_AND_ASSIGN(accepted,
                       Act(&Stub::AcceptReferral, to_accept, "ins-town"));
  ASSERT_EQ(accepted.status(), v1::REFERRAL_STATUS_ACCEPTED);
  ASSERT_LT(absl::Now(), FromProtoTime(unanswered.expire_time()))
      << "the machine is too slow for this test's 2 s limit";

  ExpirySweeper::Options options;
  options.interval = absl::Milliseconds(100);
  options.batch = 1;  // several batches in one round
  ExpirySweeper sweeper(
      std::make_unique<MysqlReferralStore>(pool_.get(), expiry_), options);
  sweeper.Start();
  const absl::Time give_up = FromProtoTime(received.expire_time()) + kLimit;
  while (StatusOf(received.id()) != v1::REFERRAL_STATUS_EXPIRED &&
         absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sweeper.Stop();

  struct Case {
    std::string name;
    std::string id;
    v1::ReferralStatus status;
    int expired_events;
  };
  const Case cases[] = {
      {"requested, due", unanswered.id(), v1::REFERRAL_STATUS_EXPIRED, 1},
      {"received, due", received.id(), v1::REFERRAL_STATUS_EXPIRED, 1},
      {"accepted in time", accepted.id(), v1::REFERRAL_STATUS_ACCEPTED, 0},
      {"inpatient, not due", not_due.id(), v1::REFERRAL_STATUS_REQUESTED, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(StatusOf(c.id), c.status);
    EXPECT_EQ(EventsOfType("referral.ReferralExpired", c.id), c.expired_events);
  }

  v1::GetReferralRequest get;
  get.set_id(unanswered.id());
  Referral expired;
  ASSERT_TRUE(stub_->GetReferral(Context().get(), get, &expired).ok());
  EXPECT_EQ(expired.version(), unanswered.version() + 1);
  EXPECT_FALSE(expired.has_expire_time());
  ASSERT_GT(expired.transitions_size(), 0);
  EXPECT_EQ(expired.transitions().rbegin()->actor(), "system");
  EXPECT_EQ(expired.transitions().rbegin()->status(),
            v1::REFERRAL_STATUS_EXPIRED);
  for (const auto& event : Events()) {
    if (event.type() != "referral.ReferralExpired") continue;
    EXPECT_EQ(event.actor(), "system");
    Referral payload;
    ASSERT_TRUE(event.payload().UnpackTo(&payload));
    EXPECT_EQ(payload.patient().resident_id(), kMasked);
    EXPECT_EQ(payload.status(), v1::REFERRAL_STATUS_EXPIRED);
  }
}

TEST_F(ReferralExpirySweepTest, AnExpiredReferralCanNoLongerBeAccepted) {
  ASSERT_OK_AND_ASSIGN(created, Create(UpRequest("req-exp-late")));
  std::this_thread::sleep_until(absl::ToChronoTime(
      FromProtoTime(created.expire_time()) + absl::Milliseconds(50)));
  ExpirySweeper sweeper(
      std::make_unique<MysqlReferralStore>(pool_.get(), expiry_),
      ExpirySweeper::Options());
  ASSERT_OK_AND_ASSIGN(count, sweeper.SweepOnce());
  EXPECT_EQ(count, 1);

  const absl::StatusOr<Referral> late =
      Act(&Stub::AcceptReferral, created, "ins-town");
  ASSERT_FALSE(late.ok());
  // The sweep moved the version on: the stale accept is ABORTED "version".
  EXPECT_EQ(late.status().code(), absl::StatusCode::kAborted);
  EXPECT_NE(late.status().message().find("version"), std::string::npos);
  Referral current = created;
  current.set_version(created.version() + 1);
  const absl::StatusOr<Referral> at_current =
      Act(&Stub::AcceptReferral, current, "ins-town");
  ASSERT_FALSE(at_current.ok());
  EXPECT_EQ(at_current.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(at_current.status().message().find("EXPIRED"), std::string::npos)
      << at_current.status();
  ASSERT_OK_AND_ASSIGN(again, sweeper.SweepOnce());
  EXPECT_EQ(again, 0);
}

}  // namespace
}  // namespace referral_testing
}  // namespace cmc::referral
