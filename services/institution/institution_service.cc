// InstitutionService handlers for communities, institutions and memberships
// (see institution_service.h).
#include "services/institution/institution_service.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/service/handler.h"
#include "common/service/idempotency.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/handler_support.h"
#include "services/institution/history_rules.h"
#include "services/institution/institution_rules.h"
#include "services/institution/request_checks.h"

namespace cmc::institution {
namespace {

using internal::ActorOf;
using internal::DayOr;
using internal::FillPage;
using internal::kMaxNameContainsBytes;
using internal::QueryOf;

constexpr int kMaxBatchGet = 1000;

}  // namespace

InstitutionService::InstitutionService(Stores stores, Options options)
    : stores_(stores), options_(std::move(options)) {}

OrgScope InstitutionService::CommunityScope(const CallContext& call) {
  return ScopeOf(call.principal(), {});
}

absl::StatusOr<OrgScope> InstitutionService::Scope(const CallContext& call,
                                                   absl::CivilDay day) {
  const Principal& who = call.principal();
  if (who.unrestricted()) return OrgScope::Unrestricted();
  CMC_ASSIGN_OR_RETURN(
      auto members,
      stores_.memberships->MembersOf(who.communities, day, call.deadline()));
  return ScopeOf(who, members);
}

grpc::Status InstitutionService::CreateCommunity(
    grpc::ServerContext* context, const v1::CreateCommunityRequest* request,
    v1::Community* response) {
  return Serve(context, options_.call, response,
               [&](const CallContext& call) -> absl::StatusOr<v1::Community> {
                 CMC_RETURN_IF_ERROR(
                     ValidateRequestId(request->request_id(), "request_id"));
                 const v1::Community& in = request->community();
                 CMC_RETURN_IF_ERROR(CheckNewCommunity(in));
                 if (!call.principal().unrestricted()) {
                   return OutOfScope("community", "a new community");
                 }
                 v1::Community wanted;
                 wanted.set_code(in.code());
                 wanted.set_name(in.name());
                 wanted.set_county_division_code(in.county_division_code());
                 wanted.set_lead_institution_id(in.lead_institution_id());
                 return stores_.communities->CreateCommunity(
                     ClaimOf(call.principal().subject, request->request_id(),
                             "CreateCommunity", wanted),
                     wanted, ActorOf(call), call.deadline());
               });
}

grpc::Status InstitutionService::GetCommunity(
    grpc::ServerContext* context, const v1::GetCommunityRequest* request,
    v1::Community* response) {
  return Serve(context, options_.call, response,
               [&](const CallContext& call) -> absl::StatusOr<v1::Community> {
                 if (request->id().empty()) {
                   return InvalidField("id", "required");
                 }
                 CMC_RETURN_IF_ERROR(CommunityScope(call).RequireCommunity(
                     request->id(), "id"));
                 return stores_.communities->GetCommunity(request->id(), "id",
                                                          call.deadline());
               });
}

grpc::Status InstitutionService::UpdateCommunity(
    grpc::ServerContext* context, const v1::UpdateCommunityRequest* request,
    v1::Community* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Community> {
        const v1::Community& in = request->community();
        CMC_RETURN_IF_ERROR(
            CheckUpdateTarget("community", in.id(), in.version()));
        CMC_RETURN_IF_ERROR(
            CommunityScope(call).RequireCommunity(in.id(), "community.id"));
        CMC_ASSIGN_OR_RETURN(
            const std::set<std::string> paths,
            CheckUpdateMask(request->update_mask(), CommunityUpdatePaths()));
        if (paths.count("lead_institution_id") &&
            !in.lead_institution_id().empty() &&
            !call.principal().unrestricted()) {
          // The lead hospital is one of the community's own members.
          CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
          if (scope.CommunityOf(in.lead_institution_id()) != in.id()) {
            return OutOfScope(
                "community.lead_institution_id",
                absl::StrCat("institution ", in.lead_institution_id(),
                             " is not a member of community ", in.id()));
          }
        }
        return stores_.communities->UpdateCommunity(
            in.id(), in.version(),
            [&](v1::Community& stored) {
              return ApplyCommunityUpdate(paths, in, stored);
            },
            ActorOf(call), call.deadline());
      });
}

grpc::Status InstitutionService::ListCommunities(
    grpc::ServerContext* context, const v1::ListCommunitiesRequest* request,
    v1::ListCommunitiesResponse* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::ListCommunitiesResponse> {
        CommunityFilter filter;
        if (!v1::CommunityStatus_IsValid(request->status())) {
          return InvalidField("status", "unknown status");
        }
        if (request->status() != v1::COMMUNITY_STATUS_UNSPECIFIED) {
          filter.status = request->status();
        }
        if (!request->county_division_code().empty()) {
          CMC_RETURN_IF_ERROR(ValidateCountyCode(
              request->county_division_code(), "county_division_code"));
          filter.county_division_code = request->county_division_code();
        }
        filter.scope = internal::ScopeFilterOf(CommunityScope(call));
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(PageOf<v1::Community> rows,
                             stores_.communities->ListCommunities(
                                 filter, QueryOf(page), call.deadline()));
        v1::ListCommunitiesResponse out;
        FillPage(std::move(rows), page, out.mutable_communities(), &out);
        return out;
      });
}

grpc::Status InstitutionService::CreateInstitution(
    grpc::ServerContext* context, const v1::CreateInstitutionRequest* request,
    v1::Institution* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Institution> {
        CMC_RETURN_IF_ERROR(
            ValidateRequestId(request->request_id(), "request_id"));
        const v1::Institution& in = request->institution();
        CMC_RETURN_IF_ERROR(CheckInstitutionFields(in, /*creating=*/true));
        CMC_ASSIGN_OR_RETURN(
            const std::optional<Joining> joining,
            internal::CheckJoining(request->community_id(),
                                   request->membership_kind(), "community_id",
                                   "membership_kind", call.today()));
        // A restricted caller creates institutions only inside its
        // communities, so that the new one is in its scope from the start.
        CMC_RETURN_IF_ERROR(internal::CheckNewInstitutionScope(
            CommunityScope(call), request->community_id(), "community_id"));
        if (!in.parent_institution_id().empty() &&
            !call.principal().unrestricted()) {
          // Its parent must be the caller's too: nobody hangs an institution
          // under another community's.
          CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
          CMC_RETURN_IF_ERROR(scope.RequireInstitution(
              in.parent_institution_id(), "institution.parent_institution_id"));
        }
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
            joining.has_value()
                ? static_cast<const google::protobuf::Message&>(digested)
                : wanted;
        return stores_.institutions->CreateInstitution(
            ClaimOf(call.principal().subject, request->request_id(),
                    "CreateInstitution", normalized),
            wanted, joining, call.today(), ActorOf(call), call.deadline());
      });
}

grpc::Status InstitutionService::GetInstitution(
    grpc::ServerContext* context, const v1::GetInstitutionRequest* request,
    v1::Institution* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Institution> {
        if (request->id().empty()) return InvalidField("id", "required");
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_RETURN_IF_ERROR(scope.RequireInstitution(request->id(), "id"));
        return stores_.institutions->GetInstitution(request->id(), "id",
                                                    call.deadline());
      });
}

grpc::Status InstitutionService::UpdateInstitution(
    grpc::ServerContext* context, const v1::UpdateInstitutionRequest* request,
    v1::Institution* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Institution> {
        const v1::Institution& in = request->institution();
        CMC_RETURN_IF_ERROR(
            CheckUpdateTarget("institution", in.id(), in.version()));
        CMC_ASSIGN_OR_RETURN(
            const std::set<std::string> paths,
            CheckUpdateMask(request->update_mask(), InstitutionUpdatePaths()));
        CMC_ASSIGN_OR_RETURN(const absl::CivilDay effective,
                             EffectiveDay(request->has_effective_date(),
                                          request->effective_date(),
                                          call.today(), "effective_date"));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_RETURN_IF_ERROR(
            scope.RequireInstitution(in.id(), "institution.id"));
        // Reclassifying an institution moves it between tiers, and with
        // that what it may see (a county-tier member claims every county
        // referral): the community's decision, not the institution's own.
        for (const char* path : {"tier", "kind"}) {
          if (paths.count(path) && !scope.CoversThroughCommunity(in.id())) {
            return OutOfScope(
                absl::StrCat("institution.", path),
                absl::StrCat("reclassifying institution ", in.id(),
                             " (needs a community scope that covers it)"));
          }
        }
        if (paths.count("parent_institution_id") &&
            !in.parent_institution_id().empty()) {
          CMC_RETURN_IF_ERROR(scope.RequireInstitution(
              in.parent_institution_id(), "institution.parent_institution_id"));
        }
        return stores_.institutions->UpdateInstitution(
            in.id(), in.version(),
            [&](v1::Institution& stored) {
              return ApplyInstitutionUpdate(paths, in, stored);
            },
            call.today(), effective, ActorOf(call), call.deadline());
      });
}

grpc::Status InstitutionService::ListInstitutions(
    grpc::ServerContext* context, const v1::ListInstitutionsRequest* request,
    v1::ListInstitutionsResponse* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::ListInstitutionsResponse> {
        InstitutionFilter filter;
        if (!request->community_id().empty()) {
          filter.community_id = request->community_id();
          CMC_ASSIGN_OR_RETURN(filter.as_of,
                               DayOr(request->has_as_of(), request->as_of(),
                                     "as_of", call.today()));
        }
        if (!common::v1::Tier_IsValid(request->tier())) {
          return InvalidField("tier", "unknown tier");
        }
        if (request->tier() != common::v1::TIER_UNSPECIFIED) {
          filter.tier = request->tier();
        }
        if (!request->kind().empty()) {
          CMC_RETURN_IF_ERROR(TierOfKind(request->kind(), "kind").status());
          filter.kind = request->kind();
        }
        if (!v1::InstitutionStatus_IsValid(request->status())) {
          return InvalidField("status", "unknown status");
        }
        if (request->status() != v1::INSTITUTION_STATUS_UNSPECIFIED) {
          filter.status = request->status();
        }
        if (request->name_contains().size() > kMaxNameContainsBytes) {
          return InvalidField("name_contains", "too long");
        }
        filter.name_contains = request->name_contains();
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_RETURN_IF_ERROR(
            scope.RequireCommunityFilter(filter.community_id, "community_id"));
        CMC_RETURN_IF_ERROR(internal::RequireKnownCommunityFilter(
            *stores_.communities, filter.community_id, "community_id",
            call.deadline()));
        filter.scope = internal::ScopeFilterOf(scope);
        CMC_ASSIGN_OR_RETURN(PageOf<v1::Institution> rows,
                             stores_.institutions->ListInstitutions(
                                 filter, QueryOf(page), call.deadline()));
        v1::ListInstitutionsResponse out;
        FillPage(std::move(rows), page, out.mutable_institutions(), &out);
        return out;
      });
}

grpc::Status InstitutionService::BatchGetInstitutions(
    grpc::ServerContext* context,
    const v1::BatchGetInstitutionsRequest* request,
    v1::BatchGetInstitutionsResponse* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::BatchGetInstitutionsResponse> {
        if (request->ids().empty() || request->ids_size() > kMaxBatchGet) {
          return InvalidField(
              "ids", absl::StrCat("give 1..", kMaxBatchGet, " ids, got ",
                                  request->ids_size()));
        }
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        for (int i = 0; i < request->ids_size(); ++i) {
          CMC_RETURN_IF_ERROR(scope.RequireInstitution(
              request->ids(i), absl::StrCat("ids[", i, "]")));
        }
        const std::vector<std::string> ids(request->ids().begin(),
                                           request->ids().end());
        CMC_ASSIGN_OR_RETURN(
            std::vector<v1::Institution> found,
            stores_.institutions->BatchGetInstitutions(ids, call.deadline()));
        v1::BatchGetInstitutionsResponse out;
        for (v1::Institution& i : found) {
          *out.add_institutions() = std::move(i);
        }
        return out;
      });
}

grpc::Status InstitutionService::AddMembership(
    grpc::ServerContext* context, const v1::AddMembershipRequest* request,
    v1::Membership* response) {
  return Serve(context, options_.call, response,
               [&](const CallContext& call) -> absl::StatusOr<v1::Membership> {
                 CMC_RETURN_IF_ERROR(
                     ValidateRequestId(request->request_id(), "request_id"));
                 const v1::Membership& in = request->membership();
                 CMC_RETURN_IF_ERROR(CheckNewMembership(in));
                 CMC_ASSIGN_OR_RETURN(const OrgScope scope,
                                      Scope(call, call.today()));
                 CMC_RETURN_IF_ERROR(scope.RequireCommunity(
                     in.community_id(), "membership.community_id"));
                 CMC_RETURN_IF_ERROR(scope.RequireInstitution(
                     in.institution_id(), "membership.institution_id"));
                 v1::Membership wanted;
                 wanted.set_institution_id(in.institution_id());
                 wanted.set_community_id(in.community_id());
                 wanted.set_kind(in.kind());
                 *wanted.mutable_valid_from() = in.valid_from();
                 if (in.has_valid_to())
                   *wanted.mutable_valid_to() = in.valid_to();
                 return stores_.memberships->AddMembership(
                     ClaimOf(call.principal().subject, request->request_id(),
                             "AddMembership", wanted),
                     wanted, ActorOf(call), call.deadline());
               });
}

grpc::Status InstitutionService::EndMembership(
    grpc::ServerContext* context, const v1::EndMembershipRequest* request,
    v1::Membership* response) {
  return Serve(context, options_.call, response,
               [&](const CallContext& call) -> absl::StatusOr<v1::Membership> {
                 if (request->id().empty())
                   return InvalidField("id", "required");
                 if (!request->has_valid_to()) {
                   return InvalidField("valid_to", "required");
                 }
                 CMC_ASSIGN_OR_RETURN(
                     const absl::CivilDay last,
                     ParseCivilDate(request->valid_to().value(), "valid_to"));
                 const OrgScope scope = CommunityScope(call);
                 return stores_.memberships->EndMembership(
                     request->id(), last,
                     [&](const v1::Membership& stored) {
                       return scope.RequireCommunity(stored.community_id(),
                                                     "id");
                     },
                     ActorOf(call), call.deadline());
               });
}

grpc::Status InstitutionService::ListMemberships(
    grpc::ServerContext* context, const v1::ListMembershipsRequest* request,
    v1::ListMembershipsResponse* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::ListMembershipsResponse> {
        if (request->institution_id().empty() &&
            request->community_id().empty()) {
          return InvalidField("institution_id",
                              "institution_id or community_id is required");
        }
        MembershipFilter filter;
        filter.institution_id = request->institution_id();
        filter.community_id = request->community_id();
        CMC_ASSIGN_OR_RETURN(filter.as_of,
                             internal::OptionalDay(request->has_as_of(),
                                                   request->as_of(), "as_of"));
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call, call.today()));
        CMC_RETURN_IF_ERROR(internal::RequireInstitutionAndCommunityFilters(
            scope, *stores_.institutions, *stores_.communities,
            filter.institution_id, filter.community_id, call.deadline()));
        filter.scope = internal::ScopeFilterOf(scope);
        CMC_ASSIGN_OR_RETURN(PageOf<v1::Membership> rows,
                             stores_.memberships->ListMemberships(
                                 filter, QueryOf(page), call.deadline()));
        v1::ListMembershipsResponse out;
        FillPage(std::move(rows), page, out.mutable_memberships(), &out);
        return out;
      });
}

}  // namespace cmc::institution
