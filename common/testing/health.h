// Asking a server's grpc.health.v1.Health service from tests.
#ifndef CMC_COMMON_TESTING_HEALTH_H_
#define CMC_COMMON_TESTING_HEALTH_H_

#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>

#include "absl/time/time.h"

namespace cmc::testing {

// The status name ("SERVING", "NOT_SERVING", ...) of `service` ("" = the
// server as a whole) at `address` (host:port), or "unreachable" when the check
// fails (no server, unknown service, 2 s deadline). `credentials` of the
// channel: nullptr = plaintext (a server behind internal TLS wants a client
// certificate of the deployment's CA: Stack::InternalCredentials).
std::string HealthStatus(
    const std::string& address, const std::string& service,
    std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

// Asks every 50 ms until the status is `want`; false when `within` runs out.
bool EventuallyHealth(
    const std::string& address, const std::string& service,
    const std::string& want, absl::Duration within,
    std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

}  // namespace cmc::testing

#endif  // CMC_COMMON_TESTING_HEALTH_H_
