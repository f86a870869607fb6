#include "common/identity/jwt.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace cmc {
namespace {

const std::string kSecret(32, 's');

std::string Hs256(absl::string_view claims, absl::string_view secret) {
  absl::StatusOr<std::string> token =
      SignJwt(JwtAlgorithm::kHs256, claims, secret);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.value_or("");
}

// `token` with its header replaced by `header_json` and its signature kept:
// what a forger sends.
std::string WithHeader(const std::string& token, absl::string_view header) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  parts[0] = absl::WebSafeBase64Escape(header);
  return absl::StrCat(parts[0], ".", parts[1], ".", parts[2]);
}

TEST(JwtTest, SignedTokensVerifyAndForgedOnesAreRefusedWithTheReason) {
  const std::string good = Hs256(R"({"sub":"user:li"})", kSecret);
  const std::string other_key =
      Hs256(R"({"sub":"user:li"})", std::string(32, 'o'));
  struct Case {
    const char* name;
    std::string token;
    std::string error;  // "" = accepted
  } cases[] = {
      {"good", good, ""},
      {"signed with another secret", other_key, "HS256 signature mismatch"},
      {"two parts", good.substr(0, good.rfind('.')),
       "not three dot-separated parts"},
      {"padding in a part", good + "=", "a part is not base64url"},
      {"alg none", WithHeader(good, R"({"alg":"none"})"),
       "algorithm \"none\" is not accepted"},
      {"RS256 without a public key", WithHeader(good, R"({"alg":"RS256"})"),
       "algorithm \"RS256\" is not accepted"},
      {"critical extension", WithHeader(good, R"({"alg":"HS256","crit":[]})"),
       "header has critical extensions"},
      {"header not JSON", WithHeader(good, "alg"),
       "header is not a JSON object"},
  };
  absl::StatusOr<JwtSignatureVerifier> verifier =
      JwtSignatureVerifier::Create(kSecret, "");
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<google::protobuf::Struct> claims = verifier->Verify(c.token);
    if (c.error.empty()) {
      ASSERT_TRUE(claims.ok()) << claims.status();
      EXPECT_EQ(claims->fields().at("sub").string_value(), "user:li");
    } else {
      EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated);
      EXPECT_EQ(claims.status().message(), c.error);
    }
  }
}

TEST(JwtTest, SignAndCreateRefuseBadInputNamingIt) {
  struct Case {
    const char* name;
    absl::Status status;
    const char* field;  // the start of the message
  } cases[] = {
      {"claims not an object",
       SignJwt(JwtAlgorithm::kHs256, "[1]", kSecret).status(), "claims"},
      {"short signing secret",
       SignJwt(JwtAlgorithm::kHs256, "{}", std::string(31, 's')).status(),
       "key"},
      {"RS256 with a secret as key",
       SignJwt(JwtAlgorithm::kRs256, "{}", kSecret).status(), "key"},
      {"no key at all", JwtSignatureVerifier::Create("", "").status(),
       "hs256_secret"},
      {"short verifying secret",
       JwtSignatureVerifier::Create(std::string(31, 's'), "").status(),
       "hs256_secret"},
      {"public key not PEM",
       JwtSignatureVerifier::Create("", "not a key").status(),
       "rs256_public_key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.status.code(), absl::StatusCode::kInvalidArgument) << c.status;
    EXPECT_TRUE(absl::StartsWith(c.status.message(), c.field)) << c.status;
  }
}

TEST(JwtTest, ReadHs256SecretFileDropsTrailingWhitespaceAndChecksLength) {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "jwt_test_secret_", getpid());
  struct Case {
    const char* contents;  // nullptr = no file
    absl::StatusCode code;
    std::string secret;
  } cases[] = {
      {"0123456789abcdef0123456789abcdef\n", absl::StatusCode::kOk,
       "0123456789abcdef0123456789abcdef"},
      {"0123456789abcdef0123456789abcde \n", absl::StatusCode::kInvalidArgument,
       ""},
      {nullptr, absl::StatusCode::kNotFound, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.contents == nullptr ? "(no file)" : c.contents);
    std::remove(path.c_str());
    if (c.contents != nullptr) std::ofstream(path) << c.contents;
    absl::StatusOr<std::string> secret = ReadHs256SecretFile(path);
    EXPECT_EQ(secret.status().code(), c.code) << secret.status();
    if (secret.ok()) {
      EXPECT_EQ(*secret, c.secret);
    } else {
      EXPECT_NE(secret.status().message().find(path), std::string::npos);
    }
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace cmc
