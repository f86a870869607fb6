#include "services/gateway/overview.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "google/rpc/error_details.pb.h"

namespace cmc::gateway {
namespace {

using institution::v1::ListSubtreeResponse;
using institution::v1::SubtreeNode;

// Adds an ErrorInfo (domain cmc) with `metadata` to `status`.
void AddErrorInfo(google::rpc::Status* status, absl::string_view reason,
                  const std::map<std::string, std::string>& metadata) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain("cmc");
  for (const auto& [key, value] : metadata) {
    (*info.mutable_metadata())[key] = value;
  }
  status->add_details()->PackFrom(info);
}

void Walk(const SubtreeNode& node, std::set<std::string>* seen,
          std::vector<std::string>* ids,
          std::map<common::v1::Tier, int>* by_tier) {
  if (seen->insert(node.institution().id()).second) {
    ids->push_back(node.institution().id());
    ++(*by_tier)[node.institution().tier()];
  }
  for (const SubtreeNode& child : node.children()) {
    Walk(child, seen, ids, by_tier);
  }
}

// The ids of the tree and the count per tier.
std::vector<std::string> Members(const ListSubtreeResponse& subtree,
                                 std::map<common::v1::Tier, int>* by_tier) {
  std::set<std::string> seen;
  std::vector<std::string> ids;
  for (const SubtreeNode& root : subtree.roots()) {
    Walk(root, &seen, &ids, by_tier);
  }
  return ids;
}

}  // namespace

absl::StatusOr<OverviewQuery> OverviewQueryFromRequest(
    const v1::GetCommunityOverviewRequest& request, absl::CivilDay today) {
  OverviewQuery query;
  if (request.community_id().empty()) {
    return InvalidField("community_id", "required");
  }
  if (!request.has_period() || request.period().value().empty()) {
    return InvalidField("period", "required");
  }
  CMC_RETURN_IF_ERROR(ValidatePeriod(request.period().value(), "period"));
  if (request.has_as_of() && !request.as_of().value().empty()) {
    CMC_RETURN_IF_ERROR(
        ParseCivilDate(request.as_of().value(), "as_of").status());
    query.as_of = request.as_of().value();
  } else {
    query.as_of = FormatCivilDate(today);
  }
  query.community_id = request.community_id();
  query.period = request.period().value();
  return query;
}

absl::Status CheckOverviewScope(const Principal& principal,
                                absl::string_view community_id) {
  if (principal.unrestricted() || principal.CoversCommunity(community_id)) {
    return absl::OkStatus();
  }
  return OutOfScope("community_id", absl::StrCat("community ", community_id));
}

std::vector<std::string> FillMembers(const ListSubtreeResponse& subtree,
                                     v1::MembersSection* section) {
  std::map<common::v1::Tier, int> by_tier;
  std::vector<std::string> ids = Members(subtree, &by_tier);
  *section->mutable_community() = subtree.community();
  for (const auto& [tier, count] : by_tier) {  // std::map: tier order
    v1::TierCount* entry = section->add_by_tier();
    entry->set_tier(tier);
    entry->set_institutions(count);
  }
  section->set_institution_count(static_cast<int32_t>(ids.size()));
  section->set_village_count(subtree.village_count());
  return ids;
}

google::rpc::Status BackendErrorStatus(absl::string_view backend,
                                       absl::string_view method,
                                       const grpc::Status& error) {
  google::rpc::Status status;
  // The backend's own details (BadRequest naming the field, ...) stay.
  if (!error.error_details().empty()) {
    status.ParseFromString(error.error_details());
  }
  status.set_code(static_cast<int>(error.error_code()));
  status.set_message(
      absl::StrCat("backend ", backend, ": ", error.error_message()));
  AddErrorInfo(
      &status, "BACKEND_ERROR",
      {{"backend", std::string(backend)}, {"method", std::string(method)}});
  return status;
}

google::rpc::Status MembersUnknownStatus(const google::rpc::Status& members) {
  google::rpc::Status status;
  status.set_code(static_cast<int>(absl::StatusCode::kFailedPrecondition));
  status.set_message(absl::StrCat(
      "the community's members are unknown (members section: ",
      members.message(), "), so the referral service was not asked"));
  AddErrorInfo(&status, "MEMBERS_UNKNOWN", {{"backend", "referral"}});
  return status;
}

google::rpc::Status PendingStatus(absl::string_view backend,
                                  absl::string_view capability,
                                  absl::string_view what) {
  google::rpc::Status status;
  status.set_code(static_cast<int>(absl::StatusCode::kUnimplemented));
  status.set_message(absl::StrCat(capability, " (", what,
                                  ") is not served yet: the ", backend,
                                  " service has no RPC for it"));
  AddErrorInfo(&status, "CAPABILITY_NOT_BUILT",
               {{"backend", std::string(backend)},
                {"capability", std::string(capability)}});
  return status;
}

void FillPendingSections(v1::CommunityOverview* overview) {
  *overview->mutable_indicators()->mutable_status() = PendingStatus(
      "indicator", "indicator.headline", "headline evaluation indicators");
}

std::string LastCompleteMonth(absl::string_view as_of) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(as_of, &day)) return "";
  const absl::CivilMonth previous = absl::CivilMonth(day) - 1;
  return absl::FormatCivilTime(previous);
}

void FillDispatchCoverage(const dispatch::v1::CoverageReport& coverage,
                          v1::DispatchSection* section) {
  *section->mutable_policy() = coverage.policy();
  section->set_village_count(coverage.village_count());
  section->set_villages_covered(coverage.village_count() -
                                coverage.villages_with_blank_days());
  *section->mutable_blank_spots() = coverage.blank_spots();
}

void SetDispatchStatus(const grpc::Status& error,
                       v1::CommunityOverview* overview) {
  google::rpc::Status status;
  if (!error.ok())
    status = BackendErrorStatus("dispatch", kCoverageMethod, error);
  *overview->mutable_dispatch()->mutable_status() = status;
  *overview->mutable_dispatch_coverage()->mutable_status() = status;
}

void SetBudgetStatus(const grpc::Status& error,
                     v1::CommunityOverview* overview) {
  google::rpc::Status status;
  if (!error.ok()) {
    status = BackendErrorStatus("finance", kBudgetExecutionMethod, error);
  }
  *overview->mutable_budget()->mutable_status() = status;
  *overview->mutable_budget_execution()->mutable_status() = status;
}

std::chrono::system_clock::time_point OverviewBackendDeadline(
    std::chrono::system_clock::time_point caller,
    std::chrono::system_clock::time_point now) {
  if (caller <= now) return now;
  const auto left = caller - now;
  const auto reserve = std::min<std::chrono::system_clock::duration>(
      left / 10, std::chrono::milliseconds(50));
  return caller - reserve;
}

}  // namespace cmc::gateway
