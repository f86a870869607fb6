// Everything cmc-gateway reads from its flags (each with a CMC_<FLAG>
// environment fallback, see common/config.h), validated at once, so main.cc
// refuses a bad configuration in one place.
//
//   cmc::ParseFlagsWithEnv(argc, argv, usage);
//   GatewayConfig config =
//       cmc::ValueOrExit(GatewayConfigFromFlags(), "cmc-gateway");
#ifndef CMC_SERVICES_GATEWAY_GATEWAY_CONFIG_H_
#define CMC_SERVICES_GATEWAY_GATEWAY_CONFIG_H_

#include <grpcpp/security/server_credentials.h>

#include <cstddef>
#include <memory>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config.h"
#include "services/gateway/access_control.h"
#include "services/gateway/routing.h"

ABSL_DECLARE_FLAG(std::string, institution_addr);
ABSL_DECLARE_FLAG(std::string, referral_addr);
ABSL_DECLARE_FLAG(std::string, dispatch_addr);
ABSL_DECLARE_FLAG(std::string, finance_addr);
ABSL_DECLARE_FLAG(std::string, indicator_addr);
ABSL_DECLARE_FLAG(int, backend_check_interval_ms);
ABSL_DECLARE_FLAG(int, audit_retention_days);
ABSL_DECLARE_FLAG(int, audit_queue_capacity);

namespace cmc::gateway {

struct GatewayConfig {
  // The flags every server reads (ports, database, deadlines, message size).
  ServiceConfig service;
  // The five domain services, from --<area>_addr.
  RouteTable routes;
  // --backend_check_interval_ms.
  absl::Duration backend_check_interval;
  // --audit_retention_days and --audit_queue_capacity.
  absl::Duration audit_retention;
  size_t audit_queue_capacity;
  // From --auth_mode, --policy_file, --jwt_*, --rate_limit_*,
  // --dev_principal_* (access_flags.h). Never null.
  std::unique_ptr<AccessControl> access;
  // From --tls_*; nullptr = plaintext (access_flags.h).
  std::shared_ptr<grpc::ServerCredentials> credentials;
};

// The gateway's configuration from the parsed flags. INVALID_ARGUMENT whose
// message starts with the flag ("--<flag>: <why>") when a value is out of
// range, an address is empty, or a policy, key or certificate file does not
// load. Logs the access and TLS configuration (access_flags.h), not the
// service's (LogServiceConfig).
absl::StatusOr<GatewayConfig> GatewayConfigFromFlags();

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_GATEWAY_CONFIG_H_
