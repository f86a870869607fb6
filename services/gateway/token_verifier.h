// Bearer tokens to principals: the gateway's authentication of people and
// systems. Pure apart from OpenSSL; the clock is a parameter.
//
//   CMC_ASSIGN_OR_RETURN(TokenVerifier verifier,
//   TokenVerifier::Create(options)); absl::StatusOr<Principal> who =
//   verifier.Verify(token, absl::Now());
//
// A token is accepted when its signature checks out (see JwtSignatureVerifier)
// and its claims are:
//   sub    "user:<name>" or "system:<name>"           required
//   roles  array of role names ([a-z0-9_]+)            required, may be empty
//   scope  array of "county" | "community:<id>" |
//          "institution:<id>"                          required, may be empty
//   iss    equal to the configured issuer              required
//   aud    the configured audience, or an array with it required
//   exp    seconds since the epoch, now < exp + skew   required
//   nbf    now >= nbf - skew                           optional
//   iat    iat <= now + skew                           optional
// and, when a maximum lifetime is set, exp - iat <= max_lifetime (iat given)
// and exp - now <= max_lifetime + skew: a token that lives longer is refused
// however it is signed, so a leaked long-lived token cannot be used.
#ifndef CMC_SERVICES_GATEWAY_TOKEN_VERIFIER_H_
#define CMC_SERVICES_GATEWAY_TOKEN_VERIFIER_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/identity/jwt.h"
#include "common/identity/principal.h"

namespace cmc::gateway {

// The longest token Verify reads (the part after "Bearer "): a token covering
// a county's 300 institutions by name is about 22 KB. A longer one is
// UNAUTHENTICATED without being parsed.
inline constexpr size_t kMaxTokenBytes = 32 << 10;

// The longest clock skew a deployment may configure.
inline constexpr absl::Duration kMaxClockSkew = absl::Minutes(5);

struct TokenVerifierOptions {
  std::string hs256_secret;      // "" = HS256 tokens are refused
  std::string rs256_public_key;  // PEM; "" = RS256 tokens are refused
  std::string issuer;
  std::string audience;
  // How far the issuer's clock may be ahead of or behind the gateway's.
  absl::Duration clock_skew = absl::Seconds(60);
  // The longest a token may live (see above); zero = no limit.
  absl::Duration max_lifetime = absl::ZeroDuration();
};

// Immutable after Create; Verify is thread-safe.
class TokenVerifier {
 public:
  // INVALID_ARGUMENT naming the option when there is no key, a key is bad,
  // issuer or audience is empty, clock_skew is outside 0..kMaxClockSkew, or
  // max_lifetime is negative.
  static absl::StatusOr<TokenVerifier> Create(TokenVerifierOptions options);

  // The principal `token` (the part after "Bearer ") speaks for at `now`.
  // UNAUTHENTICATED with the specific reason otherwise ("expired", "audience
  // ..."). The reason is for the server's log: callers get only "invalid
  // token" (see AccessControl).
  //
  // A token that verified once is remembered (at most kVerifiedTokenCacheSize
  // of them; the signature and claims of a token never change), so a caller
  // that sends the same token on every call pays for the signature check and
  // the JSON parse once; its time window is checked again on every call.
  // Thread-safe.
  // `valid_until` (optional) gets the end of the token's validity (exp plus
  // the clock skew), when it is accepted.
  absl::StatusOr<Principal> Verify(absl::string_view token, absl::Time now,
                                   absl::Time* valid_until = nullptr) const;

 private:
  // A verified token's principal and the span in which it is accepted
  // (clock skew included).
  struct Verified {
    Principal principal;
    absl::Time accepted_from;
    absl::Time accepted_until;
  };
  struct Cache {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, Verified> entries ABSL_GUARDED_BY(mu);
  };

  TokenVerifier(JwtSignatureVerifier signatures, TokenVerifierOptions options)
      : signatures_(std::move(signatures)),
        options_(std::move(options)),
        cache_(std::make_shared<Cache>()) {}

  // Signature and claims; `now` checks the time claims.
  absl::StatusOr<Verified> VerifyUncached(absl::string_view token,
                                          absl::Time now) const;

  JwtSignatureVerifier signatures_;
  TokenVerifierOptions options_;
  std::shared_ptr<Cache> cache_;
};

// How many verified tokens a TokenVerifier remembers; when full it forgets
// them all (callers re-verify once).
inline constexpr size_t kVerifiedTokenCacheSize = 10000;

// Adds one org scope entry ("county", "community:<id>", "institution:<id>";
// ids without commas or spaces) to `principal`. INVALID_ARGUMENT naming the
// entry otherwise. Shared by tokens, certificate principals and the
// development principal.
absl::Status AddScopeEntry(absl::string_view entry, Principal* principal);

// True for a subject "user:<name>" or "system:<name>".
bool IsSubject(absl::string_view subject);

// True for a role name: [a-z0-9_]+.
bool IsRoleName(absl::string_view role);

// The token of an "authorization" header value "Bearer <token>" (the scheme
// case-insensitive), or "" when the value is not of that form.
absl::string_view BearerToken(absl::string_view authorization);

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_TOKEN_VERIFIER_H_
