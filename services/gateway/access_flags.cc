#include "services/gateway/access_flags.h"

#include <grpcpp/security/server_credentials.h>

#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/log.h"
#include "common/status.h"

ABSL_FLAG(std::string, auth_mode, "required",
          "required: every call needs a valid bearer token; disabled (local "
          "development only): every caller is the --dev_principal_*");
ABSL_FLAG(std::string, policy_file, "",
          "Text-format cmc.gateway.v1.GatewayPolicy: the roles allowed per "
          "method (required)");
ABSL_FLAG(std::string, jwt_hs256_secret_file, "",
          "File holding the shared HS256 secret (at least 32 bytes)");
ABSL_FLAG(std::string, jwt_rs256_public_key_file, "",
          "PEM file of the issuer's RSA public key for RS256 tokens");
ABSL_FLAG(std::string, jwt_issuer, "cmc", "Required token issuer (iss)");
ABSL_FLAG(std::string, jwt_audience, "cmc", "Required token audience (aud)");
ABSL_FLAG(int, jwt_clock_skew_s, 60,
          "Clock skew allowed when checking exp, nbf and iat (0..300)");
ABSL_FLAG(int, max_token_lifetime_s, 86400,
          "Longest a token may live: refused when exp - iat, or exp - now, "
          "exceeds it (the latter plus the clock skew); 0 = no limit");
ABSL_FLAG(double, rate_limit_per_s, 50,
          "Calls per second each principal may sustain; 0 = no limit");
ABSL_FLAG(int, rate_limit_burst, 100,
          "Calls a principal may make at once (>= 1)");
ABSL_FLAG(std::string, dev_principal_subject, "user:dev",
          "--auth_mode=disabled: the subject every caller gets");
ABSL_FLAG(std::string, dev_principal_roles, "community_admin,auditor",
          "--auth_mode=disabled: the roles every caller gets");
ABSL_FLAG(std::string, dev_principal_scope, "county",
          "--auth_mode=disabled: the org scope every caller gets");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain of the public port; enables TLS");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA certificates that sign client certificates; enables mutual "
          "TLS for systems listed in the policy's certificate_principals");

namespace cmc::gateway {
namespace {

absl::Status BadFlag(absl::string_view flag, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", why));
}

absl::StatusOr<std::string> ReadFlagFile(absl::string_view flag,
                                         const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return BadFlag(flag, text.status().message());
  return text;
}

absl::StatusOr<Principal> DevPrincipal() {
  Principal dev;
  dev.subject = absl::GetFlag(FLAGS_dev_principal_subject);
  if (!IsSubject(dev.subject)) {
    return BadFlag("dev_principal_subject",
                   "must be user:<name> or system:<name>");
  }
  for (absl::string_view role :
       absl::StrSplit(absl::GetFlag(FLAGS_dev_principal_roles), ',',
                      absl::SkipWhitespace())) {
    if (!IsRoleName(role)) {
      return BadFlag("dev_principal_roles",
                     absl::StrCat("\"", role, "\" is not a role name"));
    }
    dev.roles.insert(std::string(role));
  }
  for (absl::string_view scope :
       absl::StrSplit(absl::GetFlag(FLAGS_dev_principal_scope), ',',
                      absl::SkipWhitespace())) {
    absl::Status added = AddScopeEntry(scope, &dev);
    if (!added.ok()) return BadFlag("dev_principal_scope", added.message());
  }
  return dev;
}

absl::StatusOr<TokenVerifier> VerifierFromFlags() {
  TokenVerifierOptions options;
  const std::string secret_file = absl::GetFlag(FLAGS_jwt_hs256_secret_file);
  const std::string key_file = absl::GetFlag(FLAGS_jwt_rs256_public_key_file);
  if (secret_file.empty() && key_file.empty()) {
    return BadFlag("jwt_hs256_secret_file",
                   "this or --jwt_rs256_public_key_file is required with "
                   "--auth_mode=required");
  }
  if (!secret_file.empty()) {
    absl::StatusOr<std::string> secret = ReadHs256SecretFile(secret_file);
    if (!secret.ok()) {
      return BadFlag("jwt_hs256_secret_file", secret.status().message());
    }
    options.hs256_secret = *std::move(secret);
  }
  if (!key_file.empty()) {
    CMC_ASSIGN_OR_RETURN(options.rs256_public_key,
                         ReadFlagFile("jwt_rs256_public_key_file", key_file));
  }
  options.issuer = absl::GetFlag(FLAGS_jwt_issuer);
  options.audience = absl::GetFlag(FLAGS_jwt_audience);
  options.clock_skew = absl::Seconds(absl::GetFlag(FLAGS_jwt_clock_skew_s));
  options.max_lifetime =
      absl::Seconds(absl::GetFlag(FLAGS_max_token_lifetime_s));
  absl::StatusOr<TokenVerifier> verifier = TokenVerifier::Create(options);
  if (!verifier.ok()) {
    // Name the flag behind the option the verifier refused.
    const std::string message(verifier.status().message());
    const char* flag =
        absl::StartsWith(message, "issuer")         ? "jwt_issuer"
        : absl::StartsWith(message, "audience")     ? "jwt_audience"
        : absl::StartsWith(message, "clock_skew")   ? "jwt_clock_skew_s"
        : absl::StartsWith(message, "max_lifetime") ? "max_token_lifetime_s"
        : absl::StartsWith(message, "rs256") ? "jwt_rs256_public_key_file"
                                             : "jwt_hs256_secret_file";
    return BadFlag(flag, message);
  }
  return verifier;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AccessControl>> AccessControlFromFlags() {
  const std::string mode = absl::GetFlag(FLAGS_auth_mode);
  if (mode != "required" && mode != "disabled") {
    return BadFlag(
        "auth_mode",
        absl::StrCat("must be required or disabled, got \"", mode, "\""));
  }
  if (absl::GetFlag(FLAGS_max_token_lifetime_s) < 0) {
    return BadFlag("max_token_lifetime_s", "must be >= 0 (0 = no limit)");
  }
  const std::string policy_file = absl::GetFlag(FLAGS_policy_file);
  if (policy_file.empty()) return BadFlag("policy_file", "required");
  absl::StatusOr<AccessPolicy> policy = AccessPolicy::Load(policy_file);
  if (!policy.ok()) return BadFlag("policy_file", policy.status().message());

  std::optional<RateLimiterOptions> rate;
  const double rate_per_s = absl::GetFlag(FLAGS_rate_limit_per_s);
  const int burst = absl::GetFlag(FLAGS_rate_limit_burst);
  if (!(rate_per_s >= 0 && rate_per_s <= 1e6)) {
    return BadFlag("rate_limit_per_s", "must be in 0..1000000");
  }
  if (burst < 1 || burst > 1000000) {
    return BadFlag("rate_limit_burst", "must be in 1..1000000");
  }
  if (rate_per_s > 0) rate = RateLimiterOptions{rate_per_s, double(burst)};

  if (mode == "disabled") {
    CMC_ASSIGN_OR_RETURN(Principal dev, DevPrincipal());
    Log(LogLevel::kInfo, "access_config")
        .Field("auth_mode", mode)
        .Field("policy_file", policy_file)
        .Field("rate_limit_per_s", rate_per_s)
        .Field("rate_limit_burst", burst);
    Log(LogLevel::kWarning, "auth_disabled")
        .Field("message",
               "AUTHENTICATION IS DISABLED: every caller is " + dev.subject +
                   " with roles " + absl::StrJoin(dev.roles, ",") +
                   ". For local development only; never expose this port.");
    return std::make_unique<AccessControl>(std::move(dev), *std::move(policy),
                                           rate);
  }
  CMC_ASSIGN_OR_RETURN(TokenVerifier verifier, VerifierFromFlags());
  Log(LogLevel::kInfo, "access_config")
      .Field("auth_mode", mode)
      .Field("policy_file", policy_file)
      .Field("rate_limit_per_s", rate_per_s)
      .Field("rate_limit_burst", burst)
      .Field("jwt_issuer", absl::GetFlag(FLAGS_jwt_issuer))
      .Field("jwt_audience", absl::GetFlag(FLAGS_jwt_audience))
      .Field("jwt_hs256_secret_file",
             absl::GetFlag(FLAGS_jwt_hs256_secret_file))
      .Field("jwt_rs256_public_key_file",
             absl::GetFlag(FLAGS_jwt_rs256_public_key_file))
      .Field("jwt_clock_skew_s", absl::GetFlag(FLAGS_jwt_clock_skew_s))
      .Field("max_token_lifetime_s", absl::GetFlag(FLAGS_max_token_lifetime_s));
  return std::make_unique<AccessControl>(std::move(verifier),
                                         *std::move(policy), rate);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>>
ServerCredentialsFromFlags() {
  const std::string cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  const std::string key_file = absl::GetFlag(FLAGS_tls_key_file);
  const std::string ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  if (cert_file.empty()) {
    if (!key_file.empty()) {
      return BadFlag("tls_key_file", "needs --tls_cert_file");
    }
    if (!ca_file.empty()) {
      return BadFlag("tls_client_ca_file", "needs --tls_cert_file");
    }
    return std::shared_ptr<grpc::ServerCredentials>();
  }
  if (key_file.empty()) {
    return BadFlag("tls_key_file", "required with --tls_cert_file");
  }
  grpc::SslServerCredentialsOptions options(
      ca_file.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                      : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  CMC_ASSIGN_OR_RETURN(pair.cert_chain,
                       ReadFlagFile("tls_cert_file", cert_file));
  CMC_ASSIGN_OR_RETURN(pair.private_key,
                       ReadFlagFile("tls_key_file", key_file));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  if (!ca_file.empty()) {
    CMC_ASSIGN_OR_RETURN(options.pem_root_certs,
                         ReadFlagFile("tls_client_ca_file", ca_file));
  }
  Log(LogLevel::kInfo, "tls_config")
      .Field("tls_cert_file", cert_file)
      .Field("tls_client_ca_file", ca_file);
  return grpc::SslServerCredentials(options);
}

}  // namespace cmc::gateway
