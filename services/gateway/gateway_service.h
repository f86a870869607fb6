// cmc.gateway.v1.GatewayService, served by cmc-gateway itself: the audit trail
// (ListAuditRecords) and the composed community overview
// (GetCommunityOverview, see overview_fetcher.h). Registered on the gateway's
// server next to the proxy; a registered service takes precedence over the
// generic one, so these calls are never forwarded.
//
//   GatewayService service(pool.get(), access_control.get(), options,
//                          overview_fetcher.get());
//   server.AddService(&service, v1::GatewayService::service_full_name());
//
// Every call passes the same AccessControl as forwarded calls (token or
// client certificate, rate limit, the policy's rule for the method) before it
// touches the database.
#ifndef CMC_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
#define CMC_SERVICES_GATEWAY_GATEWAY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cmc/gateway/v1/gateway.grpc.pb.h"
#include "common/db/pool.h"
#include "services/gateway/access_control.h"
#include "services/gateway/overview_fetcher.h"

namespace cmc::gateway {

class GatewayService final : public v1::GatewayService::Service {
 public:
  struct Options {
    // The database budget of a call whose caller set no earlier deadline.
    absl::Duration max_query_time = absl::Seconds(30);
    // The overview's deadline when the caller set none, and the most it may
    // take whatever the caller asked (--default_deadline_ms,
    // --max_deadline_ms).
    absl::Duration default_deadline = absl::Seconds(30);
    absl::Duration max_deadline = absl::Minutes(5);
    // The member institutions (ids) of a community, asked with the
    // auditor's principal by `deadline`: what ListAuditRecords shows an
    // auditor scoped to that community (see gateway.proto). main.cc asks the
    // institution service (OverviewFetcher::MemberInstitutions); unset = no
    // members (only callers scoped to the community itself are shown).
    std::function<absl::StatusOr<std::vector<std::string>>(
        const std::string& community_id, const Principal& auditor,
        absl::Time deadline)>
        community_members;
  };

  // `pool` (schema cmc_gateway), `access` and `overview` must outlive the
  // service; `access` nullptr admits every call anonymously (tests);
  // `overview` nullptr makes GetCommunityOverview UNIMPLEMENTED (tests of the
  // audit trail only).
  GatewayService(db::Pool* pool, const AccessControl* access, Options options,
                 const OverviewFetcher* overview = nullptr);

  // See gateway.proto. UNAUTHENTICATED, RESOURCE_EXHAUSTED or
  // PERMISSION_DENIED from the access control; INVALID_ARGUMENT naming the
  // field; UNAVAILABLE when the audit database or a community's members
  // cannot be reached. Only the records the auditor's scope covers.
  grpc::Status ListAuditRecords(
      grpc::ServerContext* context, const v1::ListAuditRecordsRequest* request,
      v1::ListAuditRecordsResponse* response) override;

  // See gateway.proto. Errors of the access control, INVALID_ARGUMENT naming
  // the field, PERMISSION_DENIED "community_id" out of scope; backend failures
  // only fill the sections' statuses.
  grpc::Status GetCommunityOverview(
      grpc::ServerContext* context,
      const v1::GetCommunityOverviewRequest* request,
      v1::CommunityOverview* response) override;

 private:
  db::Pool* const pool_;
  const AccessControl* const access_;
  const OverviewFetcher* const overview_;
  const Options options_;
};

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
