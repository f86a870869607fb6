// InstitutionService handlers for villages (see institution_service.h).
#include <set>
#include <string>
#include <utility>

#include "common/status.h"
#include "services/institution/handler_support.h"
#include "services/institution/institution_rules.h"
#include "services/institution/institution_service.h"
#include "services/institution/request_checks.h"

namespace cmc::institution {

using internal::ActorOf;
using internal::ClaimOf;
using internal::ListPage;
using internal::ParseListPage;
using internal::Reply;
using internal::ReplyPage;

grpc::Status InstitutionService::CreateVillage(
    grpc::ServerContext* context, const v1::CreateVillageRequest* request,
    v1::Village* response) {
  CMC_RETURN_IF_ERROR_GRPC(
      ValidateRequestId(request->request_id(), "request_id"));
  v1::Village wanted = request->village();
  CMC_RETURN_IF_ERROR_GRPC(CheckNewVillage(wanted));
  wanted.clear_id();
  wanted.clear_version();
  wanted.clear_create_time();
  wanted.clear_update_time();
  const absl::Time deadline = Deadline(*context);
  absl::StatusOr<OrgScope> scope = Scope(*context, Today(), deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  CMC_RETURN_IF_ERROR_GRPC(
      scope->RequireVillage(wanted, "village.township_center_id"));
  return Reply(stores_.villages->CreateVillage(
                   ClaimOf(request->request_id(), "CreateVillage", wanted),
                   wanted, ActorOf(*context), deadline),
               response);
}

grpc::Status InstitutionService::GetVillage(
    grpc::ServerContext* context, const v1::GetVillageRequest* request,
    v1::Village* response) {
  if (request->id().empty()) {
    return ToGrpcStatus(InvalidField("id", "required"));
  }
  const absl::Time deadline = Deadline(*context);
  absl::StatusOr<OrgScope> scope = Scope(*context, Today(), deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  absl::StatusOr<v1::Village> found =
      stores_.villages->GetVillage(request->id(), "id", deadline);
  if (!found.ok()) return ToGrpcStatus(found.status());
  CMC_RETURN_IF_ERROR_GRPC(scope->RequireVillage(*found, "id"));
  *response = *std::move(found);
  return grpc::Status::OK;
}

grpc::Status InstitutionService::UpdateVillage(
    grpc::ServerContext* context, const v1::UpdateVillageRequest* request,
    v1::Village* response) {
  const v1::Village& in = request->village();
  CMC_RETURN_IF_ERROR_GRPC(CheckUpdateTarget("village", in.id(), in.version()));
  absl::StatusOr<std::set<std::string>> paths =
      CheckUpdateMask(request->update_mask(), VillageUpdatePaths());
  if (!paths.ok()) return ToGrpcStatus(paths.status());
  const absl::Time deadline = Deadline(*context);
  absl::StatusOr<OrgScope> scope = Scope(*context, Today(), deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  return Reply(
      stores_.villages->UpdateVillage(
          in.id(), in.version(),
          [&](const v1::Village& stored) {
            return scope->RequireVillage(stored, "village.id");
          },
          [&](v1::Village& stored) {
            CMC_RETURN_IF_ERROR(ApplyVillageUpdate(*paths, in, stored));
            // The village must stay in scope after the change.
            return scope->RequireVillage(stored, "village.township_center_id");
          },
          ActorOf(*context), deadline),
      response);
}

grpc::Status InstitutionService::ListVillages(
    grpc::ServerContext* context, const v1::ListVillagesRequest* request,
    v1::ListVillagesResponse* response) {
  const absl::Time deadline = Deadline(*context);
  VillageFilter filter;
  filter.community_id = request->community_id();
  filter.township_center_id = request->township_center_id();
  filter.village_clinic_id = request->village_clinic_id();
  if (request->has_has_resident_village_doctor()) {
    filter.has_resident_village_doctor = request->has_resident_village_doctor();
  }
  if (request->name_contains().size() > internal::kMaxNameContainsBytes) {
    return ToGrpcStatus(InvalidField("name_contains", "too long"));
  }
  filter.name_contains = request->name_contains();
  CMC_ASSIGN_OR_RETURN_GRPC(const ListPage page, ParseListPage(*request));
  CMC_ASSIGN_OR_RETURN_GRPC(const OrgScope scope,
                            Scope(*context, Today(), deadline));
  CMC_RETURN_IF_ERROR_GRPC(
      scope.RequireCommunityFilter(filter.community_id, "community_id"));
  CMC_RETURN_IF_ERROR_GRPC(scope.RequireInstitutionFilter(
      filter.township_center_id, "township_center_id"));
  CMC_RETURN_IF_ERROR_GRPC(scope.RequireInstitutionFilter(
      filter.village_clinic_id, "village_clinic_id"));
  filter.scope = internal::ScopeFilterOf(scope);
  CMC_RETURN_IF_ERROR_GRPC(internal::RequireKnownCommunityFilter(
      *stores_.communities, filter.community_id, "community_id", deadline));
  return ReplyPage(stores_.villages->ListVillages(filter, page.query, deadline),
                   page, response->mutable_villages(), response);
}

}  // namespace cmc::institution
