// cmc.gateway.v1.GatewayService, served by cmc-gateway itself: the audit trail
// (ListAuditRecords). Registered on the gateway's server next to the proxy;
// a registered service takes precedence over the generic one, so these calls
// are never forwarded.
//
//   GatewayService service(pool.get(), access_control.get());
//   server.AddService(&service, v1::GatewayService::service_full_name());
//
// Every call passes the same AccessControl as forwarded calls (token or
// client certificate, rate limit, the policy's rule for the method) before it
// touches the database.
#ifndef CMC_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
#define CMC_SERVICES_GATEWAY_GATEWAY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "absl/time/time.h"
#include "cmc/gateway/v1/gateway.grpc.pb.h"
#include "common/db/pool.h"
#include "services/gateway/access_control.h"

namespace cmc::gateway {

class GatewayService final : public v1::GatewayService::Service {
 public:
  struct Options {
    // The database budget of a call whose caller set no earlier deadline.
    absl::Duration max_query_time = absl::Seconds(30);
  };

  // `pool` (schema cmc_gateway) and `access` must outlive the service;
  // `access` nullptr admits every call anonymously (tests of the query only).
  GatewayService(db::Pool* pool, const AccessControl* access, Options options);

  // See gateway.proto. UNAUTHENTICATED, RESOURCE_EXHAUSTED or
  // PERMISSION_DENIED from the access control; INVALID_ARGUMENT naming the
  // field; UNAVAILABLE when the audit database cannot be reached.
  grpc::Status ListAuditRecords(
      grpc::ServerContext* context, const v1::ListAuditRecordsRequest* request,
      v1::ListAuditRecordsResponse* response) override;

 private:
  db::Pool* const pool_;
  const AccessControl* const access_;
  const Options options_;
};

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
