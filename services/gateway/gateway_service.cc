#include "services/gateway/gateway_service.h"

#include <algorithm>
#include <chrono>

#include "common/status.h"
#include "services/gateway/audit_record.h"
#include "services/gateway/audit_store.h"

namespace cmc::gateway {
namespace {

// grpc::ServerContext does not expose the method; the generated stub's name is
// the one the policy lists.
constexpr char kListAuditRecords[] =
    "/cmc.gateway.v1.GatewayService/ListAuditRecords";

}  // namespace

GatewayService::GatewayService(db::Pool* pool, const AccessControl* access,
                               Options options)
    : pool_(pool), access_(access), options_(options) {}

grpc::Status GatewayService::ListAuditRecords(
    grpc::ServerContext* context, const v1::ListAuditRecordsRequest* request,
    v1::ListAuditRecordsResponse* response) {
  const absl::Time now = absl::Now();
  if (access_ != nullptr) {
    absl::StatusOr<Principal> admitted =
        access_->Admit(kListAuditRecords, context->client_metadata(),
                       VerifiedClientCommonName(*context), now);
    if (!admitted.ok()) return ToGrpcStatus(admitted.status());
  }
  absl::StatusOr<AuditQuery> query = AuditQueryFromRequest(*request);
  if (!query.ok()) return ToGrpcStatus(query.status());
  const absl::Time deadline = std::min(absl::FromChrono(context->deadline()),
                                       now + options_.max_query_time);
  absl::StatusOr<v1::ListAuditRecordsResponse> page =
      QueryAuditRecords(*pool_, *query, deadline);
  if (!page.ok()) return ToGrpcStatus(page.status());
  *response = *std::move(page);
  return grpc::Status::OK;
}

}  // namespace cmc::gateway
