// WatchReferrals against a real MariaDB: changes reach the institutions
// involved within a second, and only them.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/referral_fixture.h"

namespace cmc::referral {
namespace referral_testing {
namespace {

using Reader = grpc::ClientReader<v1::ReferralChange>;

class ReferralWatchTest : public ReferralTest {
 protected:
  // An open stream with its context; the caller reads from `reader`.
  struct Watch {
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<Reader> reader;
  };

  // Opens a watch for `institution` that lasts at most `lifetime`, and
  // returns once the server has fixed its starting point.
  Watch Open(const std::string& institution, absl::Duration lifetime,
             std::optional<int64_t> after_sequence = std::nullopt) {
    v1::WatchReferralsRequest request;
    request.set_institution_id(institution);
    if (after_sequence.has_value()) request.set_after_sequence(*after_sequence);
    Watch watch;
    watch.context = std::make_unique<grpc::ClientContext>();
    watch.context->set_deadline(absl::ToChronoTime(absl::Now() + lifetime));
    watch.reader = stub_->WatchReferrals(watch.context.get(), request);
    watch.reader->WaitForInitialMetadata();
    return watch;
  }
};

TEST_F(ReferralWatchTest, DeliversNewReferralsOfTheInstitutionWithinOneSecond) {
  Watch town = Open("ins-town", absl::Seconds(10));
  Watch other = Open("ins-county2", absl::Milliseconds(1500));
  v1::CreateReferralRequest to_county = UpRequest("req-watch-county");
  to_county.mutable_referral()->set_to_institution_id("ins-county");
  ASSERT_OK_AND_ASSIGN(elsewhere, Create(to_county));
  ASSERT_OK_AND_ASSIGN(created, Create(UpRequest("req-watch-town")));
  const absl::Time sent = absl::Now();

  v1::ReferralChange change;
  ASSERT_TRUE(town.reader->Read(&change));
  EXPECT_LT(absl::Now() - sent, absl::Seconds(1));
  EXPECT_EQ(change.referral().id(), created.id());
  EXPECT_EQ(change.event_type(), "referral.ReferralCreated");
  EXPECT_TRUE(change.incoming());
  EXPECT_GT(change.sequence(), 0);
  EXPECT_EQ(change.referral().patient().resident_id(), kMasked);

  ASSERT_OK_AND_ASSIGN(accepted,
                       Act(&Stub::AcceptReferral, created, "ins-town"));
  ASSERT_TRUE(town.reader->Read(&change));
  EXPECT_EQ(change.event_type(), "referral.ReferralAccepted");
  EXPECT_EQ(change.referral().version(), accepted.version());
  town.context->TryCancel();
  EXPECT_EQ(town.reader->Finish().error_code(), grpc::StatusCode::CANCELLED);

  // ins-county2 is involved in neither referral: its stream stays silent
  // until its deadline.
  int delivered = 0;
  while (other.reader->Read(&change)) ++delivered;
  EXPECT_EQ(delivered, 0) << change.DebugString();
  EXPECT_EQ(other.reader->Finish().error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_NE(elsewhere.id(), created.id());
}

TEST_F(ReferralWatchTest, ReplaysFromAfterSequenceForEverySideInvolved) {
  ASSERT_OK_AND_ASSIGN(to_town, Create(UpRequest("req-watch-1")));
  v1::CreateReferralRequest open = UpRequest("req-watch-2");
  open.mutable_referral()->set_to_tier(common::v1::TIER_TOWNSHIP);
  ASSERT_OK_AND_ASSIGN(to_tier, Create(open));

  struct Case {
    std::string institution;
    std::vector<std::string> ids;  // in order
    bool incoming;
  };
  const Case cases[] = {
      {"ins-village", {to_town.id(), to_tier.id()}, false},
      {"ins-town", {to_town.id(), to_tier.id()}, true},
      {"ins-town2", {to_tier.id()}, true},  // open to its tier
      {"ins-county", {}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.institution);
    Watch watch = Open(c.institution, absl::Milliseconds(800), 0);
    std::vector<std::string> ids;
    v1::ReferralChange change;
    while (watch.reader->Read(&change)) {
      ids.push_back(change.referral().id());
      EXPECT_EQ(change.incoming(), c.incoming);
    }
    EXPECT_EQ(ids, c.ids);
  }
}

TEST_F(ReferralWatchTest, CallerMistakesNameTheField) {
  struct Case {
    std::string name;
    std::string institution;
    std::optional<int64_t> after_sequence;
    grpc::StatusCode code;
    std::string field;
  };
  const Case cases[] = {
      {"missing institution", "", std::nullopt,
       grpc::StatusCode::INVALID_ARGUMENT, "institution_id"},
      {"malformed institution", "ins town", std::nullopt,
       grpc::StatusCode::INVALID_ARGUMENT, "institution_id"},
      {"negative sequence", "ins-town", -1, grpc::StatusCode::INVALID_ARGUMENT,
       "after_sequence"},
      {"unknown institution", "ins-nobody", std::nullopt,
       grpc::StatusCode::NOT_FOUND, "institution_id"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Watch watch = Open(c.institution, absl::Seconds(5), c.after_sequence);
    v1::ReferralChange change;
    EXPECT_FALSE(watch.reader->Read(&change));
    const grpc::Status status = watch.reader->Finish();
    EXPECT_EQ(status.error_code(), c.code) << status.error_message();
    EXPECT_EQ(status.error_message().rfind(c.field + ":", 0), 0u)
        << status.error_message();
  }
}

TEST_F(ReferralWatchTest, StopEndsOpenStreamsWithUnavailable) {
  Watch watch = Open("ins-town", absl::Seconds(10));
  service_->Stop();
  v1::ReferralChange change;
  EXPECT_FALSE(watch.reader->Read(&change));
  const grpc::Status status = watch.reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("resume after sequence"),
            std::string::npos);
}

}  // namespace
}  // namespace referral_testing
}  // namespace cmc::referral
