// InstitutionService handlers for staff (see institution_service.h).
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/service/handler.h"
#include "common/service/idempotency.h"
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
using internal::FillPage;
using internal::QueryOf;

// Masks every resident ID in `staff` that the caller may not see; the
// employers' communities today come from the caller's scope (resolved on
// today). When any ID stays unmasked, marks the response as carrying personal
// data (once).
void MaskForCaller(const CallContext& call, const OrgScope& scope,
                   const std::vector<v1::Staff*>& staff) {
  bool unmasked = false;
  for (v1::Staff* s : staff) {
    if (MaySeeResidentId(call.principal(), s->institution_id(),
                         scope.CommunityOf(s->institution_id()))) {
      unmasked = true;
    } else {
      MaskStaffResidentId(*s);
    }
  }
  if (unmasked) call.MarkPersonalDataRead("resident_id");
}

}  // namespace

grpc::Status InstitutionService::CreateStaff(
    grpc::ServerContext* context, const v1::CreateStaffRequest* request,
    v1::Staff* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Staff> {
        CMC_RETURN_IF_ERROR(
            ValidateRequestId(request->request_id(), "request_id"));
        const v1::Staff& in = request->staff();
        CMC_RETURN_IF_ERROR(CheckStaffFields(in, /*creating=*/true));
        v1::Staff wanted;
        wanted.set_resident_id(in.resident_id());
        wanted.set_name(in.name());
        wanted.set_qualification(in.qualification());
        wanted.set_title_code(in.title_code());
        wanted.set_general_practitioner(in.general_practitioner());
        wanted.set_licence_number(in.licence_number());
        wanted.set_institution_id(in.institution_id());
        wanted.set_department(in.department());
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_RETURN_IF_ERROR(
            RequireStaff(scope, wanted, "staff.institution_id"));
        const RequestClaim claim =
            ClaimOf(call.principal().subject, request->request_id(),
                    "CreateStaff", wanted);
        DeriveStaffFacts(wanted);
        CMC_ASSIGN_OR_RETURN(
            v1::Staff created,
            stores_.staff->CreateStaff(claim, wanted, call.today(),
                                       ActorOf(call), call.deadline()));
        MaskForCaller(call, scope, {&created});
        return created;
      });
}

grpc::Status InstitutionService::GetStaff(grpc::ServerContext* context,
                                          const v1::GetStaffRequest* request,
                                          v1::Staff* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Staff> {
        if (request->id().empty()) return InvalidField("id", "required");
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_ASSIGN_OR_RETURN(
            v1::Staff found,
            stores_.staff->GetStaff(request->id(), "id", call.deadline()));
        CMC_RETURN_IF_ERROR(RequireStaff(scope, found, "id"));
        MaskForCaller(call, scope, {&found});
        return found;
      });
}

grpc::Status InstitutionService::UpdateStaff(
    grpc::ServerContext* context, const v1::UpdateStaffRequest* request,
    v1::Staff* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Staff> {
        const v1::Staff& in = request->staff();
        CMC_RETURN_IF_ERROR(CheckUpdateTarget("staff", in.id(), in.version()));
        CMC_ASSIGN_OR_RETURN(
            const std::set<std::string> paths,
            CheckUpdateMask(request->update_mask(), StaffUpdatePaths()));
        CMC_ASSIGN_OR_RETURN(const absl::CivilDay effective,
                             EffectiveDay(request->has_effective_date(),
                                          request->effective_date(),
                                          call.today(), "effective_date"));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_ASSIGN_OR_RETURN(
            v1::Staff updated,
            stores_.staff->UpdateStaff(
                in.id(), in.version(),
                [&](const v1::Staff& stored) {
                  return RequireStaff(scope, stored, "staff.id");
                },
                [&](v1::Staff& stored) {
                  CMC_RETURN_IF_ERROR(ApplyStaffUpdate(paths, in, stored));
                  // A move to an employer outside the scope would hand the
                  // person away.
                  return RequireStaff(scope, stored, "staff.institution_id");
                },
                effective, ActorOf(call), call.deadline()));
        MaskForCaller(call, scope, {&updated});
        return updated;
      });
}

grpc::Status InstitutionService::ListStaff(grpc::ServerContext* context,
                                           const v1::ListStaffRequest* request,
                                           v1::ListStaffResponse* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::ListStaffResponse> {
        StaffFilter filter;
        filter.institution_id = request->institution_id();
        if (!request->community_id().empty()) {
          filter.community_id = request->community_id();
          CMC_ASSIGN_OR_RETURN(
              filter.as_of,
              internal::DayOr(request->has_as_of(), request->as_of(), "as_of",
                              call.today()));
        }
        if (!v1::Qualification_IsValid(request->qualification())) {
          return InvalidField("qualification", "unknown qualification");
        }
        if (request->qualification() != v1::QUALIFICATION_UNSPECIFIED) {
          filter.qualification = request->qualification();
        }
        if (!v1::StaffStatus_IsValid(request->status())) {
          return InvalidField("status", "unknown status");
        }
        if (request->status() != v1::STAFF_STATUS_UNSPECIFIED) {
          filter.status = request->status();
        }
        if (request->has_general_practitioner()) {
          filter.general_practitioner = request->general_practitioner();
        }
        if (request->name_contains().size() > internal::kMaxNameContainsBytes) {
          return InvalidField("name_contains", "too long");
        }
        filter.name_contains = request->name_contains();
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_RETURN_IF_ERROR(internal::RequireInstitutionAndCommunityFilters(
            scope, *stores_.institutions, *stores_.communities,
            filter.institution_id, filter.community_id, call.deadline()));
        filter.scope = internal::ScopeFilterOf(scope);
        CMC_ASSIGN_OR_RETURN(
            PageOf<v1::Staff> rows,
            stores_.staff->ListStaff(filter, QueryOf(page), call.deadline()));
        v1::ListStaffResponse out;
        google::protobuf::RepeatedPtrField<v1::Staff>* listed =
            out.mutable_staff();
        FillPage(std::move(rows), page, listed, &out);
        MaskForCaller(call, scope,
                      std::vector<v1::Staff*>(listed->pointer_begin(),
                                              listed->pointer_end()));
        return out;
      });
}

}  // namespace cmc::institution
