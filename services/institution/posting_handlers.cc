// InstitutionService handlers for postings (see institution_service.h).
#include <string>
#include <utility>

#include "common/status.h"
#include "common/validators/validators.h"
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

grpc::Status InstitutionService::CreatePosting(
    grpc::ServerContext* context, const v1::CreatePostingRequest* request,
    v1::Posting* response) {
  CMC_RETURN_IF_ERROR_GRPC(
      ValidateRequestId(request->request_id(), "request_id"));
  const v1::Posting& in = request->posting();
  CMC_RETURN_IF_ERROR_GRPC(CheckNewPosting(in));
  v1::Posting wanted;
  wanted.set_staff_id(in.staff_id());
  wanted.set_to_institution_id(in.to_institution_id());
  *wanted.mutable_start_date() = in.start_date();
  if (in.has_end_date()) *wanted.mutable_end_date() = in.end_date();
  const absl::Time deadline = Deadline(*context);
  absl::StatusOr<OrgScope> scope = Scope(*context, Today(), deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  return Reply(
      stores_.postings->CreatePosting(
          ClaimOf(request->request_id(), "CreatePosting", wanted), wanted,
          [&](const v1::Staff& staff) {
            return scope->RequireStaff(staff, "posting.staff_id");
          },
          ActorOf(*context), deadline),
      response);
}

grpc::Status InstitutionService::EndPosting(
    grpc::ServerContext* context, const v1::EndPostingRequest* request,
    v1::Posting* response) {
  if (request->id().empty()) {
    return ToGrpcStatus(InvalidField("id", "required"));
  }
  if (!request->has_end_date()) {
    return ToGrpcStatus(InvalidField("end_date", "required"));
  }
  absl::StatusOr<absl::CivilDay> last =
      ParseCivilDate(request->end_date().value(), "end_date");
  if (!last.ok()) return ToGrpcStatus(last.status());
  const absl::Time deadline = Deadline(*context);
  absl::StatusOr<OrgScope> scope = Scope(*context, Today(), deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  return Reply(stores_.postings->EndPosting(
                   request->id(), *last,
                   [&](const v1::Posting& stored) {
                     return scope->RequirePostingChange(stored, "id");
                   },
                   ActorOf(*context), deadline),
               response);
}

grpc::Status InstitutionService::ListPostings(
    grpc::ServerContext* context, const v1::ListPostingsRequest* request,
    v1::ListPostingsResponse* response) {
  const absl::Time deadline = Deadline(*context);
  if (request->staff_id().empty() && request->institution_id().empty()) {
    return ToGrpcStatus(
        InvalidField("staff_id", "staff_id or institution_id is required"));
  }
  PostingFilter filter;
  filter.staff_id = request->staff_id();
  filter.institution_id = request->institution_id();
  CMC_ASSIGN_OR_RETURN_GRPC(
      filter.as_of,
      internal::OptionalDay(request->has_as_of(), request->as_of(), "as_of"));
  CMC_ASSIGN_OR_RETURN_GRPC(const ListPage page, ParseListPage(*request));
  CMC_ASSIGN_OR_RETURN_GRPC(const OrgScope scope,
                            Scope(*context, Today(), deadline));
  CMC_RETURN_IF_ERROR_GRPC(
      scope.RequireInstitutionFilter(filter.institution_id, "institution_id"));
  // A staff member outside the scope is not refused: the postings to hosts in
  // the scope are the caller's business; the row filter keeps only those.
  filter.scope = internal::ScopeFilterOf(scope);
  CMC_RETURN_IF_ERROR_GRPC(internal::RequireKnownStaffFilter(
      *stores_.staff, filter.staff_id, "staff_id", deadline));
  CMC_RETURN_IF_ERROR_GRPC(internal::RequireKnownInstitutionFilter(
      *stores_.institutions, filter.institution_id, "institution_id",
      deadline));
  return ReplyPage(stores_.postings->ListPostings(filter, page.query, deadline),
                   page, response->mutable_postings(), response);
}

}  // namespace cmc::institution
