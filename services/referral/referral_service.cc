#include "services/referral/referral_service.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/deadline.h"
#include "common/identity/principal.h"
#include "common/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "services/referral/in_county_catalogue.h"
#include "services/referral/referral_stats.h"
#include "services/referral/request_checks.h"

namespace cmc::referral {
namespace {

using v1::Referral;

// The most referrals one GetReferralStats call aggregates (in memory, about
// 2 KB each): larger periods are asked for in parts.
constexpr int kMaxStatsReferrals = 200000;

std::string PrincipalOf(const grpc::ServerContext& context) {
  std::string subject = PrincipalFromContext(context).subject;
  return subject.empty() ? "anonymous" : subject;
}

// Today in the county's time zone (Asia/Shanghai, UTC+8 all year): the latest
// birth date a resident ID may carry.
absl::CivilDay TodayInChina() {
  return absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
}

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

grpc::Status Reply(absl::StatusOr<Referral> result, Referral* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = MaskedForOutput(*result);
  return grpc::Status::OK;
}

}  // namespace

ReferralService::ReferralService(
    std::unique_ptr<ReferralStore> store,
    std::unique_ptr<CatalogueStore> catalogue,
    std::unique_ptr<InstitutionDirectory> directory,
    std::unique_ptr<CommunityDirectory> communities, Options options)
    : store_(std::move(store)),
      catalogue_(std::move(catalogue)),
      directory_(std::move(directory)),
      communities_(std::move(communities)),
      options_(options) {}

absl::StatusOr<OrgScope> ReferralService::ScopeOf(
    const grpc::ServerContext& context, absl::Time deadline, Tiers tiers) {
  const Principal principal = PrincipalFromContext(context);
  if (principal.unrestricted()) return OrgScope();
  std::map<std::string, std::set<std::string>> members;
  for (const std::string& community : principal.communities) {
    CMC_ASSIGN_OR_RETURN(members[community],
                         communities_->Members(community, deadline));
  }
  OrgScope scope(principal, members);
  if (tiers == Tiers::kSkip) return scope;
  CMC_ASSIGN_OR_RETURN(std::set<common::v1::Tier> covered,
                       TiersOf(*directory_, scope.InstitutionIds(), deadline));
  return OrgScope(principal, members, std::move(covered));
}

absl::StatusOr<OrgScope> ReferralService::ScopeToJudge(
    const grpc::ServerContext& context, OrgScope scope,
    const Referral& referral, absl::Time deadline) {
  if (!scope.NeedsTiersFor(referral)) return scope;
  return ScopeOf(context, deadline, Tiers::kResolve);
}

absl::Status ReferralService::ApplyCatalogue(Referral* referral,
                                             absl::Time deadline) {
  if (referral->to_case() != Referral::kToExternalHospital) {
    return absl::OkStatus();
  }
  const std::string& code = referral->diagnosis().icd10_code();
  CMC_ASSIGN_OR_RETURN(const std::vector<v1::InCountyCondition> entries,
                       catalogue_->FindByCodes(CandidateCodes(code), deadline));
  return ApplyInCountyRule(LongestMatch(entries, code), referral);
}

absl::Time ReferralService::Deadline(const grpc::ServerContext& context) const {
  return EffectiveDeadline(context.deadline(), options_.default_deadline,
                           options_.max_deadline);
}

absl::Status ReferralService::CheckParties(const Referral& referral,
                                           absl::Time deadline) {
  std::vector<std::string> ids = {referral.from_institution_id()};
  std::vector<std::string> fields = {"referral.from_institution_id"};
  if (referral.to_case() == Referral::kToInstitutionId) {
    ids.push_back(referral.to_institution_id());
    fields.push_back("referral.to_institution_id");
  }
  absl::StatusOr<std::vector<InstitutionFacts>> facts =
      directory_->Lookup(ids, deadline);
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
    const grpc::ServerContext& context,
    const v1::CreateReferralRequest& request) {
  CMC_RETURN_IF_ERROR(CheckId(request.request_id(), "request_id"));
  Referral referral = request.referral();
  CMC_RETURN_IF_ERROR(CheckNewReferral(&referral, TodayInChina()));
  const absl::Time deadline = Deadline(context);
  CMC_ASSIGN_OR_RETURN(const OrgScope scope, ScopeOf(context, deadline));
  if (!scope.Covers(referral.from_institution_id())) {
    return OutOfScope(
        "referral.from_institution_id",
        absl::StrCat("institution ", referral.from_institution_id()));
  }
  const std::string digest = MessageDigest(request);
  // A repeat is answered from the database alone, so it succeeds even while
  // the institution service is down, and sees the tiers the first call saw.
  CMC_ASSIGN_OR_RETURN(
      std::optional<Referral> existing,
      store_->FindByRequest(request.request_id(), digest, deadline));
  if (existing.has_value()) return std::move(*existing);
  CMC_RETURN_IF_ERROR(CheckParties(referral, deadline));
  CMC_RETURN_IF_ERROR(ApplyCatalogue(&referral, deadline));
  return store_->Create(request.request_id(), digest, std::move(referral),
                        PrincipalOf(context), deadline);
}

absl::StatusOr<Referral> ReferralService::Act(
    const grpc::ServerContext& context, const std::string& id, int64_t version,
    const v1::Actor& actor, ActionRequest action,
    const absl::Status& fields_of_action) {
  CMC_RETURN_IF_ERROR(CheckTransition(id, version, actor));
  CMC_RETURN_IF_ERROR(fields_of_action);
  action.institution_id = actor.institution_id();
  action.practitioner = actor.practitioner();
  action.principal = PrincipalOf(context);
  const absl::Time deadline = Deadline(context);
  CMC_ASSIGN_OR_RETURN(OrgScope caller, ScopeOf(context, deadline));
  CMC_ASSIGN_OR_RETURN(const Referral current, store_->Get(id, deadline));
  // Without tiers when `current` does not need them; nor does then any later
  // version the transaction may read (OrgScope::NeedsTiersFor).
  CMC_ASSIGN_OR_RETURN(
      const OrgScope scope,
      ScopeToJudge(context, std::move(caller), current, deadline));
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
        directory_->Lookup({action.institution_id}, deadline);
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
  return store_->Transition(id, version, action, deadline,
                            [&scope, &action](const Referral& referral) {
                              return AuthorizeAction(scope, referral, action);
                            });
}

grpc::Status ReferralService::CreateReferral(
    grpc::ServerContext* context, const v1::CreateReferralRequest* request,
    Referral* response) {
  return Reply(Create(*context, *request), response);
}

grpc::Status ReferralService::GetReferral(grpc::ServerContext* context,
                                          const v1::GetReferralRequest* request,
                                          Referral* response) {
  if (absl::Status bad = CheckId(request->id(), "id"); !bad.ok()) {
    return ToGrpcStatus(bad);
  }
  const absl::Time deadline = Deadline(*context);
  absl::StatusOr<OrgScope> caller = ScopeOf(*context, deadline);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Referral> referral = store_->Get(request->id(), deadline);
  if (!referral.ok()) return ToGrpcStatus(referral.status());
  absl::StatusOr<OrgScope> scope =
      ScopeToJudge(*context, *std::move(caller), *referral, deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  if (!scope->CanSee(*referral)) {
    return ToGrpcStatus(
        OutOfScope("id", absl::StrCat("referral ", request->id())));
  }
  if (ShowsResidentId(PrincipalFromContext(*context), *scope, *referral)) {
    MarkPersonalDataRead(context, "resident_id");
    *response = std::move(*referral);
    return grpc::Status::OK;
  }
  *response = MaskedForOutput(*referral);
  return grpc::Status::OK;
}

grpc::Status ReferralService::ListReferrals(
    grpc::ServerContext* context, const v1::ListReferralsRequest* request,
    v1::ListReferralsResponse* response) {
  absl::StatusOr<ReferralFilter> filter = ParseListRequest(*request);
  if (!filter.ok()) return ToGrpcStatus(filter.status());
  const absl::Time deadline = Deadline(*context);
  // A named institution in scope already confines the rows to referrals the
  // caller sees; the other filters may reach unclaimed tier-open ones.
  const bool named = filter->scope == ReferralFilter::Scope::kOutgoing ||
                     filter->scope == ReferralFilter::Scope::kIncoming;
  absl::StatusOr<OrgScope> scope =
      ScopeOf(*context, deadline, named ? Tiers::kSkip : Tiers::kResolve);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  if (!scope->unrestricted()) {
    if (named && !scope->Covers(filter->institution_id)) {
      return ToGrpcStatus(
          OutOfScope(filter->scope == ReferralFilter::Scope::kOutgoing
                         ? "outgoing_institution_id"
                         : "incoming_institution_id",
                     absl::StrCat("institution ", filter->institution_id)));
    }
    if (!named) {
      filter->visible =
          ReferralVisibility{scope->InstitutionIds(), scope->Tiers()};
    }
  }
  absl::StatusOr<ReferralPage> page = store_->List(*filter, deadline);
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const Referral& referral : page->referrals) {
    *response->add_referrals() = MaskedForOutput(referral);
  }
  if (page->more) {
    response->mutable_page()->set_next_page_token(
        NextPageToken(*request, page->last_row));
  }
  response->mutable_page()->set_total_size(-1);
  return grpc::Status::OK;
}

grpc::Status ReferralService::GetReferralStats(
    grpc::ServerContext* context, const v1::GetReferralStatsRequest* request,
    v1::ReferralStats* response) {
  absl::StatusOr<StatsQuery> query = ParseStatsRequest(*request);
  if (!query.ok()) return ToGrpcStatus(query.status());
  const absl::Time deadline = Deadline(*context);
  absl::StatusOr<OrgScope> scope = ScopeOf(*context, deadline);
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  for (int i = 0; i < request->institution_ids_size(); ++i) {
    if (!scope->Covers(request->institution_ids(i))) {
      return ToGrpcStatus(OutOfScope(
          absl::StrCat("institution_ids[", i, "]"),
          absl::StrCat("institution ", request->institution_ids(i))));
    }
  }
  // Each referral counted was sent or is received by a covered institution,
  // so the caller sees it whatever tiers it covers.
  absl::StatusOr<std::vector<Referral>> referrals =
      store_->ForStats(query->institution_ids, query->created_from,
                       query->created_before, kMaxStatsReferrals, deadline);
  if (!referrals.ok()) return ToGrpcStatus(referrals.status());
  *response = ReferralStatsOf(*referrals);
  return grpc::Status::OK;
}

template <typename Request>
grpc::Status ReferralService::Transition(grpc::ServerContext* context,
                                         const Request& request,
                                         Referral* response) {
  auto [action, text] = ReadTransition(request);
  return Reply(Act(*context, request.id(), request.version(), request.actor(),
                   std::move(action), text),
               response);
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
