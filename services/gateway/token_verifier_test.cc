#include "services/gateway/token_verifier.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace cmc::gateway {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef-test";
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

struct RsaKeys {
  std::string private_pem;
  std::string public_pem;
};

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, size);
}

// A fresh RSA key pair of `bits`, as PEM.
RsaKeys GenerateRsa(unsigned int bits) {
  EVP_PKEY* key = EVP_RSA_gen(bits);
  EXPECT_NE(key, nullptr);
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  RsaKeys keys{BioText(priv), BioText(pub)};
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return keys;
}

const RsaKeys& Keys() {
  static const RsaKeys* keys = new RsaKeys(GenerateRsa(2048));
  return *keys;
}
const RsaKeys& OtherKeys() {
  static const RsaKeys* keys = new RsaKeys(GenerateRsa(2048));
  return *keys;
}

// Claims that pass, with `extra` JSON members replacing or adding to them.
std::string Claims(const std::string& replace_from = "",
                   const std::string& replace_to = "") {
  std::string json = absl::StrCat(
      R"({"sub":"user:zhang.wei","roles":["clinician","township_admin"],)",
      R"("scope":["community:com-1","institution:ins-7"],"iss":"cmc-test",)",
      R"("aud":"cmc","iat":)", absl::ToUnixSeconds(kNow) - 10, R"(,"exp":)",
      absl::ToUnixSeconds(kNow) + 3600, "}");
  if (!replace_from.empty()) {
    json = absl::StrReplaceAll(json, {{replace_from, replace_to}});
  }
  return json;
}

std::string Hs256(const std::string& claims,
                  const std::string& secret = kSecret) {
  absl::StatusOr<std::string> token =
      SignJwt(JwtAlgorithm::kHs256, claims, secret);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.value_or("");
}

std::string Rs256(const std::string& claims, const std::string& pem) {
  absl::StatusOr<std::string> token =
      SignJwt(JwtAlgorithm::kRs256, claims, pem);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.value_or("");
}

// A token with header `header_json` and an empty signature.
std::string Unsigned(const std::string& header_json,
                     const std::string& claims) {
  return absl::StrCat(absl::WebSafeBase64Escape(header_json), ".",
                      absl::WebSafeBase64Escape(claims), ".");
}

// An HS256 token signed with `secret` (any length): how an attacker would try
// to use the RSA public key as an HMAC secret.
std::string Hs256AnyKey(const std::string& claims, const std::string& secret);

TokenVerifier Verifier() {
  TokenVerifierOptions options;
  options.hs256_secret = kSecret;
  options.rs256_public_key = Keys().public_pem;
  options.issuer = "cmc-test";
  options.audience = "cmc";
  absl::StatusOr<TokenVerifier> verifier = TokenVerifier::Create(options);
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  return std::move(verifier).value();
}

TEST(TokenVerifierTest, AcceptsAGoodTokenAndReadsThePrincipal) {
  const TokenVerifier verifier = Verifier();
  for (const std::string& token :
       {Hs256(Claims()), Rs256(Claims(), Keys().private_pem)}) {
    absl::StatusOr<Principal> who = verifier.Verify(token, kNow);
    ASSERT_TRUE(who.ok()) << who.status();
    EXPECT_EQ(who->subject, "user:zhang.wei");
    EXPECT_EQ(who->roles,
              (std::set<std::string>{"clinician", "township_admin"}));
    EXPECT_FALSE(who->whole_county);
    EXPECT_EQ(who->communities, std::set<std::string>{"com-1"});
    EXPECT_EQ(who->institutions, std::set<std::string>{"ins-7"});
  }
  absl::StatusOr<Principal> county = verifier.Verify(
      Hs256(Claims(R"("community:com-1","institution:ins-7")", R"("county")")),
      kNow);
  ASSERT_TRUE(county.ok()) << county.status();
  EXPECT_TRUE(county->whole_county);
}

TEST(TokenVerifierTest, ARememberedTokenStillExpiresAndStartsOnTime) {
  const TokenVerifier verifier = Verifier();
  const int64_t now = absl::ToUnixSeconds(kNow);
  // Valid from now + 100 s (nbf) to now + 200 s (exp); skew 60 s.
  const std::string token = Hs256(
      Claims(absl::StrCat(R"("exp":)", now + 3600),
             absl::StrCat(R"("nbf":)", now + 100, R"(,"exp":)", now + 200)));
  struct Step {
    absl::Duration at;  // after kNow
    bool accepted;
    const char* reason;  // a fragment of the refusal, or ""
  } steps[] = {
      {absl::Seconds(0), false, "not valid before"},  // before nbf - skew
      {absl::Seconds(45), true, ""},                  // in the skew window
      {absl::Seconds(150), true, ""},                 // remembered now
      {absl::Seconds(259), true, ""},                 // exp + skew - 1 s
      {absl::Seconds(260), false, "expired at"},      // exp + skew
      {absl::Seconds(150), true, ""},                 // (clock went back)
      {absl::Seconds(10), false, "not valid before"},
  };
  for (const Step& step : steps) {
    SCOPED_TRACE(absl::FormatDuration(step.at));
    absl::StatusOr<Principal> who = verifier.Verify(token, kNow + step.at);
    EXPECT_EQ(who.ok(), step.accepted) << who.status();
    if (!step.accepted) {
      EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);
      EXPECT_NE(who.status().message().find(step.reason),
                absl::string_view::npos)
          << who.status();
    } else {
      EXPECT_EQ(who->subject, "user:zhang.wei");
    }
  }
  // The same claims with a wrong signature are refused, whatever was
  // remembered.
  std::string forged = token;
  char& first = forged[forged.rfind('.') + 1];
  first = first == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verifier.Verify(forged, kNow + absl::Seconds(150)).ok());
}

TEST(TokenVerifierTest, RefusesBadTokensWithTheReason) {
  const int64_t now = absl::ToUnixSeconds(kNow);
  const std::string exp = absl::StrCat(R"("exp":)", now + 3600);
  const std::string iat = absl::StrCat(R"("iat":)", now - 10);
  struct Case {
    std::string name;
    std::string token;
    absl::Time now;
    std::string reason;  // "" = accepted
  };
  const std::vector<Case> cases = {
      {"empty", "", kNow, "no bearer token"},
      {"garbage", "abc", kNow, "three"},
      {"not base64url", "a+b.c.d", kNow, "base64url"},
      {"padded", Hs256(Claims()) + "=", kNow, "base64url"},
      {"wrong secret", Hs256(Claims(), std::string(40, 'x')), kNow,
       "HS256 signature mismatch"},
      {"tampered claims",
       Unsigned(R"({"alg":"HS256"})", Claims()) +
           Hs256(Claims()).substr(Hs256(Claims()).rfind('.') + 1),
       kNow, "HS256 signature mismatch"},
      {"wrong rsa key", Rs256(Claims(), OtherKeys().private_pem), kNow,
       "RS256 signature mismatch"},
      {"alg none", Unsigned(R"({"alg":"none"})", Claims()), kNow,
       "algorithm \"none\""},
      {"alg missing", Unsigned(R"({"typ":"JWT"})", Claims()), kNow,
       "algorithm \"\""},
      {"alg confusion", Hs256AnyKey(Claims(), Keys().public_pem), kNow,
       "HS256 signature mismatch"},
      {"crit header", Unsigned(R"({"alg":"HS256","crit":["x"]})", Claims()),
       kNow, "critical"},
      {"wrong issuer", Hs256(Claims("cmc-test", "other")), kNow, "issuer"},
      {"no issuer", Hs256(Claims(R"("iss":"cmc-test",)", "")), kNow, "issuer"},
      {"wrong audience", Hs256(Claims(R"("aud":"cmc")", R"("aud":"cmcx")")),
       kNow, "audience"},
      {"audience array",
       Hs256(Claims(R"("aud":"cmc")", R"("aud":["x","cmc"])")), kNow, ""},
      {"audience array without",
       Hs256(Claims(R"("aud":"cmc")", R"("aud":["x"])")), kNow, "audience"},
      {"no audience", Hs256(Claims(R"("aud":"cmc",)", "")), kNow, "audience"},
      {"no exp", Hs256(Claims("," + exp, "")), kNow, "exp is missing"},
      {"exp not a number", Hs256(Claims(exp, R"("exp":"soon")")), kNow,
       "exp is not a number"},
      {"exp huge", Hs256(Claims(exp, R"("exp":1e300)")), kNow,
       "exp is not a number"},
      {"expired beyond skew", Hs256(Claims()), kNow + absl::Seconds(3600 + 60),
       "expired"},
      {"expired within skew", Hs256(Claims()), kNow + absl::Seconds(3600 + 59),
       ""},
      {"nbf beyond skew",
       Hs256(Claims(iat, absl::StrCat(R"("nbf":)", now + 61))), kNow,
       "not valid before"},
      {"nbf within skew",
       Hs256(Claims(iat, absl::StrCat(R"("nbf":)", now + 60))), kNow, ""},
      {"iat in the future",
       Hs256(Claims(iat, absl::StrCat(R"("iat":)", now + 61))), kNow,
       "issued in the future"},
      {"no sub", Hs256(Claims(R"("sub":"user:zhang.wei",)", "")), kNow,
       "claim sub"},
      {"sub without kind", Hs256(Claims("user:zhang.wei", "zhang.wei")), kNow,
       "claim sub"},
      {"system sub", Hs256(Claims("user:zhang.wei", "system:his")), kNow, ""},
      {"roles not array",
       Hs256(Claims(R"(["clinician","township_admin"])", R"("clinician")")),
       kNow, "roles is not an array"},
      {"role malformed", Hs256(Claims(R"("clinician")", R"("Clinician,x")")),
       kNow, "role \"Clinician,x\""},
      {"role not string", Hs256(Claims(R"("clinician")", "7")), kNow,
       "non-string"},
      {"no scope",
       Hs256(Claims(R"("scope":["community:com-1","institution:ins-7"],)", "")),
       kNow, "scope is not an array"},
      {"scope unknown kind", Hs256(Claims("community:com-1", "village:v-1")),
       kNow, "scope entry \"village:v-1\""},
      {"scope empty id", Hs256(Claims("community:com-1", "community:")), kNow,
       "scope entry"},
      {"claims not an object", Hs256AnyKey("[1]", kSecret), kNow,
       "not a JSON object"},
  };
  const TokenVerifier verifier = Verifier();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<Principal> who = verifier.Verify(c.token, c.now);
    if (c.reason.empty()) {
      EXPECT_TRUE(who.ok()) << who.status();
      continue;
    }
    ASSERT_FALSE(who.ok());
    EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_NE(who.status().message().find(c.reason), std::string::npos)
        << who.status().message();
  }
}

TEST(TokenVerifierTest, MaxLifetimeRefusesLongLivedTokens) {
  TokenVerifierOptions options;
  options.hs256_secret = kSecret;
  options.issuer = "cmc-test";
  options.audience = "cmc";
  options.max_lifetime = absl::Hours(1);  // skew 60 s
  absl::StatusOr<TokenVerifier> verifier = TokenVerifier::Create(options);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  const int64_t now = absl::ToUnixSeconds(kNow);
  const std::string default_times =
      absl::StrCat(R"("iat":)", now - 10, R"(,"exp":)", now + 3600);
  const struct {
    const char* name;
    int64_t iat;  // 0 = no iat claim
    int64_t exp;
    bool accepted;
  } cases[] = {
      {"exactly the maximum from iat", now - 10, now - 10 + 3600, true},
      {"one second longer from iat", now - 10, now - 10 + 3601, false},
      {"a day from iat", now, now + 86400, false},
      {"long ago issued, long lived, soon expiring", now - 86000, now + 400,
       false},
      {"no iat, within maximum and skew", 0, now + 3660, true},
      {"no iat, past maximum and skew", 0, now + 3661, false},
      {"iat ahead by the skew, the maximum", now + 60, now + 3660, true},
      {"iat ahead by the skew, one second more", now + 60, now + 3661, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string times =
        c.iat == 0 ? absl::StrCat(R"("exp":)", c.exp)
                   : absl::StrCat(R"("iat":)", c.iat, R"(,"exp":)", c.exp);
    absl::StatusOr<Principal> who =
        verifier->Verify(Hs256(Claims(default_times, times)), kNow);
    EXPECT_EQ(who.ok(), c.accepted) << who.status();
    if (!c.accepted) {
      EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);
    }
  }
  // Without a maximum the day-long token is accepted.
  EXPECT_TRUE(
      Verifier()
          .Verify(Hs256(Claims(default_times,
                               absl::StrCat(R"("iat":)", now, R"(,"exp":)",
                                            now + 86400))),
                  kNow)
          .ok());
}

TEST(TokenVerifierTest, ATokenPastTheSizeLimitIsRefusedUnread) {
  const TokenVerifier verifier = Verifier();
  absl::StatusOr<Principal> who =
      verifier.Verify(std::string(kMaxTokenBytes + 1, 'a'), kNow);
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(who.status().message().find("longer than 32768"), std::string::npos)
      << who.status();
  // At the limit a token is read (and here found malformed).
  who = verifier.Verify(std::string(kMaxTokenBytes, 'a'), kNow);
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.status().message().find("longer than"), std::string::npos)
      << who.status();
}

TEST(TokenVerifierTest, RefusesAnAlgorithmWithoutItsKey) {
  TokenVerifierOptions options;
  options.rs256_public_key = Keys().public_pem;
  options.issuer = "cmc-test";
  options.audience = "cmc";
  absl::StatusOr<TokenVerifier> rsa_only = TokenVerifier::Create(options);
  ASSERT_TRUE(rsa_only.ok()) << rsa_only.status();
  EXPECT_EQ(rsa_only->Verify(Hs256(Claims()), kNow).status().message(),
            "algorithm \"HS256\" is not accepted");
  EXPECT_TRUE(rsa_only->Verify(Rs256(Claims(), Keys().private_pem), kNow).ok());
}

TEST(TokenVerifierTest, CreateRefusesBadOptionsNamingThem) {
  struct Case {
    std::string name;
    TokenVerifierOptions options;
    std::string message;
  };
  const RsaKeys weak = GenerateRsa(1024);
  auto with = [](std::string secret, std::string pem, std::string iss,
                 std::string aud, absl::Duration skew) {
    TokenVerifierOptions o;
    o.hs256_secret = std::move(secret);
    o.rs256_public_key = std::move(pem);
    o.issuer = std::move(iss);
    o.audience = std::move(aud);
    o.clock_skew = skew;
    return o;
  };
  const absl::Duration skew = absl::Seconds(60);
  const std::vector<Case> cases = {
      {"no key", with("", "", "i", "a", skew), "hs256_secret: a secret or"},
      {"short secret", with("short", "", "i", "a", skew),
       "hs256_secret: needs at least 32"},
      {"not a pem", with("", "hello", "i", "a", skew),
       "rs256_public_key: not a PEM"},
      {"private pem", with("", Keys().private_pem, "i", "a", skew),
       "rs256_public_key"},
      {"weak rsa", with("", weak.public_pem, "i", "a", skew),
       "rs256_public_key"},
      {"no issuer", with(kSecret, "", "", "a", skew), "issuer: required"},
      {"no audience", with(kSecret, "", "i", "", skew), "audience: required"},
      {"negative skew", with(kSecret, "", "i", "a", absl::Seconds(-1)),
       "clock_skew"},
      {"huge skew", with(kSecret, "", "i", "a", absl::Seconds(301)),
       "clock_skew"},
      {"negative lifetime",
       [&] {
         TokenVerifierOptions o = with(kSecret, "", "i", "a", skew);
         o.max_lifetime = absl::Seconds(-1);
         return o;
       }(),
       "max_lifetime"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<TokenVerifier> verifier = TokenVerifier::Create(c.options);
    ASSERT_FALSE(verifier.ok());
    EXPECT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(verifier.status().message().find(c.message), std::string::npos)
        << verifier.status().message();
  }
}

TEST(TokenVerifierTest, BearerTokenReadsTheAuthorizationHeader) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Bearer abc.def.ghi", "abc.def.ghi"},
      {"bearer abc", "abc"},
      {"BEARER  abc ", "abc"},
      {"Basic dXNlcg==", ""},
      {"Bearer", ""},
      {"Bearer ", ""},
      {"", ""},
  };
  for (const auto& [header, token] : cases) {
    EXPECT_EQ(BearerToken(header), token) << header;
  }
}

std::string Hs256AnyKey(const std::string& claims, const std::string& secret) {
  // SignJwt refuses short secrets and non-object claims, so build it by hand.
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const std::string input =
      absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"HS256"})"), ".",
                   absl::WebSafeBase64Escape(claims));
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
       &length);
  return absl::StrCat(input, ".",
                      absl::WebSafeBase64Escape(absl::string_view(
                          reinterpret_cast<const char*>(mac), length)));
}

}  // namespace
}  // namespace cmc::gateway
