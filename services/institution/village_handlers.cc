// InstitutionService handlers for villages (see institution_service.h).
#include <set>
#include <string>
#include <utility>

#include "common/service/handler.h"
#include "common/service/idempotency.h"
#include "common/status.h"
#include "services/institution/handler_support.h"
#include "services/institution/institution_rules.h"
#include "services/institution/institution_service.h"
#include "services/institution/request_checks.h"

namespace cmc::institution {

using internal::ActorOf;
using internal::FillPage;
using internal::QueryOf;

absl::Status InstitutionService::RequireOwnCommunity(
    const CallContext& call, const v1::Village& village,
    const std::string& center_field) {
  if (call.principal().unrestricted()) return absl::OkStatus();
  CMC_ASSIGN_OR_RETURN(const auto members, stores_.memberships->MembersOf(
                                               {village.community_id()},
                                               call.today(), call.deadline()));
  if (!members.count(village.township_center_id())) {
    return OutOfScope(
        center_field,
        absl::StrCat("community ", village.community_id(),
                     " (its township center ", village.township_center_id(),
                     " is not a member)"));
  }
  if (!village.village_clinic_id().empty() &&
      !members.count(village.village_clinic_id())) {
    return OutOfScope(
        "village.village_clinic_id",
        absl::StrCat("clinic ", village.village_clinic_id(),
                     " is not a member of community ", village.community_id()));
  }
  return absl::OkStatus();
}

grpc::Status InstitutionService::CreateVillage(
    grpc::ServerContext* context, const v1::CreateVillageRequest* request,
    v1::Village* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Village> {
        CMC_RETURN_IF_ERROR(
            ValidateRequestId(request->request_id(), "request_id"));
        v1::Village wanted = request->village();
        CMC_RETURN_IF_ERROR(CheckNewVillage(wanted));
        wanted.clear_id();
        wanted.clear_version();
        wanted.clear_create_time();
        wanted.clear_update_time();
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_RETURN_IF_ERROR(
            RequireVillage(scope, wanted, "village.township_center_id"));
        CMC_RETURN_IF_ERROR(
            RequireOwnCommunity(call, wanted, "village.community_id"));
        return stores_.villages->CreateVillage(
            ClaimOf(call.principal().subject, request->request_id(),
                    "CreateVillage", wanted),
            wanted, ActorOf(call), call.deadline());
      });
}

grpc::Status InstitutionService::GetVillage(
    grpc::ServerContext* context, const v1::GetVillageRequest* request,
    v1::Village* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Village> {
        if (request->id().empty()) {
          return InvalidField("id", "required");
        }
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_ASSIGN_OR_RETURN(
            v1::Village found,
            stores_.villages->GetVillage(request->id(), "id", call.deadline()));
        CMC_RETURN_IF_ERROR(RequireVillage(scope, found, "id"));
        return found;
      });
}

grpc::Status InstitutionService::UpdateVillage(
    grpc::ServerContext* context, const v1::UpdateVillageRequest* request,
    v1::Village* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Village> {
        const v1::Village& in = request->village();
        CMC_RETURN_IF_ERROR(
            CheckUpdateTarget("village", in.id(), in.version()));
        CMC_ASSIGN_OR_RETURN(
            const std::set<std::string> paths,
            CheckUpdateMask(request->update_mask(), VillageUpdatePaths()));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        return stores_.villages->UpdateVillage(
            in.id(), in.version(),
            [&](const v1::Village& stored) {
              return RequireVillage(scope, stored, "village.id");
            },
            [&](v1::Village& stored) {
              CMC_RETURN_IF_ERROR(ApplyVillageUpdate(paths, in, stored));
              // The village must stay in scope after the change.
              CMC_RETURN_IF_ERROR(
                  RequireVillage(scope, stored, "village.township_center_id"));
              return RequireOwnCommunity(call, stored,
                                         "village.township_center_id");
            },
            ActorOf(call), call.deadline());
      });
}

grpc::Status InstitutionService::ListVillages(
    grpc::ServerContext* context, const v1::ListVillagesRequest* request,
    v1::ListVillagesResponse* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::ListVillagesResponse> {
        VillageFilter filter;
        filter.community_id = request->community_id();
        filter.township_center_id = request->township_center_id();
        filter.village_clinic_id = request->village_clinic_id();
        if (request->has_has_resident_village_doctor()) {
          filter.has_resident_village_doctor =
              request->has_resident_village_doctor();
        }
        if (request->name_contains().size() > internal::kMaxNameContainsBytes) {
          return InvalidField("name_contains", "too long");
        }
        filter.name_contains = request->name_contains();
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_RETURN_IF_ERROR(
            scope.RequireCommunityFilter(filter.community_id, "community_id"));
        CMC_RETURN_IF_ERROR(scope.RequireInstitutionFilter(
            filter.township_center_id, "township_center_id"));
        CMC_RETURN_IF_ERROR(scope.RequireInstitutionFilter(
            filter.village_clinic_id, "village_clinic_id"));
        filter.scope = internal::ScopeFilterOf(scope);
        CMC_RETURN_IF_ERROR(internal::RequireKnownCommunityFilter(
            *stores_.communities, filter.community_id, "community_id",
            call.deadline()));
        CMC_ASSIGN_OR_RETURN(PageOf<v1::Village> rows,
                             stores_.villages->ListVillages(
                                 filter, QueryOf(page), call.deadline()));
        v1::ListVillagesResponse out;
        FillPage(std::move(rows), page, out.mutable_villages(), &out);
        return out;
      });
}

}  // namespace cmc::institution
