// Who may pass the gateway: authentication (bearer token; else a verified
// client certificate listed in the policy; or the development principal when
// authentication is disabled), per-principal rate limiting, and
// authorization by the access policy, in that order. Used by the proxy for
// every forwarded call.
//
//   absl::StatusOr<Principal> who =
//       access.Admit(context->method(), context->client_metadata(),
//       absl::Now());
//   if (!who.ok()) return Finish(ToGrpcStatus(who.status()));
//   AttachPrincipal(*who, &backend_context);
#ifndef CMC_SERVICES_GATEWAY_ACCESS_CONTROL_H_
#define CMC_SERVICES_GATEWAY_ACCESS_CONTROL_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/string_ref.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/identity/principal.h"
#include "services/gateway/access_policy.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/routing.h"
#include "services/gateway/token_verifier.h"

namespace cmc::gateway {

// Thread-safe; immutable apart from the rate limiter's buckets.
class AccessControl {
 public:
  // Callers authenticate with "authorization: Bearer <jwt>" checked by
  // `verifier`, or with a client certificate the policy maps to a principal.
  // `rate` unset = no rate limit.
  AccessControl(TokenVerifier verifier, AccessPolicy policy,
                std::optional<RateLimiterOptions> rate);

  // For local development only: every caller is `dev_principal`, token or
  // not. The policy and the rate limit still apply.
  AccessControl(Principal dev_principal, AccessPolicy policy,
                std::optional<RateLimiterOptions> rate);

  // The verified principal of a call to `full_method` with request `metadata`
  // over a connection whose verified client certificate has subject CN
  // `client_common_name` ("" = none) at `now`, or the status the caller gets:
  //   - UNAUTHENTICATED "invalid token" when the call has a token that is not
  //     accepted, or no token and no certificate the policy lists; the
  //     specific reason goes to the log (event auth_failed, at info), never to
  //     the caller;
  //   - RESOURCE_EXHAUSTED with RetryInfo when the principal is over its rate;
  //   - PERMISSION_DENIED naming the method when the policy denies it.
  // `valid_until` (optional) gets when the admission ends: the token's exp
  // plus the clock skew, or never (a certificate, the development principal).
  absl::StatusOr<Principal> Admit(absl::string_view full_method,
                                  const Metadata& metadata,
                                  absl::string_view client_common_name,
                                  absl::Time now,
                                  absl::Time* valid_until = nullptr) const;
  // Admit for the call on `context`: its request metadata and the verified
  // client certificate of its connection (cmc::PeerCommonName). What the
  // proxy and GatewayService both run first, once per call.
  absl::StatusOr<Principal> AdmitCall(absl::string_view full_method,
                                      const grpc::ServerContextBase& context,
                                      absl::Time now,
                                      absl::Time* valid_until = nullptr) const;

 private:
  AccessControl(std::optional<TokenVerifier> verifier,
                std::optional<Principal> dev_principal, AccessPolicy policy,
                std::optional<RateLimiterOptions> rate);

  absl::StatusOr<Principal> Authenticate(const Metadata& metadata,
                                         absl::string_view client_common_name,
                                         absl::Time now,
                                         absl::Time* valid_until) const;

  const std::optional<TokenVerifier> verifier_;
  const std::optional<Principal> dev_principal_;
  const AccessPolicy policy_;
  const std::unique_ptr<RateLimiter> limiter_;  // nullptr = unlimited
};

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_ACCESS_CONTROL_H_
