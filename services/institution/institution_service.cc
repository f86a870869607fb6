#include "services/institution/institution_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/deadline.h"
#include "common/identity/principal.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/handler_support.h"
#include "services/institution/history_rules.h"
#include "services/institution/institution_rules.h"
#include "services/institution/paging.h"
#include "services/institution/request_checks.h"

namespace cmc::institution {
namespace {

using internal::ActorOf;
using internal::ClaimOf;
using internal::DayOr;
using internal::kMaxNameContainsBytes;
using internal::ListPage;
using internal::ParseListPage;
using internal::Reply;
using internal::ReplyPage;
using internal::TodayInChina;

constexpr int kMaxBatchGet = 1000;

// The caller's scope for checks on communities only (no members needed).
OrgScope CommunityScope(const grpc::ServerContext& context) {
  return OrgScope::Of(PrincipalFromContext(context), {});
}

}  // namespace

InstitutionService::InstitutionService(Stores stores, Options options)
    : stores_(stores), options_(std::move(options)) {}

absl::Time InstitutionService::Deadline(
    const grpc::ServerContext& context) const {
  return EffectiveDeadline(context.deadline(), options_.default_deadline,
                           options_.max_deadline);
}

absl::CivilDay InstitutionService::Today() const {
  return options_.today ? options_.today() : TodayInChina();
}

absl::StatusOr<OrgScope> InstitutionService::Scope(
    const grpc::ServerContext& context, absl::CivilDay day,
    absl::Time deadline) {
  const Principal who = PrincipalFromContext(context);
  if (who.unrestricted()) return OrgScope::Unrestricted();
  CMC_ASSIGN_OR_RETURN(auto members, stores_.memberships->MembersOf(
                                         who.communities, day, deadline));
  return OrgScope::Restricted(who, std::move(members));
}

grpc::Status InstitutionService::CreateCommunity(
    grpc::ServerContext* context, const v1::CreateCommunityRequest* request,
    v1::Community* response) {
  CMC_RETURN_IF_ERROR_GRPC(
      ValidateRequestId(request->request_id(), "request_id"));
  const v1::Community& in = request->community();
  CMC_RETURN_IF_ERROR_GRPC(CheckNewCommunity(in));
  if (!PrincipalFromContext(*context).unrestricted()) {
    return ToGrpcStatus(OutOfScope("community", "a new community"));
  }
  v1::Community wanted;
  wanted.set_code(in.code());
  wanted.set_name(in.name());
  wanted.set_county_division_code(in.county_division_code());
  wanted.set_lead_institution_id(in.lead_institution_id());
  return Reply(stores_.communities->CreateCommunity(
                   ClaimOf(request->request_id(), "CreateCommunity", wanted),
                   wanted, ActorOf(*context), Deadline(*context)),
               response);
}

grpc::Status InstitutionService::GetCommunity(
    grpc::ServerContext* context, const v1::GetCommunityRequest* request,
    v1::Community* response) {
  if (request->id().empty()) {
    return ToGrpcStatus(InvalidField("id", "required"));
  }
  CMC_RETURN_IF_ERROR_GRPC(
      CommunityScope(*context).RequireCommunity(request->id(), "id"));
  return Reply(stores_.communities->GetCommunity(request->id(), "id",
                                                 Deadline(*context)),
               response);
}

grpc::Status InstitutionService::UpdateCommunity(
    grpc::ServerContext* context, const v1::UpdateCommunityRequest* request,
    v1::Community* response) {
  const v1::Community& in = request->community();
  CMC_RETURN_IF_ERROR_GRPC(
      CheckUpdateTarget("community", in.id(), in.version()));
  CMC_RETURN_IF_ERROR_GRPC(
      CommunityScope(*context).RequireCommunity(in.id(), "community.id"));
  absl::StatusOr<std::set<std::string>> paths =
      CheckUpdateMask(request->update_mask(), CommunityUpdatePaths());
  if (!paths.ok()) return ToGrpcStatus(paths.status());
  return Reply(stores_.communities->UpdateCommunity(
                   in.id(), in.version(),
                   [&](v1::Community& stored) {
                     return ApplyCommunityUpdate(*paths, in, stored);
                   },
                   ActorOf(*context), Deadline(*context)),
               response);
}

grpc::Status InstitutionService::ListCommunities(
    grpc::ServerContext* context, const v1::ListCommunitiesRequest* request,
    v1::ListCommunitiesResponse* response) {
  CommunityFilter filter;
  if (!v1::CommunityStatus_IsValid(request->status())) {
    return ToGrpcStatus(InvalidField("status", "unknown status"));
  }
  if (request->status() != v1::COMMUNITY_STATUS_UNSPECIFIED) {
    filter.status = request->status();
  }
  if (!request->county_division_code().empty()) {
    CMC_RETURN_IF_ERROR_GRPC(ValidateCountyCode(request->county_division_code(),
                                                "county_division_code"));
    filter.county_division_code = request->county_division_code();
  }
  filter.scope = internal::ScopeFilterOf(CommunityScope(*context));
  CMC_ASSIGN_OR_RETURN_GRPC(const ListPage page, ParseListPage(*request));
  return ReplyPage(stores_.communities->ListCommunities(filter, page.query,
                                                        Deadline(*context)),
                   page, response->mutable_communities(), response);
}

grpc::Status InstitutionService::CreateInstitution(
    grpc::ServerContext* context, const v1::CreateInstitutionRequest* request,
    v1::Institution* response) {
  CMC_RETURN_IF_ERROR_GRPC(
      ValidateRequestId(request->request_id(), "request_id"));
  const v1::Institution& in = request->institution();
  CMC_RETURN_IF_ERROR_GRPC(CheckInstitutionFields(in, /*creating=*/true));
  const absl::CivilDay today = Today();
  absl::StatusOr<std::optional<Joining>> joining = internal::CheckJoining(
      request->community_id(), request->membership_kind(), "community_id",
      "membership_kind", today);
  if (!joining.ok()) return ToGrpcStatus(joining.status());
  // A restricted caller creates institutions only inside its communities, so
  // that the new one is in its scope from the start.
  CMC_RETURN_IF_ERROR_GRPC(internal::CheckNewInstitutionScope(
      CommunityScope(*context), request->community_id(), "community_id"));
  v1::Institution wanted = in;
  wanted.clear_id();
  wanted.clear_status();
  wanted.clear_version();
  wanted.clear_create_time();
  wanted.clear_update_time();
  // The idempotency digest of a plain create stays what it always was.
  v1::CreateInstitutionRequest digested = *request;
  digested.clear_request_id();
  *digested.mutable_institution() = wanted;
  const google::protobuf::Message& normalized =
      joining->has_value()
          ? static_cast<const google::protobuf::Message&>(digested)
          : wanted;
  return Reply(
      stores_.institutions->CreateInstitution(
          ClaimOf(request->request_id(), "CreateInstitution", normalized),
          wanted, *joining, today, ActorOf(*context), Deadline(*context)),
      response);
}

grpc::Status InstitutionService::GetInstitution(
    grpc::ServerContext* context, const v1::GetInstitutionRequest* request,
    v1::Institution* response) {
  if (request->id().empty()) {
    return ToGrpcStatus(InvalidField("id", "required"));
  }
  const absl::Time deadline = Deadline(*context);
  absl::StatusOr<OrgScope> scope = Scope(*context, Today(), deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  CMC_RETURN_IF_ERROR_GRPC(scope->RequireInstitution(request->id(), "id"));
  return Reply(
      stores_.institutions->GetInstitution(request->id(), "id", deadline),
      response);
}

grpc::Status InstitutionService::UpdateInstitution(
    grpc::ServerContext* context, const v1::UpdateInstitutionRequest* request,
    v1::Institution* response) {
  const v1::Institution& in = request->institution();
  CMC_RETURN_IF_ERROR_GRPC(
      CheckUpdateTarget("institution", in.id(), in.version()));
  absl::StatusOr<std::set<std::string>> paths =
      CheckUpdateMask(request->update_mask(), InstitutionUpdatePaths());
  if (!paths.ok()) return ToGrpcStatus(paths.status());
  const absl::Time deadline = Deadline(*context);
  const absl::CivilDay today = Today();
  absl::StatusOr<absl::CivilDay> effective =
      EffectiveDay(request->has_effective_date(), request->effective_date(),
                   today, "effective_date");
  if (!effective.ok()) return ToGrpcStatus(effective.status());
  absl::StatusOr<OrgScope> scope = Scope(*context, today, deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  CMC_RETURN_IF_ERROR_GRPC(
      scope->RequireInstitution(in.id(), "institution.id"));
  return Reply(stores_.institutions->UpdateInstitution(
                   in.id(), in.version(),
                   [&](v1::Institution& stored) {
                     return ApplyInstitutionUpdate(*paths, in, stored);
                   },
                   today, *effective, ActorOf(*context), deadline),
               response);
}

grpc::Status InstitutionService::ListInstitutions(
    grpc::ServerContext* context, const v1::ListInstitutionsRequest* request,
    v1::ListInstitutionsResponse* response) {
  const absl::Time deadline = Deadline(*context);
  InstitutionFilter filter;
  if (!request->community_id().empty()) {
    filter.community_id = request->community_id();
    CMC_ASSIGN_OR_RETURN_GRPC(
        filter.as_of,
        DayOr(request->has_as_of(), request->as_of(), "as_of", Today()));
  }
  if (!common::v1::Tier_IsValid(request->tier())) {
    return ToGrpcStatus(InvalidField("tier", "unknown tier"));
  }
  if (request->tier() != common::v1::TIER_UNSPECIFIED) {
    filter.tier = request->tier();
  }
  if (!request->kind().empty()) {
    CMC_RETURN_IF_ERROR_GRPC(TierOfKind(request->kind(), "kind").status());
    filter.kind = request->kind();
  }
  if (!v1::InstitutionStatus_IsValid(request->status())) {
    return ToGrpcStatus(InvalidField("status", "unknown status"));
  }
  if (request->status() != v1::INSTITUTION_STATUS_UNSPECIFIED) {
    filter.status = request->status();
  }
  if (request->name_contains().size() > kMaxNameContainsBytes) {
    return ToGrpcStatus(InvalidField("name_contains", "too long"));
  }
  filter.name_contains = request->name_contains();
  CMC_ASSIGN_OR_RETURN_GRPC(const ListPage page, ParseListPage(*request));
  CMC_ASSIGN_OR_RETURN_GRPC(const OrgScope scope,
                            Scope(*context, Today(), deadline));
  CMC_RETURN_IF_ERROR_GRPC(
      scope.RequireCommunityFilter(filter.community_id, "community_id"));
  CMC_RETURN_IF_ERROR_GRPC(internal::RequireKnownCommunityFilter(
      *stores_.communities, filter.community_id, "community_id", deadline));
  filter.scope = internal::ScopeFilterOf(scope);
  return ReplyPage(
      stores_.institutions->ListInstitutions(filter, page.query, deadline),
      page, response->mutable_institutions(), response);
}

grpc::Status InstitutionService::BatchGetInstitutions(
    grpc::ServerContext* context,
    const v1::BatchGetInstitutionsRequest* request,
    v1::BatchGetInstitutionsResponse* response) {
  if (request->ids().empty() || request->ids_size() > kMaxBatchGet) {
    return ToGrpcStatus(
        InvalidField("ids", absl::StrCat("give 1..", kMaxBatchGet, " ids, got ",
                                         request->ids_size())));
  }
  const absl::Time deadline = Deadline(*context);
  absl::StatusOr<OrgScope> scope = Scope(*context, Today(), deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  for (int i = 0; i < request->ids_size(); ++i) {
    CMC_RETURN_IF_ERROR_GRPC(scope->RequireInstitution(
        request->ids(i), absl::StrCat("ids[", i, "]")));
  }
  const std::vector<std::string> ids(request->ids().begin(),
                                     request->ids().end());
  absl::StatusOr<std::vector<v1::Institution>> result =
      stores_.institutions->BatchGetInstitutions(ids, deadline);
  if (!result.ok()) return ToGrpcStatus(result.status());
  for (v1::Institution& i : *result) {
    *response->add_institutions() = std::move(i);
  }
  return grpc::Status::OK;
}

grpc::Status InstitutionService::AddMembership(
    grpc::ServerContext* context, const v1::AddMembershipRequest* request,
    v1::Membership* response) {
  CMC_RETURN_IF_ERROR_GRPC(
      ValidateRequestId(request->request_id(), "request_id"));
  const v1::Membership& in = request->membership();
  CMC_RETURN_IF_ERROR_GRPC(CheckNewMembership(in));
  const absl::Time deadline = Deadline(*context);
  absl::StatusOr<OrgScope> scope = Scope(*context, Today(), deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  CMC_RETURN_IF_ERROR_GRPC(
      scope->RequireCommunity(in.community_id(), "membership.community_id"));
  CMC_RETURN_IF_ERROR_GRPC(scope->RequireInstitution(
      in.institution_id(), "membership.institution_id"));
  v1::Membership wanted;
  wanted.set_institution_id(in.institution_id());
  wanted.set_community_id(in.community_id());
  wanted.set_kind(in.kind());
  *wanted.mutable_valid_from() = in.valid_from();
  if (in.has_valid_to()) *wanted.mutable_valid_to() = in.valid_to();
  return Reply(stores_.memberships->AddMembership(
                   ClaimOf(request->request_id(), "AddMembership", wanted),
                   wanted, ActorOf(*context), deadline),
               response);
}

grpc::Status InstitutionService::EndMembership(
    grpc::ServerContext* context, const v1::EndMembershipRequest* request,
    v1::Membership* response) {
  if (request->id().empty()) {
    return ToGrpcStatus(InvalidField("id", "required"));
  }
  if (!request->has_valid_to()) {
    return ToGrpcStatus(InvalidField("valid_to", "required"));
  }
  absl::StatusOr<absl::CivilDay> last =
      ParseCivilDate(request->valid_to().value(), "valid_to");
  if (!last.ok()) return ToGrpcStatus(last.status());
  const OrgScope scope = CommunityScope(*context);
  return Reply(stores_.memberships->EndMembership(
                   request->id(), *last,
                   [&](const v1::Membership& stored) {
                     return scope.RequireCommunity(stored.community_id(), "id");
                   },
                   ActorOf(*context), Deadline(*context)),
               response);
}

grpc::Status InstitutionService::ListMemberships(
    grpc::ServerContext* context, const v1::ListMembershipsRequest* request,
    v1::ListMembershipsResponse* response) {
  const absl::Time deadline = Deadline(*context);
  if (request->institution_id().empty() && request->community_id().empty()) {
    return ToGrpcStatus(InvalidField(
        "institution_id", "institution_id or community_id is required"));
  }
  MembershipFilter filter;
  filter.institution_id = request->institution_id();
  filter.community_id = request->community_id();
  CMC_ASSIGN_OR_RETURN_GRPC(
      filter.as_of,
      internal::OptionalDay(request->has_as_of(), request->as_of(), "as_of"));
  CMC_ASSIGN_OR_RETURN_GRPC(const ListPage page, ParseListPage(*request));
  CMC_ASSIGN_OR_RETURN_GRPC(const OrgScope scope,
                            Scope(*context, Today(), deadline));
  CMC_RETURN_IF_ERROR_GRPC(internal::RequireInstitutionAndCommunityFilters(
      scope, *stores_.institutions, *stores_.communities, filter.institution_id,
      filter.community_id, deadline));
  filter.scope = internal::ScopeFilterOf(scope);
  return ReplyPage(
      stores_.memberships->ListMemberships(filter, page.query, deadline), page,
      response->mutable_memberships(), response);
}

}  // namespace cmc::institution
