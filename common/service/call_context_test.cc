#include "common/service/call_context.h"

#include <grpcpp/test/server_context_test_spouse.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "cmc/common/v1/types.pb.h"
#include "common/identity/peer.h"
#include "common/service/handler.h"
#include "common/status.h"

namespace cmc {
namespace {

class CallContextTest : public ::testing::Test {
 protected:
  grpc::ServerContext server_;
  grpc::testing::ServerContextTestSpouse spouse_{&server_};
  CallOptions options_;

  void SetUp() override {
    options_.clock = CountyClock::FixedDay(absl::CivilDay(2026, 3, 1));
  }
};

TEST_F(CallContextTest, ReadsThePrincipalAndTheCountyDayOnce) {
  spouse_.AddClientMetadata(kSubjectHeader, "user:li");
  spouse_.AddClientMetadata(kRolesHeader, "clinician,auditor");
  spouse_.AddClientMetadata(kScopeHeader, "community:com-1");
  const CallContext call = *CallContext::Make(&server_, options_);
  EXPECT_EQ(call.principal().subject, "user:li");
  EXPECT_TRUE(call.principal().HasRole("auditor"));
  EXPECT_EQ(call.principal().communities.count("com-1"), 1u);
  EXPECT_FALSE(call.principal().unrestricted());
  EXPECT_EQ(call.today(), absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(call.Actor("system"), "user:li");
}

TEST_F(CallContextTest, AnAnonymousCallActsAsTheGivenName) {
  const CallContext call = *CallContext::Make(&server_, options_);
  EXPECT_TRUE(call.principal().anonymous());
  EXPECT_EQ(call.Actor("system"), "system");
}

TEST_F(CallContextTest, ACallWithoutADeadlineGetsTheDefaultOnTheRealClock) {
  options_.default_deadline = absl::Seconds(7);
  const absl::Time before = absl::Now();
  const CallContext call = *CallContext::Make(&server_, options_);
  // The county clock is fixed on a past day; the deadline is not.
  EXPECT_GE(call.deadline(), before + absl::Seconds(7));
  EXPECT_LE(call.deadline(), absl::Now() + absl::Seconds(7));
}

TEST_F(CallContextTest, ServeRepliesWithTheValueOrTheErrorAndItsField) {
  common::v1::Period response;
  grpc::Status ok =
      Serve(&server_, options_, &response,
            [](const CallContext& call) -> absl::StatusOr<common::v1::Period> {
              common::v1::Period period;
              period.set_value(absl::StrCat(call.today().year()));
              return period;
            });
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(response.value(), "2026");

  grpc::Status bad =
      Serve(&server_, options_, &response,
            [](const CallContext&) -> absl::StatusOr<common::v1::Period> {
              return InvalidField("period", "must be a year");
            });
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.error_message(), "period: must be a year");
  EXPECT_EQ(BadField(FromGrpcStatus(bad)), "period");
  EXPECT_EQ(response.value(), "2026") << "an error leaves the response alone";

  grpc::Status stream = ServeStatus(&server_, options_, [](const CallContext&) {
    return absl::UnavailableError("database down");
  });
  EXPECT_EQ(stream.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(CallContextTest, BehindInternalTlsForgedHeadersAreRefusedUnrun) {
  spouse_.AddClientMetadata(kSubjectHeader, "user:mallory");
  spouse_.AddClientMetadata(kScopeHeader, "county");
  SetPeerTrust(PeerTrust::kCertificates);  // and no verified peer
  bool ran = false;
  common::v1::Period response;
  const grpc::Status status =
      Serve(&server_, options_, &response,
            [&](const CallContext&) -> absl::StatusOr<common::v1::Period> {
              ran = true;
              return common::v1::Period();
            });
  const Principal seen = PrincipalFromContext(server_);
  SetPeerTrust(PeerTrust::kHeaders);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(ran);
  EXPECT_EQ(seen.subject, kUnauthenticatedSubject);
  EXPECT_FALSE(seen.unrestricted()) << "a refused peer covers nothing";
}

}  // namespace
}  // namespace cmc
