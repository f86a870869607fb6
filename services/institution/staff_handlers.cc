// InstitutionService handlers for staff (see institution_service.h).
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/identity/principal.h"
#include "common/status.h"
#include "services/institution/handler_support.h"
#include "services/institution/history_rules.h"
#include "services/institution/institution_rules.h"
#include "services/institution/institution_service.h"
#include "services/institution/request_checks.h"
#include "services/institution/staff_rules.h"

namespace cmc::institution {
namespace {

using internal::ActorOf;
using internal::ClaimOf;
using internal::FillPage;
using internal::ListPage;
using internal::ParseListPage;

// Masks every resident ID in `staff` that the caller may not see; the
// employers' communities today come from the caller's scope (resolved on
// today). When any ID stays unmasked, marks the response as carrying personal
// data (once).
void MaskForCaller(grpc::ServerContext* context, const OrgScope& scope,
                   const std::vector<v1::Staff*>& staff) {
  const Principal who = PrincipalFromContext(*context);
  bool unmasked = false;
  for (v1::Staff* s : staff) {
    if (MaySeeResidentId(who, s->institution_id(),
                         scope.CommunityOf(s->institution_id()))) {
      unmasked = true;
    } else {
      MaskStaffResidentId(*s);
    }
  }
  if (unmasked) MarkPersonalDataRead(context, "resident_id");
}

}  // namespace

grpc::Status InstitutionService::CreateStaff(
    grpc::ServerContext* context, const v1::CreateStaffRequest* request,
    v1::Staff* response) {
  const absl::Time deadline = Deadline(*context);
  CMC_RETURN_IF_ERROR_GRPC(
      ValidateRequestId(request->request_id(), "request_id"));
  const v1::Staff& in = request->staff();
  CMC_RETURN_IF_ERROR_GRPC(CheckStaffFields(in, /*creating=*/true));
  v1::Staff wanted;
  wanted.set_resident_id(in.resident_id());
  wanted.set_name(in.name());
  wanted.set_qualification(in.qualification());
  wanted.set_title_code(in.title_code());
  wanted.set_general_practitioner(in.general_practitioner());
  wanted.set_licence_number(in.licence_number());
  wanted.set_institution_id(in.institution_id());
  wanted.set_department(in.department());
  const absl::CivilDay today = Today();
  absl::StatusOr<OrgScope> scope = Scope(*context, today, deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  CMC_RETURN_IF_ERROR_GRPC(scope->RequireStaff(wanted, "staff.institution_id"));
  const CreateClaim claim =
      ClaimOf(request->request_id(), "CreateStaff", wanted);
  DeriveStaffFacts(wanted);
  absl::StatusOr<v1::Staff> created = stores_.staff->CreateStaff(
      claim, wanted, today, ActorOf(*context), deadline);
  if (!created.ok()) return ToGrpcStatus(created.status());
  *response = *std::move(created);
  MaskForCaller(context, *scope, {response});
  return grpc::Status::OK;
}

grpc::Status InstitutionService::GetStaff(grpc::ServerContext* context,
                                          const v1::GetStaffRequest* request,
                                          v1::Staff* response) {
  const absl::Time deadline = Deadline(*context);
  if (request->id().empty()) {
    return ToGrpcStatus(InvalidField("id", "required"));
  }
  absl::StatusOr<OrgScope> scope = Scope(*context, Today(), deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  absl::StatusOr<v1::Staff> found =
      stores_.staff->GetStaff(request->id(), "id", deadline);
  if (!found.ok()) return ToGrpcStatus(found.status());
  CMC_RETURN_IF_ERROR_GRPC(scope->RequireStaff(*found, "id"));
  *response = *std::move(found);
  MaskForCaller(context, *scope, {response});
  return grpc::Status::OK;
}

grpc::Status InstitutionService::UpdateStaff(
    grpc::ServerContext* context, const v1::UpdateStaffRequest* request,
    v1::Staff* response) {
  const absl::Time deadline = Deadline(*context);
  const v1::Staff& in = request->staff();
  CMC_RETURN_IF_ERROR_GRPC(CheckUpdateTarget("staff", in.id(), in.version()));
  absl::StatusOr<std::set<std::string>> paths =
      CheckUpdateMask(request->update_mask(), StaffUpdatePaths());
  if (!paths.ok()) return ToGrpcStatus(paths.status());
  const absl::CivilDay today = Today();
  absl::StatusOr<absl::CivilDay> effective =
      EffectiveDay(request->has_effective_date(), request->effective_date(),
                   today, "effective_date");
  if (!effective.ok()) return ToGrpcStatus(effective.status());
  absl::StatusOr<OrgScope> scope = Scope(*context, today, deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  absl::StatusOr<v1::Staff> updated = stores_.staff->UpdateStaff(
      in.id(), in.version(),
      [&](const v1::Staff& stored) {
        return scope->RequireStaff(stored, "staff.id");
      },
      [&](v1::Staff& stored) {
        CMC_RETURN_IF_ERROR(ApplyStaffUpdate(*paths, in, stored));
        // A move to an employer outside the scope would hand the person away.
        return scope->RequireStaff(stored, "staff.institution_id");
      },
      *effective, ActorOf(*context), deadline);
  if (!updated.ok()) return ToGrpcStatus(updated.status());
  *response = *std::move(updated);
  MaskForCaller(context, *scope, {response});
  return grpc::Status::OK;
}

grpc::Status InstitutionService::ListStaff(grpc::ServerContext* context,
                                           const v1::ListStaffRequest* request,
                                           v1::ListStaffResponse* response) {
  const absl::Time deadline = Deadline(*context);
  StaffFilter filter;
  filter.institution_id = request->institution_id();
  if (!request->community_id().empty()) {
    filter.community_id = request->community_id();
    CMC_ASSIGN_OR_RETURN_GRPC(
        filter.as_of, internal::DayOr(request->has_as_of(), request->as_of(),
                                      "as_of", Today()));
  }
  if (!v1::Qualification_IsValid(request->qualification())) {
    return ToGrpcStatus(InvalidField("qualification", "unknown qualification"));
  }
  if (request->qualification() != v1::QUALIFICATION_UNSPECIFIED) {
    filter.qualification = request->qualification();
  }
  if (!v1::StaffStatus_IsValid(request->status())) {
    return ToGrpcStatus(InvalidField("status", "unknown status"));
  }
  if (request->status() != v1::STAFF_STATUS_UNSPECIFIED) {
    filter.status = request->status();
  }
  if (request->has_general_practitioner()) {
    filter.general_practitioner = request->general_practitioner();
  }
  if (request->name_contains().size() > internal::kMaxNameContainsBytes) {
    return ToGrpcStatus(InvalidField("name_contains", "too long"));
  }
  filter.name_contains = request->name_contains();
  CMC_ASSIGN_OR_RETURN_GRPC(const ListPage page, ParseListPage(*request));
  CMC_ASSIGN_OR_RETURN_GRPC(const OrgScope scope,
                            Scope(*context, Today(), deadline));
  CMC_RETURN_IF_ERROR_GRPC(internal::RequireInstitutionAndCommunityFilters(
      scope, *stores_.institutions, *stores_.communities, filter.institution_id,
      filter.community_id, deadline));
  filter.scope = internal::ScopeFilterOf(scope);
  CMC_ASSIGN_OR_RETURN_GRPC(
      PageOf<v1::Staff> result,
      stores_.staff->ListStaff(filter, page.query, deadline));
  google::protobuf::RepeatedPtrField<v1::Staff>* listed =
      response->mutable_staff();
  FillPage(std::move(result), page, listed, response);
  MaskForCaller(
      context, scope,
      std::vector<v1::Staff*>(listed->pointer_begin(), listed->pointer_end()));
  return grpc::Status::OK;
}

}  // namespace cmc::institution
