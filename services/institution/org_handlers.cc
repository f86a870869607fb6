// InstitutionService handlers for whole trees and staffing counts (see
// institution_service.h).
#include <utility>
#include <vector>

#include "common/status.h"
#include "services/institution/handler_support.h"
#include "services/institution/institution_service.h"
#include "services/institution/org_tree.h"

namespace cmc::institution {

grpc::Status InstitutionService::ListSubtree(
    grpc::ServerContext* context, const v1::ListSubtreeRequest* request,
    v1::ListSubtreeResponse* response) {
  absl::StatusOr<absl::CivilDay> as_of =
      internal::DayOr(request->has_as_of(), request->as_of(), "as_of",
                      internal::TodayInChina());
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  absl::StatusOr<OrgContents> contents =
      store_.LoadOrgContents(request->org(), *as_of, Deadline(*context));
  if (!contents.ok()) return ToGrpcStatus(contents.status());
  *response = BuildSubtree(*std::move(contents));
  return grpc::Status::OK;
}

grpc::Status InstitutionService::GetStaffingSummary(
    grpc::ServerContext* context, const v1::GetStaffingSummaryRequest* request,
    v1::GetStaffingSummaryResponse* response) {
  absl::StatusOr<absl::CivilDay> as_of =
      internal::DayOr(request->has_as_of(), request->as_of(), "as_of",
                      internal::TodayInChina());
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  absl::StatusOr<std::vector<StaffingRow>> rows =
      store_.CountActiveStaff(request->org(), *as_of, Deadline(*context));
  if (!rows.ok()) return ToGrpcStatus(rows.status());
  *response = SummarizeStaffing(*rows);
  return grpc::Status::OK;
}

}  // namespace cmc::institution
