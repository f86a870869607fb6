#include "services/gateway/access_control.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "google/rpc/error_details.pb.h"

namespace cmc::gateway {
namespace {

const std::string kSecret = "access-control-test-secret-0123456789";
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);
const std::string kGet = "/cmc.demo.v1.Demo/Get";
const std::string kPut = "/cmc.demo.v1.Demo/Put";

AccessPolicy Policy() {
  cmc::gateway::v1::GatewayPolicy proto;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(rules {
             method: "cmc.demo.v1.Demo/Get"
             roles: [ "reader", "writer" ]
           }
           rules {
             method: "cmc.demo.v1.Demo/Put"
             roles: [ "writer" ]
           }
           certificate_principals {
             common_name: "his.example"
             subject: "system:his"
             roles: [ "writer" ]
             scope: [ "institution:ins-1" ]
           })pb",
      &proto));
  return AccessPolicy::Create(proto).value();
}

TokenVerifier Verifier() {
  TokenVerifierOptions options;
  options.hs256_secret = kSecret;
  options.issuer = "cmc";
  options.audience = "cmc";
  return TokenVerifier::Create(options).value();
}

std::string Token(const std::string& sub, const std::string& role,
                  int64_t exp = absl::ToUnixSeconds(kNow) + 600) {
  return SignJwt(JwtAlgorithm::kHs256,
                 absl::StrCat(
                     R"({"sub":")", sub, R"(","roles":[")", role,
                     R"("],"scope":["county"],"iss":"cmc","aud":"cmc","exp":)",
                     exp, "}"),
                 kSecret)
      .value();
}

// Request metadata; the string_refs of metadata() point into `pairs`.
struct Headers {
  std::vector<std::pair<std::string, std::string>> pairs;

  Metadata metadata() const {
    Metadata metadata;
    for (const auto& [key, value] : pairs) {
      metadata.emplace(grpc::string_ref(key), grpc::string_ref(value));
    }
    return metadata;
  }
};

Headers Bearer(const std::string& token) {
  return Headers{{{"authorization", "Bearer " + token}}};
}

TEST(AccessControlTest, AuthenticatesThenAuthorizes) {
  const AccessControl access(Verifier(), Policy(), std::nullopt);
  struct Case {
    std::string name;
    Headers headers;
    std::string method;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"no header", Headers{}, kGet, absl::StatusCode::kUnauthenticated,
       "invalid token"},
      {"not bearer", Headers{{{"authorization", "Basic eDp5"}}}, kGet,
       absl::StatusCode::kUnauthenticated, "invalid token"},
      {"bad token", Bearer("a.b.c"), kGet, absl::StatusCode::kUnauthenticated,
       "invalid token"},
      {"expired",
       Bearer(Token("user:li", "reader", absl::ToUnixSeconds(kNow) - 120)),
       kGet, absl::StatusCode::kUnauthenticated, "invalid token"},
      {"wrong role", Bearer(Token("user:li", "reader")), kPut,
       absl::StatusCode::kPermissionDenied,
       "permission denied for method " + kPut},
      {"unlisted method", Bearer(Token("user:li", "writer")),
       "/cmc.demo.v1.Demo/Drop", absl::StatusCode::kPermissionDenied,
       "permission denied for method /cmc.demo.v1.Demo/Drop"},
      {"right role", Bearer(Token("user:li", "writer")), kPut,
       absl::StatusCode::kOk, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<Principal> who =
        access.Admit(c.method, c.headers.metadata(), "", kNow);
    EXPECT_EQ(who.status().code(), c.code);
    EXPECT_EQ(who.status().message(), c.message);
    if (who.ok()) {
      EXPECT_EQ(who->subject, "user:li");
      EXPECT_TRUE(who->whole_county);
    }
  }
}

TEST(AccessControlTest, AClientCertificateListedInThePolicyAuthenticates) {
  const AccessControl access(Verifier(), Policy(), std::nullopt);
  absl::StatusOr<Principal> his =
      access.Admit(kPut, Headers{}.metadata(), "his.example", kNow);
  ASSERT_TRUE(his.ok()) << his.status();
  EXPECT_EQ(his->subject, "system:his");
  EXPECT_EQ(his->institutions, std::set<std::string>{"ins-1"});
  struct Case {
    std::string name;
    Headers headers;
    std::string common_name;
    absl::StatusCode code;
  };
  const std::vector<Case> cases = {
      {"unlisted certificate", Headers{}, "other.example",
       absl::StatusCode::kUnauthenticated},
      {"a bad token wins over the certificate", Bearer("a.b.c"), "his.example",
       absl::StatusCode::kUnauthenticated},
      {"a good token wins over the certificate",
       Bearer(Token("user:li", "reader")), "his.example",
       absl::StatusCode::kPermissionDenied},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<Principal> who =
        access.Admit(kPut, c.headers.metadata(), c.common_name, kNow);
    EXPECT_EQ(who.status().code(), c.code);
    if (c.code == absl::StatusCode::kUnauthenticated) {
      EXPECT_EQ(who.status().message(), "invalid token");
    }
  }
}

TEST(AccessControlTest, LimitsANoisyPrincipalAndNotAnother) {
  const AccessControl access(Verifier(), Policy(),
                             RateLimiterOptions{/*rate_per_s=*/1, /*burst=*/2});
  const Headers noisy = Bearer(Token("user:noisy", "reader"));
  const Headers quiet = Bearer(Token("user:quiet", "reader"));
  EXPECT_TRUE(access.Admit(kGet, noisy.metadata(), "", kNow).ok());
  EXPECT_TRUE(access.Admit(kGet, noisy.metadata(), "", kNow).ok());
  const absl::Status limited =
      access.Admit(kGet, noisy.metadata(), "", kNow).status();
  EXPECT_EQ(limited.code(), absl::StatusCode::kResourceExhausted);
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(retry.ParseFromString(
      std::string(*limited.GetPayload(kRetryInfoTypeUrl))));
  EXPECT_EQ(retry.retry_delay().seconds(), 1);
  EXPECT_TRUE(access.Admit(kGet, quiet.metadata(), "", kNow).ok());
  EXPECT_TRUE(
      access.Admit(kGet, noisy.metadata(), "", kNow + absl::Seconds(1)).ok());
  // Calls without a valid token never reach a bucket.
  EXPECT_EQ(access.Admit(kGet, Headers{}.metadata(), "", kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(AccessControlTest, DevelopmentModeMakesEveryCallerTheDevPrincipal) {
  Principal dev;
  dev.subject = "user:dev";
  dev.roles = {"reader"};
  dev.whole_county = true;
  const AccessControl access(dev, Policy(), std::nullopt);
  absl::StatusOr<Principal> who =
      access.Admit(kGet, Headers{}.metadata(), "", kNow);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->subject, "user:dev");
  // A token is ignored, and the policy still applies.
  EXPECT_EQ(
      access
          .Admit(kPut, Bearer(Token("user:li", "writer")).metadata(), "", kNow)
          .status()
          .code(),
      absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace cmc::gateway
