// The gateway's access-control configuration from its flags (each with a
// CMC_<FLAG> environment fallback): --auth_mode, --policy_file, --jwt_*,
// --rate_limit_*, --dev_principal_* and --tls_*. See docs/operations.md.
#ifndef CMC_SERVICES_GATEWAY_ACCESS_FLAGS_H_
#define CMC_SERVICES_GATEWAY_ACCESS_FLAGS_H_

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "services/gateway/access_control.h"

ABSL_DECLARE_FLAG(std::string, tls_cert_file);
ABSL_DECLARE_FLAG(std::string, tls_key_file);
ABSL_DECLARE_FLAG(std::string, tls_client_ca_file);

namespace cmc::gateway {

// The access control the flags describe; logs it (event access_config, no
// secrets) and, when authentication is disabled, a warning (event
// auth_disabled) saying every caller gets the development principal.
// INVALID_ARGUMENT naming the flag when a value is bad, a required file is
// missing or a key or the policy does not load.
absl::StatusOr<std::unique_ptr<AccessControl>> AccessControlFromFlags();

// The credentials of the public port: nullptr (plaintext) without
// --tls_cert_file; TLS with it; and with --tls_client_ca_file also client
// certificates, requested and, when sent, verified against that CA (callers
// with a token need none). INVALID_ARGUMENT naming the flag when a file is
// missing or unreadable, or a flag is given without the one it needs.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>>
ServerCredentialsFromFlags();

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_ACCESS_FLAGS_H_
