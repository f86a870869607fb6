// JSON Web Tokens (RFC 7519) in compact form ("<header>.<claims>.<signature>",
// base64url without padding), signed with HS256 (HMAC-SHA256 and a shared
// secret) or RS256 (RSASSA-PKCS1-v1_5 SHA-256 and an RSA key pair), using
// OpenSSL directly. See decision D16 in docs/decisions.md for why not libjwt.
//
//   CMC_ASSIGN_OR_RETURN(std::string token,
//                        SignJwt(JwtAlgorithm::kHs256, R"({"sub":"user:li"})",
//                                secret));
//   CMC_ASSIGN_OR_RETURN(JwtSignatureVerifier verifier,
//                        JwtSignatureVerifier::Create(secret, ""));
//   absl::StatusOr<google::protobuf::Struct> claims = verifier.Verify(token);
#ifndef CMC_COMMON_IDENTITY_JWT_H_
#define CMC_COMMON_IDENTITY_JWT_H_

#include <google/protobuf/struct.pb.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/config.h"  // ReadTextFile

namespace cmc {

enum class JwtAlgorithm { kHs256, kRs256 };

// HS256 secrets must be at least as long as the hash (RFC 7518 section 3.2).
inline constexpr size_t kMinHs256SecretBytes = 32;

// A token over `claims_json` (a JSON object), signed with `key`: the secret
// for HS256, a PEM private key ("-----BEGIN PRIVATE KEY-----") for RS256.
// INVALID_ARGUMENT when the claims are not a JSON object, the secret is shorter
// than kMinHs256SecretBytes or the PEM is not an RSA private key.
absl::StatusOr<std::string> SignJwt(JwtAlgorithm algorithm,
                                    absl::string_view claims_json,
                                    absl::string_view key);

// The contents of a secret file: its bytes without trailing whitespace, so a
// file written by `echo` or `openssl rand -hex 32` works. NOT_FOUND when it
// cannot be read, INVALID_ARGUMENT when what remains is shorter than
// kMinHs256SecretBytes. Both name `path`.
absl::StatusOr<std::string> ReadHs256SecretFile(const std::string& path);

// Checks token signatures against the configured keys. The algorithm is pinned
// by the key: a token is checked with HMAC only when a secret is configured and
// its header says HS256, with RSA only when a public key is configured and its
// header says RS256; any other "alg" (including "none") is refused, so an RSA
// public key can never be used as an HMAC secret. Immutable and thread-safe.
class JwtSignatureVerifier {
 public:
  // A verifier with an HS256 `secret` and/or an RS256 `public_key_pem` ("" =
  // that algorithm is refused). INVALID_ARGUMENT when both are empty, the
  // secret is too short, or the PEM is not an RSA public key of at least 2048
  // bits; the message names "hs256_secret" or "rs256_public_key".
  static absl::StatusOr<JwtSignatureVerifier> Create(
      std::string secret, absl::string_view public_key_pem);

  JwtSignatureVerifier(JwtSignatureVerifier&&);
  JwtSignatureVerifier& operator=(JwtSignatureVerifier&&);
  ~JwtSignatureVerifier();

  // The claims of `token` when it is well formed and its signature checks
  // out. UNAUTHENTICATED otherwise, with the specific reason in the message
  // (for the server's log, never for the caller). Claims are not checked here.
  absl::StatusOr<google::protobuf::Struct> Verify(
      absl::string_view token) const;

 private:
  struct PublicKey;
  JwtSignatureVerifier(std::string secret, std::unique_ptr<PublicKey> key);

  std::string secret_;
  std::unique_ptr<PublicKey> public_key_;
};

}  // namespace cmc

#endif  // CMC_COMMON_IDENTITY_JWT_H_
