// InstitutionService handlers for bulk imports (see institution_service.h):
// read the whole stream, check every row as its Create call would, and let
// the store insert the good ones.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/service/handler.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/handler_support.h"
#include "services/institution/institution_service.h"
#include "services/institution/request_checks.h"
#include "services/institution/staff_rules.h"

namespace cmc::institution {
namespace {

// A county's master data fits: the reference county has 5,248 staff.
constexpr int kMaxImportRows = 10000;

// Reads every message of `reader` into rows, `check` filling each row's item
// and verdict. INVALID_ARGUMENT "mode" when the first message has none,
// "rows" for no rows or too many.
template <typename Request, typename T, typename Check>
absl::Status ReadRows(grpc::ServerReader<Request>& reader, v1::ImportMode* mode,
                      std::vector<ImportRow<T>>* rows, const Check& check) {
  Request request;
  while (reader.Read(&request)) {
    if (rows->empty()) {
      if (request.mode() != v1::IMPORT_MODE_ALL_OR_NOTHING &&
          request.mode() != v1::IMPORT_MODE_BEST_EFFORT) {
        return InvalidField("mode",
                            "the first message must set ALL_OR_NOTHING or "
                            "BEST_EFFORT");
      }
      *mode = request.mode();
    }
    if (static_cast<int>(rows->size()) == kMaxImportRows) {
      return InvalidField("rows", absl::StrCat("more than ", kMaxImportRows,
                                               " rows; split the import"));
    }
    ImportRow<T> row;
    row.line = request.line() != 0 ? request.line()
                                   : static_cast<int64_t>(rows->size()) + 1;
    check(request, row);
    rows->push_back(std::move(row));
  }
  if (rows->empty()) return InvalidField("rows", "no rows");
  return absl::OkStatus();
}

void CheckInstitutionRow(const v1::ImportInstitutionsRequest& request,
                         const OrgScope& scope, absl::CivilDay today,
                         ImportRow<v1::Institution>& row) {
  row.item = request.institution();
  row.item.clear_id();
  row.item.clear_status();
  row.item.clear_version();
  row.item.clear_create_time();
  row.item.clear_update_time();
  row.parent_uscc = request.parent_uscc();
  row.error = CheckInstitutionFields(row.item, /*creating=*/true);
  if (!row.error.ok()) return;
  absl::StatusOr<std::optional<Joining>> joining =
      internal::CheckJoining(request.community_id(), request.membership_kind(),
                             "community_id", "membership_kind", today);
  if (!joining.ok()) {
    row.error = joining.status();
    return;
  }
  row.joining = *std::move(joining);
  row.error = internal::CheckNewInstitutionScope(scope, request.community_id(),
                                                 "community_id");
  if (!row.error.ok() || row.parent_uscc.empty()) return;
  if (!row.item.parent_institution_id().empty()) {
    row.error = InvalidField(
        "parent_uscc", "give parent_uscc or parent_institution_id, not both");
  } else if (row.item.tier() == common::v1::TIER_COUNTY) {
    row.error =
        InvalidField("parent_uscc", "a county-tier institution has no parent");
  } else {
    row.error = ValidateUscc(row.parent_uscc, "parent_uscc");
  }
}

void CheckStaffRow(const v1::ImportStaffRequest& request, const OrgScope& scope,
                   ImportRow<v1::Staff>& row) {
  const v1::Staff& in = request.staff();
  row.item.set_resident_id(in.resident_id());
  row.item.set_name(in.name());
  row.item.set_qualification(in.qualification());
  row.item.set_title_code(in.title_code());
  row.item.set_general_practitioner(in.general_practitioner());
  row.item.set_licence_number(in.licence_number());
  row.item.set_institution_id(in.institution_id());
  row.item.set_department(in.department());
  row.error = CheckStaffFields(in, /*creating=*/true);
  if (row.error.ok()) {
    row.error = RequireStaff(scope, row.item, "staff.institution_id");
  }
  if (row.error.ok()) DeriveStaffFacts(row.item);
}

}  // namespace

grpc::Status InstitutionService::ImportInstitutions(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportInstitutionsRequest>* reader,
    v1::ImportResponse* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::ImportResponse> {
        v1::ImportMode mode = v1::IMPORT_MODE_UNSPECIFIED;
        std::vector<ImportRow<v1::Institution>> rows;
        // Creating institutions needs only the caller's communities.
        const OrgScope scope = CommunityScope(call);
        CMC_RETURN_IF_ERROR(
            ReadRows(*reader, &mode, &rows,
                     [&](const v1::ImportInstitutionsRequest& request,
                         ImportRow<v1::Institution>& row) {
                       CheckInstitutionRow(request, scope, call.today(), row);
                     }));
        return stores_.imports->ImportInstitutions(
            rows, mode, call.today(), internal::ActorOf(call), call.deadline());
      });
}

grpc::Status InstitutionService::ImportStaff(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportStaffRequest>* reader,
    v1::ImportResponse* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::ImportResponse> {
        v1::ImportMode mode = v1::IMPORT_MODE_UNSPECIFIED;
        std::vector<ImportRow<v1::Staff>> rows;
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_RETURN_IF_ERROR(ReadRows(*reader, &mode, &rows,
                                     [&](const v1::ImportStaffRequest& request,
                                         ImportRow<v1::Staff>& row) {
                                       CheckStaffRow(request, scope, row);
                                     }));
        return stores_.imports->ImportStaff(
            rows, mode, call.today(), internal::ActorOf(call), call.deadline());
      });
}

}  // namespace cmc::institution
