#include "common/identity/jwt.h"

#include <google/protobuf/util/json_util.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status.h"

namespace cmc {

struct JwtSignatureVerifier::PublicKey {
  explicit PublicKey(EVP_PKEY* key) : pkey(key) {}
  ~PublicKey() { EVP_PKEY_free(pkey); }
  EVP_PKEY* const pkey;
};

namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(why);
}

std::string HmacSha256(absl::string_view secret, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
       &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

// `pem` read as a public key (`public_key`) or a private key; nullptr when it
// is neither.
PkeyPtr ReadPem(absl::string_view pem, bool public_key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  EVP_PKEY* key =
      public_key
          ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr)
          : PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  return PkeyPtr(key, &EVP_PKEY_free);
}

bool IsStrongRsa(EVP_PKEY* key) {
  return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
         EVP_PKEY_get_bits(key) >= 2048;
}

absl::StatusOr<std::string> SignRs256(absl::string_view pem,
                                      absl::string_view data) {
  PkeyPtr key = ReadPem(pem, /*public_key=*/false);
  if (key == nullptr || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return InvalidField("key", "not a PEM RSA private key");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t length = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                         key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return absl::InternalError("RS256 signing failed");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(&signature[0]),
                     &length,
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return absl::InternalError("RS256 signing failed");
  }
  signature.resize(length);
  return signature;
}

bool VerifyRs256(EVP_PKEY* key, absl::string_view data,
                 absl::string_view signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) ==
             1 &&
         EVP_DigestVerify(
             ctx.get(),
             reinterpret_cast<const unsigned char*>(signature.data()),
             signature.size(),
             reinterpret_cast<const unsigned char*>(data.data()),
             data.size()) == 1;
}

// Strict base64url without padding, as RFC 7515 requires.
bool DecodeBase64Url(absl::string_view text, std::string* out) {
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_') {
      return false;
    }
  }
  return absl::WebSafeBase64Unescape(text, out);
}

bool ParseJsonObject(absl::string_view json, google::protobuf::Struct* out) {
  google::protobuf::util::JsonParseOptions options;
  return google::protobuf::util::JsonStringToMessage(
             google::protobuf::StringPiece(json.data(), json.size()), out,
             options)
      .ok();
}

}  // namespace

absl::StatusOr<std::string> SignJwt(JwtAlgorithm algorithm,
                                    absl::string_view claims_json,
                                    absl::string_view key) {
  google::protobuf::Struct claims;
  if (!ParseJsonObject(claims_json, &claims)) {
    return InvalidField("claims", "not a JSON object");
  }
  const bool hs256 = algorithm == JwtAlgorithm::kHs256;
  if (hs256 && key.size() < kMinHs256SecretBytes) {
    return InvalidField("key", absl::StrCat("an HS256 secret needs at least ",
                                            kMinHs256SecretBytes, " bytes"));
  }
  const std::string header = hs256 ? R"({"alg":"HS256","typ":"JWT"})"
                                   : R"({"alg":"RS256","typ":"JWT"})";
  const std::string signing_input =
      absl::StrCat(absl::WebSafeBase64Escape(header), ".",
                   absl::WebSafeBase64Escape(claims_json));
  std::string signature;
  if (hs256) {
    signature = HmacSha256(key, signing_input);
  } else {
    CMC_ASSIGN_OR_RETURN(signature, SignRs256(key, signing_input));
  }
  return absl::StrCat(signing_input, ".", absl::WebSafeBase64Escape(signature));
}

absl::StatusOr<std::string> ReadHs256SecretFile(const std::string& path) {
  CMC_ASSIGN_OR_RETURN(std::string secret, ReadTextFile(path));
  absl::StripTrailingAsciiWhitespace(&secret);
  if (secret.size() < kMinHs256SecretBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": an HS256 secret needs at least ",
                     kMinHs256SecretBytes, " bytes, got ", secret.size()));
  }
  return secret;
}

absl::StatusOr<JwtSignatureVerifier> JwtSignatureVerifier::Create(
    std::string secret, absl::string_view public_key_pem) {
  if (secret.empty() && public_key_pem.empty()) {
    return InvalidField("hs256_secret",
                        "a secret or an RS256 public key is required");
  }
  if (!secret.empty() && secret.size() < kMinHs256SecretBytes) {
    return InvalidField("hs256_secret",
                        absl::StrCat("needs at least ", kMinHs256SecretBytes,
                                     " bytes, got ", secret.size()));
  }
  std::unique_ptr<PublicKey> key;
  if (!public_key_pem.empty()) {
    PkeyPtr pkey = ReadPem(public_key_pem, /*public_key=*/true);
    if (pkey == nullptr || !IsStrongRsa(pkey.get())) {
      return InvalidField("rs256_public_key",
                          "not a PEM RSA public key of at least 2048 bits "
                          "(\"-----BEGIN PUBLIC KEY-----\")");
    }
    key = std::make_unique<PublicKey>(pkey.release());
  }
  return JwtSignatureVerifier(std::move(secret), std::move(key));
}

JwtSignatureVerifier::JwtSignatureVerifier(std::string secret,
                                           std::unique_ptr<PublicKey> key)
    : secret_(std::move(secret)), public_key_(std::move(key)) {}

JwtSignatureVerifier::JwtSignatureVerifier(JwtSignatureVerifier&&) = default;
JwtSignatureVerifier& JwtSignatureVerifier::operator=(JwtSignatureVerifier&&) =
    default;
JwtSignatureVerifier::~JwtSignatureVerifier() = default;

absl::StatusOr<google::protobuf::Struct> JwtSignatureVerifier::Verify(
    absl::string_view token) const {
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3)
    return Unauthenticated("not three dot-separated parts");
  std::string header_json, claims_json, signature;
  if (!DecodeBase64Url(parts[0], &header_json) ||
      !DecodeBase64Url(parts[1], &claims_json) ||
      !DecodeBase64Url(parts[2], &signature)) {
    return Unauthenticated("a part is not base64url");
  }
  google::protobuf::Struct header;
  if (!ParseJsonObject(header_json, &header)) {
    return Unauthenticated("header is not a JSON object");
  }
  const auto& fields = header.fields();
  if (fields.count("crit") > 0) {
    return Unauthenticated("header has critical extensions");
  }
  auto alg = fields.find("alg");
  const std::string algorithm =
      alg == fields.end() ? "" : alg->second.string_value();
  const absl::string_view signing_input(token.data(),
                                        parts[0].size() + 1 + parts[1].size());
  if (algorithm == "HS256" && !secret_.empty()) {
    const std::string expected = HmacSha256(secret_, signing_input);
    if (signature.size() != expected.size() ||
        CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) !=
            0) {
      return Unauthenticated("HS256 signature mismatch");
    }
  } else if (algorithm == "RS256" && public_key_ != nullptr) {
    if (!VerifyRs256(public_key_->pkey, signing_input, signature)) {
      return Unauthenticated("RS256 signature mismatch");
    }
  } else {
    return Unauthenticated(
        absl::StrCat("algorithm \"", algorithm, "\" is not accepted"));
  }
  google::protobuf::Struct claims;
  if (!ParseJsonObject(claims_json, &claims)) {
    return Unauthenticated("claims are not a JSON object");
  }
  return claims;
}

}  // namespace cmc
