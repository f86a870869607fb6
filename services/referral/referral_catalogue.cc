// ReferralService's in-county catalogue handlers and
// ListDownReferralSuggestions: check the request (in_county_catalogue.h),
// apply the caller's scope, call the stores.
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/identity/principal.h"
#include "common/service/handler.h"
#include "common/service/paging.h"
#include "common/status.h"
#include "services/referral/in_county_catalogue.h"
#include "services/referral/referral_service.h"

namespace cmc::referral {
namespace {

// Up referrals read per batch while filling a page of suggestions.
constexpr int kSuggestionBatch = 200;

// The catalogue is the county's: writing it needs county or community scope,
// not a single institution's.
absl::Status AuthorizeCatalogueWrite(const OrgScope& scope,
                                     absl::string_view field) {
  if (scope.HasCommunityReach()) return absl::OkStatus();
  return OutOfScope(field, "the county's in-county condition catalogue");
}

}  // namespace

grpc::Status ReferralService::UpsertInCountyCondition(
    grpc::ServerContext* context,
    const v1::UpsertInCountyConditionRequest* request,
    v1::InCountyCondition* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::InCountyCondition> {
        CMC_RETURN_IF_ERROR(CheckUpsertRequest(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, ScopeOf(call));
        CMC_RETURN_IF_ERROR(
            AuthorizeCatalogueWrite(scope, "condition.icd10_code"));
        std::optional<int64_t> expected;
        if (request->has_expected_version()) {
          expected = request->expected_version();
        }
        return catalogue_->Upsert(request->condition(), expected,
                                  call.Actor("anonymous"), call.deadline());
      });
}

grpc::Status ReferralService::DeleteInCountyCondition(
    grpc::ServerContext* context,
    const v1::DeleteInCountyConditionRequest* request,
    v1::InCountyCondition* response) {
  return Serve(
      context, options_.call, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::InCountyCondition> {
        CMC_RETURN_IF_ERROR(CheckDeleteRequest(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, ScopeOf(call));
        CMC_RETURN_IF_ERROR(AuthorizeCatalogueWrite(scope, "icd10_code"));
        return catalogue_->Delete(request->icd10_code(), request->version(),
                                  call.Actor("anonymous"), call.deadline());
      });
}

grpc::Status ReferralService::ListInCountyConditions(
    grpc::ServerContext* context,
    const v1::ListInCountyConditionsRequest* request,
    v1::ListInCountyConditionsResponse* response) {
  return Serve(context, options_.call, response,
               [&](const CallContext& call)
                   -> absl::StatusOr<v1::ListInCountyConditionsResponse> {
                 CMC_ASSIGN_OR_RETURN(const ConditionFilter filter,
                                      ParseConditionList(*request));
                 CMC_ASSIGN_OR_RETURN(
                     ConditionPage page,
                     catalogue_->List(filter, call.deadline()));
                 v1::ListInCountyConditionsResponse list;
                 for (v1::InCountyCondition& entry : page.conditions) {
                   *list.add_conditions() = std::move(entry);
                 }
                 if (page.more) {
                   list.mutable_page()->set_next_page_token(
                       NextPageToken(QueryFingerprint(*request),
                                     list.conditions().rbegin()->icd10_code()));
                 }
                 list.mutable_page()->set_total_size(-1);
                 return list;
               });
}

grpc::Status ReferralService::ListDownReferralSuggestions(
    grpc::ServerContext* context,
    const v1::ListDownReferralSuggestionsRequest* request,
    v1::ListDownReferralSuggestionsResponse* response) {
  return Serve(context, options_.call, response, [&](const CallContext& call) {
    return Suggestions(call, *request);
  });
}

absl::StatusOr<v1::ListDownReferralSuggestionsResponse>
ReferralService::Suggestions(
    const CallContext& call,
    const v1::ListDownReferralSuggestionsRequest& request) {
  CMC_ASSIGN_OR_RETURN(const SuggestionQuery query,
                       ParseSuggestionRequest(request));
  const absl::Time deadline = call.deadline();
  CMC_ASSIGN_OR_RETURN(const OrgScope scope, ScopeOf(call));
  CMC_RETURN_IF_ERROR(
      scope.RequireInstitution(query.institution_id, "institution_id"));
  CMC_ASSIGN_OR_RETURN(const std::vector<v1::InCountyCondition> catalogue,
                       catalogue_->All(deadline));
  v1::ListDownReferralSuggestionsResponse response;
  response.mutable_page()->set_total_size(-1);
  if (catalogue.empty()) return response;
  // Most received up referrals are not suggestions: read them in batches
  // until the page is full and one more suggestion shows that another page
  // follows, or none are left. The token continues after the last row of the
  // page, so a page never repeats or skips one.
  int64_t before_row = query.before_row;
  std::optional<int64_t> page_end;  // the page's last row, once it is full
  while (true) {
    CMC_ASSIGN_OR_RETURN(
        const std::vector<ReferralRow> rows,
        store_->ReceivedUpReferrals(query.institution_id, before_row,
                                    kSuggestionBatch, deadline));
    std::vector<std::string> patients;
    for (const ReferralRow& row : rows) {
      patients.push_back(row.referral.patient().resident_id());
    }
    CMC_ASSIGN_OR_RETURN(
        const std::vector<v1::Referral> downs,
        store_->DownReferralsSent(query.institution_id, patients, deadline));
    for (const ReferralRow& row : rows) {
      before_row = row.row_no;
      std::optional<v1::DownReferralSuggestion> suggestion =
          SuggestDownReferral(row.referral, query.institution_id, catalogue,
                              downs);
      if (!suggestion.has_value()) continue;
      if (page_end.has_value()) {  // a suggestion beyond the full page
        response.mutable_page()->set_next_page_token(
            NextPageToken(QueryFingerprint(request), *page_end));
        return response;
      }
      *suggestion->mutable_up_referral() =
          MaskedForOutput(suggestion->up_referral());
      *response.add_suggestions() = std::move(*suggestion);
      if (response.suggestions_size() == query.limit) page_end = before_row;
    }
    if (static_cast<int>(rows.size()) < kSuggestionBatch) return response;
  }
}

}  // namespace cmc::referral
