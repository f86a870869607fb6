#include "services/referral/referral_service.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/identity/principal.h"
#include "common/service/handler.h"
#include "common/service/paging.h"
#include "common/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "services/referral/in_county_catalogue.h"
#include "services/referral/referral_scope.h"
#include "services/referral/referral_stats.h"
#include "services/referral/request_checks.h"

namespace cmc::referral {
namespace {

using v1::Referral;

// The most referrals one GetReferralStats call aggregates (in memory, about
// 2 KB each): larger periods are asked for in parts.
constexpr int kMaxStatsReferrals = 200000;

// The directory's errors about ids[i] of a lookup, renamed to the request
// field that id came from.
absl::Status NameLookupError(const absl::Status& status,
                             const std::vector<std::string>& fields) {
  const int index = NotFoundIndex(status);
  if (index < 0 || index >= static_cast<int>(fields.size())) return status;
  return FieldError(absl::StatusCode::kNotFound, fields[index],
                    "the institution service knows no such institution");
}

// How the text a transition request carries is checked.
enum class TextCheck {
  kOptionalNote,  // a string of 0-2000 characters (CheckNote)
  kRequiredNote,  // a string of 1-2000 characters (CheckNote)
  kOutcome,       // CompleteReferral's ReferralOutcome (CheckOutcome)
};

// The seven transition RPCs differ only in their action and in the request
// field that carries the action's text; the rest (id, version, actor) they
// share, and Act does the work.
struct TransitionRpc {
  absl::string_view request;  // the request message's name
  Action action;
  absl::string_view text_field;
  TextCheck check;
};
constexpr TransitionRpc kTransitionRpcs[] = {
    {"ReceiveReferralRequest", Action::kReceive, "note",
     TextCheck::kOptionalNote},
    {"AcceptReferralRequest", Action::kAccept, "note",
     TextCheck::kOptionalNote},
    {"RejectReferralRequest", Action::kReject, "reason",
     TextCheck::kRequiredNote},
    {"ArriveReferralRequest", Action::kArrive, "note",
     TextCheck::kOptionalNote},
    {"CompleteReferralRequest", Action::kComplete, "outcome",
     TextCheck::kOutcome},
    {"CancelReferralRequest", Action::kCancel, "reason",
     TextCheck::kOptionalNote},
    {"ApproveReferralRequest", Action::kApprove, "note",
     TextCheck::kOptionalNote},
};

// The action transition `request` asks for, its text taken from the field
// its row of kTransitionRpcs names, and the result of checking that text.
std::pair<ActionRequest, absl::Status> ReadTransition(
    const google::protobuf::Message& request) {
  const google::protobuf::Descriptor& type = *request.GetDescriptor();
  const TransitionRpc& rpc = *std::find_if(
      std::begin(kTransitionRpcs), std::end(kTransitionRpcs),
      [&type](const TransitionRpc& row) { return row.request == type.name(); });
  const google::protobuf::FieldDescriptor* field =
      type.FindFieldByName(std::string(rpc.text_field));
  const google::protobuf::Reflection& reflection = *request.GetReflection();
  ActionRequest action;
  action.action = rpc.action;
  if (rpc.check == TextCheck::kOutcome) {
    action.outcome.CopyFrom(reflection.GetMessage(request, field));
    return {action, CheckOutcome(action.outcome)};
  }
  action.note = reflection.GetString(request, field);
  const absl::Status checked = CheckNote(action.note, rpc.text_field,
                                         rpc.check == TextCheck::kRequiredNote);
  return {std::move(action), checked};
}

// The referral as every response shows it: resident ID masked.
absl::StatusOr<Referral> Masked(absl::StatusOr<Referral> referral) {
  if (!referral.ok()) return referral;
  return MaskedForOutput(*referral);
}

}  // namespace

ReferralService::ReferralService(std::unique_ptr<ReferralStore> store,
                                 std::unique_ptr<CatalogueStore> catalogue,
                                 InstitutionClient institutions,
                                 Options options)
    : store_(std::move(store)),
      catalogue_(std::move(catalogue)),
      institutions_(std::move(institutions)),
      scopes_(institutions_.Scopes()),
      options_(std::move(options)) {}

absl::StatusOr<OrgScope> ReferralService::ScopeOf(
    const CallContext& call, ScopeResolver::Tiers tiers) const {
  return scopes_.Resolve(call, tiers);
}

absl::StatusOr<OrgScope> ReferralService::ScopeToJudge(
    const CallContext& call, const OrgScope& scope,
    const Referral& referral) const {
  if (!NeedsTiersFor(scope, referral)) return scope;
  return scopes_.AddTiers(scope, call.deadline());
}

absl::Status ReferralService::ApplyCatalogue(const CallContext& call,
                                             Referral* referral) const {
  if (referral->to_case() != Referral::kToExternalHospital) {
    return absl::OkStatus();
  }
  const std::string& code = referral->diagnosis().icd10_code();
  CMC_ASSIGN_OR_RETURN(
      const std::vector<v1::InCountyCondition> entries,
      catalogue_->FindByCodes(CandidateCodes(code), call.deadline()));
  return ApplyInCountyRule(LongestMatch(entries, code), referral);
}

absl::Status ReferralService::CheckParties(const CallContext& call,
                                           const Referral& referral) const {
  std::vector<std::string> ids = {referral.from_institution_id()};
  std::vector<std::string> fields = {"referral.from_institution_id"};
  if (referral.to_case() == Referral::kToInstitutionId) {
    ids.push_back(referral.to_institution_id());
    fields.push_back("referral.to_institution_id");
  }
  absl::StatusOr<std::vector<InstitutionFacts>> facts =
      institutions_.institutions->Lookup(ids, call.deadline());
  if (!facts.ok()) return NameLookupError(facts.status(), fields);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!(*facts)[i].active) {
      return FieldError(absl::StatusCode::kFailedPrecondition, fields[i],
                        absl::StrCat("institution ", ids[i], " is closed"));
    }
  }
  const common::v1::Tier to_tier = referral.to_case() == Referral::kToTier
                                       ? referral.to_tier()
                                       : facts->back().tier;
  return CheckDirection(referral.direction(), (*facts)[0].tier, to_tier,
                        referral.to_case() == Referral::kToExternalHospital);
}

absl::StatusOr<Referral> ReferralService::Create(
    const CallContext& call, const v1::CreateReferralRequest& request) {
  CMC_RETURN_IF_ERROR(CheckId(request.request_id(), "request_id"));
  Referral referral = request.referral();
  CMC_RETURN_IF_ERROR(CheckNewReferral(&referral, call.today()));
  CMC_ASSIGN_OR_RETURN(const OrgScope scope, ScopeOf(call));
  CMC_RETURN_IF_ERROR(scope.RequireInstitution(referral.from_institution_id(),
                                               "referral.from_institution_id"));
  const RequestClaim claim =
      ClaimOf(call.principal().subject, request.request_id(), "CreateReferral",
              request);
  // A repeat is answered from the database alone, so it succeeds even while
  // the institution service is down, and sees the tiers the first call saw.
  CMC_ASSIGN_OR_RETURN(std::optional<Referral> existing,
                       store_->FindByRequest(claim, call.deadline()));
  if (existing.has_value()) return std::move(*existing);
  CMC_RETURN_IF_ERROR(CheckParties(call, referral));
  CMC_RETURN_IF_ERROR(ApplyCatalogue(call, &referral));
  return store_->Create(claim, std::move(referral), call.Actor("anonymous"),
                        call.deadline());
}

absl::StatusOr<Referral> ReferralService::Get(
    const CallContext& call, const v1::GetReferralRequest& request) {
  CMC_RETURN_IF_ERROR(CheckId(request.id(), "id"));
  CMC_ASSIGN_OR_RETURN(const OrgScope caller, ScopeOf(call));
  CMC_ASSIGN_OR_RETURN(Referral referral,
                       store_->Get(request.id(), call.deadline()));
  CMC_ASSIGN_OR_RETURN(const OrgScope scope,
                       ScopeToJudge(call, caller, referral));
  if (!CanSee(scope, referral)) {
    return OutOfScope("id", absl::StrCat("referral ", request.id()));
  }
  if (!ShowsResidentId(call.principal(), scope, referral)) {
    return MaskedForOutput(referral);
  }
  call.MarkPersonalDataRead("resident_id");
  return referral;
}

absl::StatusOr<v1::ListReferralsResponse> ReferralService::List(
    const CallContext& call, const v1::ListReferralsRequest& request) {
  CMC_ASSIGN_OR_RETURN(ReferralFilter filter, ParseListRequest(request));
  // A named institution in scope already confines the rows to referrals the
  // caller sees; the other filters may reach unclaimed tier-open ones.
  const bool named = filter.scope == ReferralFilter::Scope::kOutgoing ||
                     filter.scope == ReferralFilter::Scope::kIncoming;
  CMC_ASSIGN_OR_RETURN(const OrgScope scope,
                       ScopeOf(call, named ? ScopeResolver::Tiers::kSkip
                                           : ScopeResolver::Tiers::kResolve));
  if (named) {
    CMC_RETURN_IF_ERROR(scope.RequireInstitution(
        filter.institution_id, filter.scope == ReferralFilter::Scope::kOutgoing
                                   ? "outgoing_institution_id"
                                   : "incoming_institution_id"));
  } else if (!scope.unrestricted()) {
    filter.visible = ReferralVisibility{scope.InstitutionIds(), scope.Tiers()};
  }
  CMC_ASSIGN_OR_RETURN(const ReferralPage page,
                       store_->List(filter, call.deadline()));
  v1::ListReferralsResponse response;
  for (const Referral& referral : page.referrals) {
    *response.add_referrals() = MaskedForOutput(referral);
  }
  if (page.more) {
    response.mutable_page()->set_next_page_token(
        NextPageToken(QueryFingerprint(request), page.last_row));
  }
  response.mutable_page()->set_total_size(-1);
  return response;
}

absl::StatusOr<v1::ReferralStats> ReferralService::Stats(
    const CallContext& call, const v1::GetReferralStatsRequest& request) {
  CMC_ASSIGN_OR_RETURN(const StatsQuery query, ParseStatsRequest(request));
  CMC_ASSIGN_OR_RETURN(const OrgScope scope, ScopeOf(call));
  for (int i = 0; i < request.institution_ids_size(); ++i) {
    CMC_RETURN_IF_ERROR(scope.RequireInstitution(
        request.institution_ids(i), absl::StrCat("institution_ids[", i, "]")));
  }
  // Each referral counted was sent or is received by a covered institution,
  // so the caller sees it whatever tiers it covers.
  CMC_ASSIGN_OR_RETURN(
      const std::vector<Referral> referrals,
      store_->ForStats(query.institution_ids, query.created_from,
                       query.created_before, kMaxStatsReferrals,
                       call.deadline()));
  return ReferralStatsOf(referrals);
}

absl::StatusOr<Referral> ReferralService::Act(
    const CallContext& call, const std::string& id, int64_t version,
    const v1::Actor& actor, ActionRequest action,
    const absl::Status& fields_of_action) {
  CMC_RETURN_IF_ERROR(CheckTransition(id, version, actor));
  CMC_RETURN_IF_ERROR(fields_of_action);
  action.institution_id = actor.institution_id();
  action.practitioner = actor.practitioner();
  action.principal = call.Actor("anonymous");
  CMC_ASSIGN_OR_RETURN(const OrgScope caller, ScopeOf(call));
  CMC_ASSIGN_OR_RETURN(const Referral current,
                       store_->Get(id, call.deadline()));
  // Without tiers when `current` does not need them; nor does then any later
  // version the transaction may read (NeedsTiersFor).
  CMC_ASSIGN_OR_RETURN(const OrgScope scope,
                       ScopeToJudge(call, caller, current));
  // Judged here so that an outsider causes no actor tier lookup, and again on
  // the row the transaction reads (a tier-open referral may be claimed
  // between).
  CMC_RETURN_IF_ERROR(AuthorizeAction(scope, current, action));
  // The tier is looked up only when the rules need it, so that most
  // transitions keep working while the institution service is down. The
  // store re-reads the referral and applies the rules to the version the
  // caller named; if that is `current`'s, this lookup judged the same state.
  if (current.version() == version && NeedsActorTier(current, action.action)) {
    absl::StatusOr<std::vector<InstitutionFacts>> facts =
        institutions_.institutions->Lookup({action.institution_id},
                                           call.deadline());
    if (!facts.ok()) {
      return NameLookupError(facts.status(), {"actor.institution_id"});
    }
    if (!facts->front().active) {
      return FieldError(
          absl::StatusCode::kFailedPrecondition, "actor.institution_id",
          absl::StrCat("institution ", action.institution_id, " is closed"));
    }
    action.institution_tier = facts->front().tier;
  }
  return store_->Transition(id, version, action, call.deadline(),
                            [&scope, &action](const Referral& referral) {
                              return AuthorizeAction(scope, referral, action);
                            });
}

template <typename Request>
grpc::Status ReferralService::Transition(grpc::ServerContext* context,
                                         const Request& request,
                                         Referral* response) {
  return Serve(context, options_.call, response, [&](const CallContext& call) {
    auto [action, text] = ReadTransition(request);
    return Masked(Act(call, request.id(), request.version(), request.actor(),
                      std::move(action), text));
  });
}

grpc::Status ReferralService::CreateReferral(
    grpc::ServerContext* context, const v1::CreateReferralRequest* request,
    Referral* response) {
  return Serve(context, options_.call, response, [&](const CallContext& call) {
    return Masked(Create(call, *request));
  });
}

grpc::Status ReferralService::GetReferral(grpc::ServerContext* context,
                                          const v1::GetReferralRequest* request,
                                          Referral* response) {
  return Serve(context, options_.call, response,
               [&](const CallContext& call) { return Get(call, *request); });
}

grpc::Status ReferralService::ListReferrals(
    grpc::ServerContext* context, const v1::ListReferralsRequest* request,
    v1::ListReferralsResponse* response) {
  return Serve(context, options_.call, response,
               [&](const CallContext& call) { return List(call, *request); });
}

grpc::Status ReferralService::GetReferralStats(
    grpc::ServerContext* context, const v1::GetReferralStatsRequest* request,
    v1::ReferralStats* response) {
  return Serve(context, options_.call, response,
               [&](const CallContext& call) { return Stats(call, *request); });
}

grpc::Status ReferralService::ReceiveReferral(
    grpc::ServerContext* context, const v1::ReceiveReferralRequest* request,
    Referral* response) {
  return Transition(context, *request, response);
}

grpc::Status ReferralService::AcceptReferral(
    grpc::ServerContext* context, const v1::AcceptReferralRequest* request,
    Referral* response) {
  return Transition(context, *request, response);
}

grpc::Status ReferralService::RejectReferral(
    grpc::ServerContext* context, const v1::RejectReferralRequest* request,
    Referral* response) {
  return Transition(context, *request, response);
}

grpc::Status ReferralService::ArriveReferral(
    grpc::ServerContext* context, const v1::ArriveReferralRequest* request,
    Referral* response) {
  return Transition(context, *request, response);
}

grpc::Status ReferralService::CompleteReferral(
    grpc::ServerContext* context, const v1::CompleteReferralRequest* request,
    Referral* response) {
  return Transition(context, *request, response);
}

grpc::Status ReferralService::CancelReferral(
    grpc::ServerContext* context, const v1::CancelReferralRequest* request,
    Referral* response) {
  return Transition(context, *request, response);
}

grpc::Status ReferralService::ApproveReferral(
    grpc::ServerContext* context, const v1::ApproveReferralRequest* request,
    Referral* response) {
  return Transition(context, *request, response);
}

}  // namespace cmc::referral
