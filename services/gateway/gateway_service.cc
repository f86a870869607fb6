#include "services/gateway/gateway_service.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/service/county_time.h"
#include "common/status.h"
#include "services/gateway/audit_record.h"
#include "services/gateway/audit_store.h"
#include "services/gateway/overview.h"
#include "services/gateway/routing.h"

namespace cmc::gateway {
namespace {

// The full name ("/cmc.gateway.v1.GatewayService/ListAuditRecords") of the
// GatewayService method that takes `Request`, from the contract's descriptor:
// grpc::ServerContext does not tell a handler its method, and a name written
// by hand could drift from the one the policy lists.
template <typename Request>
const std::string& MethodTaking() {
  static const std::string* const name = [] {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            v1::GatewayService::service_full_name());
    for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
      if (service->method(i)->input_type() == Request::descriptor()) {
        return new std::string(absl::StrCat("/", service->full_name(), "/",
                                            service->method(i)->name()));
      }
    }
    std::fprintf(stderr, "GatewayService has no method taking %s\n",
                 Request::descriptor()->full_name().c_str());
    std::abort();
  }();
  return *name;
}

std::string Header(const grpc::ServerContext& context, const char* key) {
  auto it = context.client_metadata().find(key);
  if (it == context.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

GatewayService::GatewayService(db::Pool* pool, const AccessControl* access,
                               Options options, const OverviewFetcher* overview)
    : pool_(pool), access_(access), overview_(overview), options_(options) {}

grpc::Status GatewayService::ListAuditRecords(
    grpc::ServerContext* context, const v1::ListAuditRecordsRequest* request,
    v1::ListAuditRecordsResponse* response) {
  const absl::Time now = absl::Now();
  std::optional<Principal> auditor;  // none = anonymous, sees every record
  if (access_ != nullptr) {
    absl::StatusOr<Principal> admitted = access_->AdmitCall(
        MethodTaking<v1::ListAuditRecordsRequest>(), *context, now);
    if (!admitted.ok()) return ToGrpcStatus(admitted.status());
    auditor = *std::move(admitted);
  }
  absl::StatusOr<AuditQuery> query = AuditQueryFromRequest(*request);
  if (!query.ok()) return ToGrpcStatus(query.status());
  const absl::Time deadline = std::min(absl::FromChrono(context->deadline()),
                                       now + options_.max_query_time);
  if (auditor.has_value() && !auditor->whole_county) {
    std::map<std::string, std::vector<std::string>> members;
    if (options_.community_members) {
      for (const std::string& community : auditor->communities) {
        absl::StatusOr<std::vector<std::string>> ids =
            options_.community_members(community, *auditor, deadline);
        if (!ids.ok()) return ToGrpcStatus(ids.status());
        members[community] = *std::move(ids);
      }
    }
    query->visible_scope = VisibleScope(*auditor, members);
  }
  absl::StatusOr<v1::ListAuditRecordsResponse> page =
      QueryAuditRecords(*pool_, *query, deadline);
  if (!page.ok()) return ToGrpcStatus(page.status());
  *response = *std::move(page);
  return grpc::Status::OK;
}

}  // namespace cmc::gateway

namespace cmc::gateway {

grpc::Status GatewayService::GetCommunityOverview(
    grpc::ServerContext* context,
    const v1::GetCommunityOverviewRequest* request,
    v1::CommunityOverview* response) {
  const absl::Time now = absl::Now();
  Principal principal;
  if (access_ != nullptr) {
    absl::StatusOr<Principal> admitted = access_->AdmitCall(
        MethodTaking<v1::GetCommunityOverviewRequest>(), *context, now);
    if (!admitted.ok()) return ToGrpcStatus(admitted.status());
    principal = *std::move(admitted);
  }
  if (overview_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        "the community overview is not configured");
  }
  absl::StatusOr<OverviewQuery> query =
      OverviewQueryFromRequest(*request, CountyDay(now));
  if (!query.ok()) return ToGrpcStatus(query.status());
  const absl::Status scope = CheckOverviewScope(principal, query->community_id);
  if (!scope.ok()) return ToGrpcStatus(scope);
  const auto system_now = std::chrono::system_clock::now();
  const auto deadline = OverviewBackendDeadline(
      ForwardDeadline(context->deadline(), system_now,
                      options_.default_deadline, options_.max_deadline),
      system_now);
  *response =
      overview_->Fetch(*query, principal, Header(*context, kRequestIdHeader),
                       deadline, [context] { return context->IsCancelled(); });
  return grpc::Status::OK;
}

}  // namespace cmc::gateway
