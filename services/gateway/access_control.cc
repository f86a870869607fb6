#include "services/gateway/access_control.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/identity/peer.h"
#include "common/log.h"

namespace cmc::gateway {

AccessControl::AccessControl(TokenVerifier verifier, AccessPolicy policy,
                             std::optional<RateLimiterOptions> rate)
    : AccessControl(std::move(verifier), std::nullopt, std::move(policy),
                    rate) {}

AccessControl::AccessControl(Principal dev_principal, AccessPolicy policy,
                             std::optional<RateLimiterOptions> rate)
    : AccessControl(std::nullopt, std::move(dev_principal), std::move(policy),
                    rate) {}

AccessControl::AccessControl(std::optional<TokenVerifier> verifier,
                             std::optional<Principal> dev_principal,
                             AccessPolicy policy,
                             std::optional<RateLimiterOptions> rate)
    : verifier_(std::move(verifier)),
      dev_principal_(std::move(dev_principal)),
      policy_(std::move(policy)),
      limiter_(rate.has_value() ? std::make_unique<RateLimiter>(*rate)
                                : nullptr) {}

absl::StatusOr<Principal> AccessControl::Authenticate(
    const Metadata& metadata, absl::string_view client_common_name,
    absl::Time now, absl::Time* valid_until) const {
  if (valid_until != nullptr) *valid_until = absl::InfiniteFuture();
  if (dev_principal_.has_value()) return *dev_principal_;
  auto header = metadata.find("authorization");
  if (header == metadata.end() && !client_common_name.empty()) {
    const Principal* principal =
        policy_.CertificatePrincipal(client_common_name);
    if (principal != nullptr) return *principal;
    return absl::UnauthenticatedError(
        absl::StrCat("client certificate CN \"", client_common_name,
                     "\" is not in the policy's certificate_principals"));
  }
  absl::string_view token;
  if (header != metadata.end()) {
    token = BearerToken(
        absl::string_view(header->second.data(), header->second.size()));
  }
  return verifier_->Verify(token, now, valid_until);
}

absl::StatusOr<Principal> AccessControl::AdmitCall(
    absl::string_view full_method, const grpc::ServerContextBase& context,
    absl::Time now, absl::Time* valid_until) const {
  return Admit(full_method, context.client_metadata(), PeerCommonName(context),
               now, valid_until);
}

absl::StatusOr<Principal> AccessControl::Admit(
    absl::string_view full_method, const Metadata& metadata,
    absl::string_view client_common_name, absl::Time now,
    absl::Time* valid_until) const {
  absl::StatusOr<Principal> principal =
      Authenticate(metadata, client_common_name, now, valid_until);
  if (!principal.ok()) {
    Log(LogLevel::kInfo, "auth_failed")
        .Field("method", full_method)
        .Field("reason", principal.status().message());
    return absl::UnauthenticatedError("invalid token");
  }
  if (limiter_ != nullptr) {
    absl::Status admitted = limiter_->Admit(principal->subject, now);
    if (!admitted.ok()) {
      Log(LogLevel::kDebug, "rate_limited")
          .Field("subject", principal->subject)
          .Field("method", full_method);
      return admitted;
    }
  }
  absl::Status allowed = policy_.Authorize(full_method, *principal);
  if (!allowed.ok()) return allowed;
  return principal;
}

}  // namespace cmc::gateway
