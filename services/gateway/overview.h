// GetCommunityOverview as pure functions: the request check, the scope check,
// what each section holds given its backend's answer, and the deadline the
// backends get. No I/O; overview_fetcher.h asks the backends.
//
//   CMC_ASSIGN_OR_RETURN(OverviewQuery query,
//                        OverviewQueryFromRequest(request,
//                        CountyDay(absl::Now())));
//   CMC_RETURN_IF_ERROR(CheckOverviewScope(principal, query.community_id));
//   ...
//   FillMembers(subtree, overview.mutable_members());
#ifndef CMC_SERVICES_GATEWAY_OVERVIEW_H_
#define CMC_SERVICES_GATEWAY_OVERVIEW_H_

#include <grpcpp/support/status.h>

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cmc/dispatch/v1/dispatch.pb.h"
#include "cmc/gateway/v1/gateway.pb.h"
#include "cmc/institution/v1/institution.pb.h"
#include "common/identity/principal.h"
#include "google/rpc/status.pb.h"

namespace cmc::gateway {

// The full method names the overview calls on its backends.
inline constexpr char kListSubtreeMethod[] =
    "cmc.institution.v1.InstitutionService/ListSubtree";
inline constexpr char kStaffingSummaryMethod[] =
    "cmc.institution.v1.InstitutionService/GetStaffingSummary";
inline constexpr char kReferralStatsMethod[] =
    "cmc.referral.v1.ReferralService/GetReferralStats";
inline constexpr char kCoverageMethod[] =
    "cmc.dispatch.v1.DispatchService/GetCoverage";
inline constexpr char kComplianceMethod[] =
    "cmc.dispatch.v1.DispatchService/CheckCompliance";
inline constexpr char kBudgetExecutionMethod[] =
    "cmc.finance.v1.FinanceService/GetBudgetExecution";

// A checked GetCommunityOverviewRequest.
struct OverviewQuery {
  std::string community_id;
  std::string period;  // canonical text, e.g. "2024Q1"
  std::string as_of;   // "YYYY-MM-DD": as asked, or today
};

// The query of `request`, or INVALID_ARGUMENT naming the field:
// "community_id" when empty, "period" when missing or malformed, "as_of" when
// malformed. An unset as_of becomes `today`.
absl::StatusOr<OverviewQuery> OverviewQueryFromRequest(
    const v1::GetCommunityOverviewRequest& request, absl::CivilDay today);

// OK when `principal` may see the community: unrestricted (anonymous, or
// scope county) or scope "community:<community_id>". Otherwise
// PERMISSION_DENIED naming "community_id" (cmc::OutOfScope).
absl::Status CheckOverviewScope(const Principal& principal,
                                absl::string_view community_id);

// The members section of a successful ListSubtree of the community: the
// community, the member count per tier (every institution of the tree, at any
// depth) and the village count. Leaves `section->status` OK. Returns every
// institution id of the tree, in tree order (depth first), once each.
std::vector<std::string> FillMembers(
    const institution::v1::ListSubtreeResponse& subtree,
    v1::MembersSection* section);

// The status of a section whose backend call failed with `error`: the
// backend's code and details, message "backend <name>: <backend's message>",
// plus an ErrorInfo (reason BACKEND_ERROR, metadata backend and method).
google::rpc::Status BackendErrorStatus(absl::string_view backend,
                                       absl::string_view method,
                                       const grpc::Status& error);

// The referral section's status when the members section failed: the member
// list is unknown, so the referral service was not asked. FAILED_PRECONDITION,
// ErrorInfo reason MEMBERS_UNKNOWN.
google::rpc::Status MembersUnknownStatus(const google::rpc::Status& members);

// The status of a section whose backend has no RPC for it yet: UNIMPLEMENTED
// naming `capability`, ErrorInfo reason CAPABILITY_NOT_BUILT with metadata
// backend and capability.
google::rpc::Status PendingStatus(absl::string_view backend,
                                  absl::string_view capability,
                                  absl::string_view what);

// Sets the indicator section, which its backend does not serve yet.
void FillPendingSections(v1::CommunityOverview* overview);

// The month whose compliance the dispatch section reports: the last complete
// month before `as_of` ("YYYY-MM" of the month before as_of's month).
std::string LastCompleteMonth(absl::string_view as_of);

// The dispatch section's coverage figures from a GetCoverage answer for one
// day (blank spots over every village in scope). Leaves the statuses alone.
void FillDispatchCoverage(const dispatch::v1::CoverageReport& coverage,
                          v1::DispatchSection* section);

// Sets the dispatch section's status from the GetCoverage call (`error` not
// OK: BackendErrorStatus) and mirrors it into the deprecated
// dispatch_coverage section.
void SetDispatchStatus(const grpc::Status& error,
                       v1::CommunityOverview* overview);

// Sets the budget section's status from the GetBudgetExecution call and
// mirrors it into the deprecated budget_execution section.
void SetBudgetStatus(const grpc::Status& error,
                     v1::CommunityOverview* overview);

// The deadline of the backend calls of an overview whose caller's deadline is
// `caller` (already capped by the gateway): a reserve of a tenth of the time
// left, at most 50 ms, is kept to compose and send the answer, so a slow
// backend costs its section, not the call. Never before `now`.
std::chrono::system_clock::time_point OverviewBackendDeadline(
    std::chrono::system_clock::time_point caller,
    std::chrono::system_clock::time_point now);

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_OVERVIEW_H_
