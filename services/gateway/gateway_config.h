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
#include "common/server/server.h"
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
ABSL_DECLARE_FLAG(int, public_max_message_bytes);
ABSL_DECLARE_FLAG(bool, public_reflection);

namespace cmc::gateway {

// The default of --public_max_message_bytes: the largest message a caller
// exchanges with the public port. A county's biggest answer is a page of
// 1000 list items (well under 4 MiB), the backends' answers reach the
// gateway through channels that take at most 4 MiB, and an import is a
// stream of one row per message.
inline constexpr int kPublicMaxMessageBytes = 4 << 20;

// The request metadata (all headers of a call) the public port accepts. A
// token up to kMaxTokenBytes (token_verifier.h) is verified; a longer one,
// up to this limit, is UNAUTHENTICATED "invalid token" and logged like any
// bad token, and harms no other call. Past this limit gRPC's transport
// refuses the headers before the gateway sees them, and in gRPC 1.51 ends
// the caller's connection with them (its other calls fail; other callers'
// connections are not touched). Far above any token a client should send.
inline constexpr int kPublicMaxMetadataBytes = 256 << 10;

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
  // --public_max_message_bytes.
  int public_max_message_bytes = kPublicMaxMessageBytes;
  // --public_reflection.
  bool public_reflection = false;
};

// The gateway's configuration from the parsed flags. INVALID_ARGUMENT whose
// message starts with the flag ("--<flag>: <why>") when a value is out of
// range, an address is empty, or a policy, key or certificate file does not
// load. Logs the access and TLS configuration (access_flags.h), not the
// service's (LogServiceConfig).
absl::StatusOr<GatewayConfig> GatewayConfigFromFlags();

// The options of the gateway's public server: the service's, with the
// public port's credentials, message limit (--public_max_message_bytes),
// metadata limit (kPublicMaxMetadataBytes) and reflection only with
// --public_reflection.
ServerOptions PublicServerOptions(const GatewayConfig& config);

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_GATEWAY_CONFIG_H_
