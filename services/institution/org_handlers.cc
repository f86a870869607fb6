// InstitutionService handlers for whole trees and staffing counts (see
// institution_service.h).
#include <utility>
#include <vector>

#include "common/service/handler.h"
#include "common/status.h"
#include "services/institution/handler_support.h"
#include "services/institution/institution_service.h"
#include "services/institution/org_tree.h"

namespace cmc::institution {
namespace {

// The org of a ListSubtree or GetStaffingSummary request must be in scope
// (an empty or missing id is left to the store's INVALID_ARGUMENT).
absl::Status RequireOrg(const OrgScope& scope, const common::v1::OrgRef& org) {
  if (org.has_community_id() && !org.community_id().empty()) {
    return scope.RequireCommunity(org.community_id(), "org.community_id");
  }
  if (org.has_institution_id() && !org.institution_id().empty()) {
    return scope.RequireInstitution(org.institution_id(), "org.institution_id");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status InstitutionService::ListSubtree(
    grpc::ServerContext* context, const v1::ListSubtreeRequest* request,
    v1::ListSubtreeResponse* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::ListSubtreeResponse> {
        CMC_ASSIGN_OR_RETURN(
            const absl::CivilDay as_of,
            internal::DayOr(request->has_as_of(), request->as_of(), "as_of",
                            call.today()));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, as_of));
        CMC_RETURN_IF_ERROR(RequireOrg(scope, request->org()));
        CMC_ASSIGN_OR_RETURN(
            OrgContents contents,
            stores_.orgs->LoadOrgContents(request->org(), as_of, call.today(),
                                          call.deadline()));
        // Below a covered root may hang institutions outside the scope (an
        // institution scope covers the institution, not its children).
        Prune(scope, contents);
        return BuildSubtree(std::move(contents));
      });
}

grpc::Status InstitutionService::GetStaffingSummary(
    grpc::ServerContext* context, const v1::GetStaffingSummaryRequest* request,
    v1::GetStaffingSummaryResponse* response) {
  return Serve(context, options_.call, response,
               [&](const CallContext& call)
                   -> absl::StatusOr<v1::GetStaffingSummaryResponse> {
                 CMC_ASSIGN_OR_RETURN(
                     const absl::CivilDay as_of,
                     internal::DayOr(request->has_as_of(), request->as_of(),
                                     "as_of", call.today()));
                 CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, as_of));
                 CMC_RETURN_IF_ERROR(RequireOrg(scope, request->org()));
                 CMC_ASSIGN_OR_RETURN(
                     const std::vector<StaffingRow> rows,
                     stores_.orgs->CountActiveStaff(
                         request->org(), as_of, call.today(), call.deadline()));
                 return SummarizeStaffing(rows);
               });
}

}  // namespace cmc::institution
