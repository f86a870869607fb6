#include "services/gateway/routing.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace cmc::gateway {
namespace {

std::vector<Backend> FiveBackends() {
  return {{"institution", "127.0.0.1:50051"},
          {"referral", "127.0.0.1:50052"},
          {"dispatch", "127.0.0.1:50053"},
          {"finance", "127.0.0.1:50054"},
          {"indicator", "127.0.0.1:50055"}};
}

RouteTable FiveRoutes() {
  absl::StatusOr<RouteTable> routes = RouteTable::Create(FiveBackends());
  EXPECT_TRUE(routes.ok()) << routes.status();
  return *routes;
}

TEST(RouteTableTest, Routes) {
  struct Case {
    const char* method;
    const char* header;
    absl::StatusCode code;
    const char* backend;  // on success
  };
  const Case cases[] = {
      {"/cmc.institution.v1.InstitutionService/GetInstitution", "",
       absl::StatusCode::kOk, "institution"},
      {"/cmc.referral.v1.ReferralService/CreateReferral", "",
       absl::StatusCode::kOk, "referral"},
      {"/cmc.dispatch.v1.DispatchService/ListVisits", "", absl::StatusCode::kOk,
       "dispatch"},
      {"/cmc.finance.v1.FinanceService/SubmitClaim", "", absl::StatusCode::kOk,
       "finance"},
      {"/cmc.indicator.v1.IndicatorService/Evaluate", "", absl::StatusCode::kOk,
       "indicator"},
      // Any service of the area's package; the header does not matter.
      {"/cmc.referral.v1.ConditionCatalogue/List", "finance",
       absl::StatusCode::kOk, "referral"},
      {"/cmc.common.v1.EventFeed/ListEvents", "referral", absl::StatusCode::kOk,
       "referral"},
      {"/cmc.common.v1.EventFeed/WatchEvents", "indicator",
       absl::StatusCode::kOk, "indicator"},
      {"/cmc.common.v1.EventFeed/ListEvents", "",
       absl::StatusCode::kInvalidArgument, ""},
      {"/cmc.common.v1.EventFeed/ListEvents", "billing",
       absl::StatusCode::kInvalidArgument, ""},
      {"/cmc.common.v1.EventFeed/ListEvents", "gateway",
       absl::StatusCode::kInvalidArgument, ""},
      {"/cmc.common.v1.EventFeed/ListEvents", "Referral",
       absl::StatusCode::kInvalidArgument, ""},
      {"/cmc.common.v1.Types/Get", "referral", absl::StatusCode::kUnimplemented,
       ""},
      {"/cmc.gateway.v1.GatewayService/CommunityOverview", "",
       absl::StatusCode::kUnimplemented, ""},
      {"/cmc.billing.v1.BillingService/Pay", "",
       absl::StatusCode::kUnimplemented, ""},
      {"/cmc.referral.v2.ReferralService/CreateReferral", "",
       absl::StatusCode::kUnimplemented, ""},
      {"/grpc.health.v1.Health/Check", "", absl::StatusCode::kUnimplemented,
       ""},
      {"/other.referral.v1.ReferralService/Create", "",
       absl::StatusCode::kUnimplemented, ""},
      {"", "", absl::StatusCode::kUnimplemented, ""},
      {"/", "", absl::StatusCode::kUnimplemented, ""},
      {"cmc.referral.v1.ReferralService/CreateReferral", "",
       absl::StatusCode::kUnimplemented, ""},
      {"/cmc.referral.v1.ReferralService", "", absl::StatusCode::kUnimplemented,
       ""},
      {"/cmc.referral.v1.ReferralService/", "",
       absl::StatusCode::kUnimplemented, ""},
      {"/cmc.referral.v1.ReferralService/Create/Extra", "",
       absl::StatusCode::kUnimplemented, ""},
      {"/cmc.referral.v1/Create", "", absl::StatusCode::kUnimplemented, ""},
      {"/cmc.referral.v1.a.B/Create", "", absl::StatusCode::kUnimplemented, ""},
      {"//Create", "", absl::StatusCode::kUnimplemented, ""},
  };
  const RouteTable routes = FiveRoutes();
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "method \"" << c.method << "\" header \""
                                    << c.header << "\"");
    absl::StatusOr<std::string> backend = routes.Route(c.method, c.header);
    ASSERT_EQ(backend.status().code(), c.code) << backend.status();
    if (backend.ok()) {
      EXPECT_EQ(*backend, c.backend);
    }
  }
}

TEST(RouteTableTest, EventFeedHeaderErrorsNameTheFieldAndTheChoices) {
  const RouteTable routes = FiveRoutes();
  for (const char* header : {"", "billing"}) {
    SCOPED_TRACE(header);
    absl::Status status =
        routes.Route("/cmc.common.v1.EventFeed/ListEvents", header).status();
    EXPECT_EQ(BadField(status), "metadata.x-cmc-service");
    EXPECT_NE(status.message().find(
                  "dispatch, finance, indicator, institution, referral"),
              absl::string_view::npos)
        << status;
  }
}

TEST(RouteTableTest, UnimplementedNamesTheMethod) {
  absl::Status status =
      FiveRoutes().Route("/cmc.billing.v1.BillingService/Pay", "").status();
  EXPECT_EQ(status.message(),
            "method /cmc.billing.v1.BillingService/Pay is not served by this "
            "gateway");
}

TEST(RouteTableTest, OnlyConfiguredBackendsAreRouted) {
  absl::StatusOr<RouteTable> routes =
      RouteTable::Create({{"referral", "127.0.0.1:50052"}});
  ASSERT_TRUE(routes.ok()) << routes.status();
  EXPECT_TRUE(routes->Route("/cmc.referral.v1.ReferralService/X", "").ok());
  EXPECT_EQ(
      routes->Route("/cmc.finance.v1.FinanceService/X", "").status().code(),
      absl::StatusCode::kUnimplemented);
  EXPECT_EQ(routes->Route("/cmc.common.v1.EventFeed/ListEvents", "finance")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_NE(routes->Find("referral"), nullptr);
  EXPECT_EQ(routes->Find("referral")->address, "127.0.0.1:50052");
  EXPECT_EQ(routes->Find("finance"), nullptr);
}

TEST(RouteTableTest, CreateRejectsBadBackends) {
  struct Case {
    std::vector<Backend> backends;
    const char* field;
  };
  const Case cases[] = {
      {{{"", "127.0.0.1:1"}}, "backends[0].name"},
      {{{"Referral", "127.0.0.1:1"}}, "backends[0].name"},
      {{{"referral", "127.0.0.1:1"}, {"gateway", "127.0.0.1:2"}},
       "backends[1].name"},
      {{{"common", "127.0.0.1:1"}}, "backends[0].name"},
      {{{"referral", ""}}, "backends[0].address"},
      {{{"referral", "127.0.0.1:1"}, {"referral", "127.0.0.1:2"}},
       "backends[1].name"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    absl::StatusOr<RouteTable> routes = RouteTable::Create(c.backends);
    ASSERT_EQ(routes.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(BadField(routes.status()), c.field) << routes.status();
  }
}

TEST(HealthServiceNameTest, CapitalizesTheArea) {
  const std::pair<const char*, const char*> cases[] = {
      {"institution", "cmc.institution.v1.InstitutionService"},
      {"referral", "cmc.referral.v1.ReferralService"},
      {"dispatch", "cmc.dispatch.v1.DispatchService"},
      {"finance", "cmc.finance.v1.FinanceService"},
      {"indicator", "cmc.indicator.v1.IndicatorService"},
  };
  for (const auto& [backend, name] : cases) {
    EXPECT_EQ(HealthServiceName(backend), name);
  }
}

TEST(ForwardDeadlineTest, CallerDefaultAndCap) {
  using std::chrono::seconds;
  const auto now = std::chrono::system_clock::now();
  const auto none = std::chrono::system_clock::time_point::max();
  struct Case {
    const char* name;
    std::chrono::system_clock::time_point caller;
    absl::Duration default_timeout;
    absl::Duration max_timeout;
    std::chrono::system_clock::time_point want;
  };
  const Case cases[] = {
      {"caller's deadline kept", now + seconds(5), absl::Seconds(30),
       absl::Seconds(60), now + seconds(5)},
      {"past deadline kept", now - seconds(1), absl::Seconds(30),
       absl::Seconds(60), now - seconds(1)},
      {"caller's deadline capped", now + seconds(600), absl::Seconds(30),
       absl::Seconds(60), now + seconds(60)},
      {"default when none", none, absl::Seconds(30), absl::Seconds(60),
       now + seconds(30)},
      {"default capped", none, absl::Seconds(90), absl::Seconds(60),
       now + seconds(60)},
      {"infinite max", now + seconds(5), absl::Seconds(30),
       absl::InfiniteDuration(), now + seconds(5)},
      {"infinite default and max", none, absl::InfiniteDuration(),
       absl::InfiniteDuration(), none},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_TRUE(ForwardDeadline(c.caller, now, c.default_timeout,
                                c.max_timeout) == c.want);
  }
}

TEST(HeaderFilterTest, RequestAndResponseHeaders) {
  struct Case {
    const char* key;
    bool request;
    bool response;
  };
  const Case cases[] = {
      {"authorization", false, true},
      {"x-request-id", true, true},
      {"x-cmc-service", true, true},
      {"trace-bin", true, true},
      {"x-cmc-principal-subject", false, true},
      {"x-cmc-principal-roles", false, true},
      {":authority", false, false},
      {":path", false, false},
      {"grpc-timeout", false, false},
      {"grpc-accept-encoding", false, false},
      {"grpc-status-details-bin", false, false},
      {"content-type", false, false},
      {"te", false, true},
      {"user-agent", false, true},
      {"host", false, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key);
    EXPECT_EQ(ForwardsRequestHeader(c.key), c.request);
    EXPECT_EQ(ForwardsResponseHeader(c.key), c.response);
  }
}

TEST(HeaderFilterTest, ForwardedHeadersKeepOnlyWhatTheDirectionPasses) {
  using Headers = std::vector<std::pair<std::string, std::string>>;
  struct Case {
    const char* name;
    Headers metadata;
    HeaderDirection direction;
    Headers want;  // in key order, as gRPC's multimap hands them over
  };
  const Case cases[] = {
      {"nothing", {}, HeaderDirection::kRequest, {}},
      {"a caller's request",
       {{":path", "/cmc.referral.v1.ReferralService/GetReferral"},
        {"authorization", "Bearer t"},
        {"grpc-timeout", "5S"},
        {"user-agent", "grpc-c++"},
        {"x-cmc-principal-subject", "user:forged"},
        {"x-request-id", "r-1"},
        {"x-tag", "a"},
        {"x-tag", "b"}},
       HeaderDirection::kRequest,
       {{"x-request-id", "r-1"}, {"x-tag", "a"}, {"x-tag", "b"}}},
      {"a backend's trailers",
       {{"content-type", "application/grpc"},
        {"grpc-status-details-bin", "..."},
        {"x-backend-trailer", "bye"},
        {"x-cmc-personal-data", "resident_id"}},
       HeaderDirection::kResponse,
       {{"x-backend-trailer", "bye"}, {"x-cmc-personal-data", "resident_id"}}},
      {"response keys a request would drop",
       {{"authorization", "a"}, {"user-agent", "u"}},
       HeaderDirection::kResponse,
       {{"authorization", "a"}, {"user-agent", "u"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Metadata metadata;
    for (const auto& [key, value] : c.metadata) metadata.emplace(key, value);
    EXPECT_EQ(ForwardedHeaders(metadata, c.direction), c.want);
  }
}

}  // namespace
}  // namespace cmc::gateway

namespace cmc::gateway {
namespace {

TEST(IsSubscriptionTest, WatchMethodsOnly) {
  struct Case {
    const char* method;
    bool want;
  };
  const Case cases[] = {
      {"/cmc.common.v1.EventFeed/WatchEvents", true},
      {"/cmc.referral.v1.ReferralService/WatchReferrals", true},
      {"/cmc.common.v1.EventFeed/ListEvents", false},
      {"/cmc.referral.v1.ReferralService/GetWatchlist", false},
      {"no-slash", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method);
    EXPECT_EQ(IsSubscription(c.method), c.want);
  }
}

}  // namespace
}  // namespace cmc::gateway
