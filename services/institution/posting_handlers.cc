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
using internal::FillPage;
using internal::QueryFingerprint;
using internal::Reply;

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
      store_.CreatePosting(
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
  return Reply(store_.EndPosting(
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
  if (request->has_as_of()) {
    absl::StatusOr<absl::CivilDay> as_of =
        ParseCivilDate(request->as_of().value(), "as_of");
    if (!as_of.ok()) return ToGrpcStatus(as_of.status());
    filter.as_of = *as_of;
  }
  const std::string fingerprint = QueryFingerprint(*request);
  absl::StatusOr<PageQuery> page =
      ParsePageRequest(request->page(), fingerprint);
  if (!page.ok()) return ToGrpcStatus(page.status());
  absl::StatusOr<OrgScope> scope = Scope(*context, Today(), deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  CMC_RETURN_IF_ERROR_GRPC(
      scope->RequireInstitutionFilter(filter.institution_id, "institution_id"));
  // A staff member outside the scope is not refused: the postings to hosts in
  // the scope are the caller's business; the row filter keeps only those.
  filter.scope = internal::ScopeFilterOf(*scope);
  if (!filter.staff_id.empty()) {
    CMC_RETURN_IF_ERROR_GRPC(
        store_.GetStaff(filter.staff_id, "staff_id", deadline).status());
  }
  if (!filter.institution_id.empty()) {
    CMC_RETURN_IF_ERROR_GRPC(
        store_.GetInstitution(filter.institution_id, "institution_id", deadline)
            .status());
  }
  absl::StatusOr<PageOf<v1::Posting>> result =
      store_.ListPostings(filter, *page, deadline);
  if (!result.ok()) return ToGrpcStatus(result.status());
  for (v1::Posting& p : result->items) {
    *response->add_postings() = std::move(p);
  }
  FillPage(*result, fingerprint, response);
  return grpc::Status::OK;
}

}  // namespace cmc::institution
