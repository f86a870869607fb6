// InstitutionService handlers for postings (see institution_service.h).
#include <string>
#include <utility>

#include "common/service/handler.h"
#include "common/service/idempotency.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/handler_support.h"
#include "services/institution/institution_rules.h"
#include "services/institution/institution_service.h"
#include "services/institution/request_checks.h"

namespace cmc::institution {

using internal::ActorOf;
using internal::FillPage;
using internal::QueryOf;

grpc::Status InstitutionService::CreatePosting(
    grpc::ServerContext* context, const v1::CreatePostingRequest* request,
    v1::Posting* response) {
  return Serve(context, options_.call, response,
               [&](const CallContext& call) -> absl::StatusOr<v1::Posting> {
                 CMC_RETURN_IF_ERROR(
                     ValidateRequestId(request->request_id(), "request_id"));
                 const v1::Posting& in = request->posting();
                 CMC_RETURN_IF_ERROR(CheckNewPosting(in));
                 v1::Posting wanted;
                 wanted.set_staff_id(in.staff_id());
                 wanted.set_to_institution_id(in.to_institution_id());
                 *wanted.mutable_start_date() = in.start_date();
                 if (in.has_end_date())
                   *wanted.mutable_end_date() = in.end_date();
                 CMC_ASSIGN_OR_RETURN(const OrgScope scope,
                                      Scope(call, call.today()));
                 return stores_.postings->CreatePosting(
                     ClaimOf(call.principal().subject, request->request_id(),
                             "CreatePosting", wanted),
                     wanted,
                     [&](const v1::Staff& staff) {
                       return RequireStaff(scope, staff, "posting.staff_id");
                     },
                     ActorOf(call), call.deadline());
               });
}

grpc::Status InstitutionService::EndPosting(
    grpc::ServerContext* context, const v1::EndPostingRequest* request,
    v1::Posting* response) {
  return Serve(context, options_.call, response,
               [&](const CallContext& call) -> absl::StatusOr<v1::Posting> {
                 if (request->id().empty())
                   return InvalidField("id", "required");
                 if (!request->has_end_date()) {
                   return InvalidField("end_date", "required");
                 }
                 CMC_ASSIGN_OR_RETURN(
                     const absl::CivilDay last,
                     ParseCivilDate(request->end_date().value(), "end_date"));
                 CMC_ASSIGN_OR_RETURN(const OrgScope scope,
                                      Scope(call, call.today()));
                 return stores_.postings->EndPosting(
                     request->id(), last,
                     [&](const v1::Posting& stored) {
                       return RequirePostingChange(scope, stored, "id");
                     },
                     ActorOf(call), call.deadline());
               });
}

grpc::Status InstitutionService::ListPostings(
    grpc::ServerContext* context, const v1::ListPostingsRequest* request,
    v1::ListPostingsResponse* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::ListPostingsResponse> {
        if (request->staff_id().empty() && request->institution_id().empty()) {
          return InvalidField("staff_id",
                              "staff_id or institution_id is required");
        }
        PostingFilter filter;
        filter.staff_id = request->staff_id();
        filter.institution_id = request->institution_id();
        CMC_ASSIGN_OR_RETURN(filter.as_of,
                             internal::OptionalDay(request->has_as_of(),
                                                   request->as_of(), "as_of"));
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_RETURN_IF_ERROR(scope.RequireInstitutionFilter(
            filter.institution_id, "institution_id"));
        // A staff member outside the scope is not refused: the postings to
        // hosts in the scope are the caller's business; the row filter keeps
        // only those.
        filter.scope = internal::ScopeFilterOf(scope);
        CMC_RETURN_IF_ERROR(internal::RequireKnownStaffFilter(
            *stores_.staff, filter.staff_id, "staff_id", call.deadline()));
        CMC_RETURN_IF_ERROR(internal::RequireKnownInstitutionFilter(
            *stores_.institutions, filter.institution_id, "institution_id",
            call.deadline()));
        CMC_ASSIGN_OR_RETURN(PageOf<v1::Posting> rows,
                             stores_.postings->ListPostings(
                                 filter, QueryOf(page), call.deadline()));
        v1::ListPostingsResponse out;
        FillPage(std::move(rows), page, out.mutable_postings(), &out);
        return out;
      });
}

}  // namespace cmc::institution
