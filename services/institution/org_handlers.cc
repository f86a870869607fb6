// InstitutionService handlers for whole trees and staffing counts (see
// institution_service.h).
#include <utility>
#include <vector>

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
  const absl::CivilDay today = Today();
  CMC_ASSIGN_OR_RETURN_GRPC(
      const absl::CivilDay as_of,
      internal::DayOr(request->has_as_of(), request->as_of(), "as_of", today));
  const absl::Time deadline = Deadline(*context);
  CMC_ASSIGN_OR_RETURN_GRPC(const OrgScope scope,
                            Scope(*context, as_of, deadline));
  CMC_RETURN_IF_ERROR_GRPC(RequireOrg(scope, request->org()));
  CMC_ASSIGN_OR_RETURN_GRPC(
      OrgContents contents,
      stores_.orgs->LoadOrgContents(request->org(), as_of, today, deadline));
  // Below a covered root may hang institutions outside the scope (an
  // institution scope covers the institution, not its children).
  scope.Prune(contents);
  *response = BuildSubtree(std::move(contents));
  return grpc::Status::OK;
}

grpc::Status InstitutionService::GetStaffingSummary(
    grpc::ServerContext* context, const v1::GetStaffingSummaryRequest* request,
    v1::GetStaffingSummaryResponse* response) {
  const absl::CivilDay today = Today();
  CMC_ASSIGN_OR_RETURN_GRPC(
      const absl::CivilDay as_of,
      internal::DayOr(request->has_as_of(), request->as_of(), "as_of", today));
  const absl::Time deadline = Deadline(*context);
  CMC_ASSIGN_OR_RETURN_GRPC(const OrgScope scope,
                            Scope(*context, as_of, deadline));
  CMC_RETURN_IF_ERROR_GRPC(RequireOrg(scope, request->org()));
  CMC_ASSIGN_OR_RETURN_GRPC(
      const std::vector<StaffingRow> rows,
      stores_.orgs->CountActiveStaff(request->org(), as_of, today, deadline));
  *response = SummarizeStaffing(rows);
  return grpc::Status::OK;
}

}  // namespace cmc::institution
