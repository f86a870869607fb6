#include "services/gateway/overview_fetcher.h"

#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "services/gateway/audit_record.h"

namespace cmc::gateway {
namespace {

using dispatch::v1::CheckComplianceRequest;
using dispatch::v1::ComplianceReport;
using dispatch::v1::CoverageReport;
using dispatch::v1::GetCoverageRequest;
using finance::v1::BudgetExecution;
using finance::v1::GetBudgetExecutionRequest;
using institution::v1::GetStaffingSummaryRequest;
using institution::v1::GetStaffingSummaryResponse;
using institution::v1::ListSubtreeRequest;
using institution::v1::ListSubtreeResponse;
using referral::v1::GetReferralStatsRequest;
using referral::v1::ReferralStats;

// The state of one overview's backend calls. Lives on Fetch's stack; Fetch
// returns only after every callback has run.
struct Calls {
  absl::Mutex mu;
  // Started calls whose callback has not run yet.
  int pending ABSL_GUARDED_BY(mu) = 0;

  grpc::ClientContext subtree_context;
  ListSubtreeRequest subtree_request;
  ListSubtreeResponse subtree;

  grpc::ClientContext staffing_context;
  GetStaffingSummaryRequest staffing_request;
  GetStaffingSummaryResponse staffing;

  grpc::ClientContext stats_context;
  GetReferralStatsRequest stats_request;
  ReferralStats stats;

  grpc::ClientContext coverage_context;
  GetCoverageRequest coverage_request;
  CoverageReport coverage;

  grpc::ClientContext compliance_context;
  CheckComplianceRequest compliance_request;
  ComplianceReport compliance;

  grpc::ClientContext budget_context;
  GetBudgetExecutionRequest budget_request;
  BudgetExecution budget;

  v1::CommunityOverview overview ABSL_GUARDED_BY(mu);

  void CancelAll() {
    subtree_context.TryCancel();
    staffing_context.TryCancel();
    stats_context.TryCancel();
    coverage_context.TryCancel();
    compliance_context.TryCancel();
    budget_context.TryCancel();
  }
  // Called at the end of every callback.
  void Finished() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { --pending; }
  bool AllFinished() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return pending == 0;
  }
};

void Prepare(grpc::ClientContext* context, const Principal& principal,
             const std::string& request_id,
             std::chrono::system_clock::time_point deadline) {
  AttachPrincipal(principal, context);
  if (!request_id.empty()) context->AddMetadata(kRequestIdHeader, request_id);
  context->set_deadline(deadline);
}

}  // namespace

absl::StatusOr<std::unique_ptr<OverviewFetcher>> OverviewFetcher::Create(
    const BackendChannels& channels) {
  auto institution = channels.find("institution");
  auto referral = channels.find("referral");
  if (institution == channels.end() || institution->second == nullptr) {
    return InvalidField("channels", "no channel for backend institution");
  }
  if (referral == channels.end() || referral->second == nullptr) {
    return InvalidField("channels", "no channel for backend referral");
  }
  auto dispatch = channels.find("dispatch");
  if (dispatch == channels.end() || dispatch->second == nullptr) {
    return InvalidField("channels", "no channel for backend dispatch");
  }
  auto finance = channels.find("finance");
  if (finance == channels.end() || finance->second == nullptr) {
    return InvalidField("channels", "no channel for backend finance");
  }
  return std::unique_ptr<OverviewFetcher>(new OverviewFetcher(
      institution::v1::InstitutionService::NewStub(institution->second),
      referral::v1::ReferralService::NewStub(referral->second),
      dispatch::v1::DispatchService::NewStub(dispatch->second),
      finance::v1::FinanceService::NewStub(finance->second)));
}

OverviewFetcher::OverviewFetcher(
    std::unique_ptr<institution::v1::InstitutionService::Stub> institution,
    std::unique_ptr<referral::v1::ReferralService::Stub> referral,
    std::unique_ptr<dispatch::v1::DispatchService::Stub> dispatch,
    std::unique_ptr<finance::v1::FinanceService::Stub> finance)
    : institution_(std::move(institution)),
      referral_(std::move(referral)),
      dispatch_(std::move(dispatch)),
      finance_(std::move(finance)) {}

v1::CommunityOverview OverviewFetcher::Fetch(
    const OverviewQuery& query, const Principal& principal,
    const std::string& request_id,
    std::chrono::system_clock::time_point deadline,
    const std::function<bool()>& cancelled) const {
  Calls calls;
  {
    absl::MutexLock lock(&calls.mu);
    calls.overview.set_community_id(query.community_id);
    calls.overview.mutable_period()->set_value(query.period);
    calls.overview.mutable_as_of()->set_value(query.as_of);
    FillPendingSections(&calls.overview);
    calls.pending = 5;
  }

  Prepare(&calls.subtree_context, principal, request_id, deadline);
  calls.subtree_request.mutable_org()->set_community_id(query.community_id);
  calls.subtree_request.mutable_as_of()->set_value(query.as_of);
  Prepare(&calls.staffing_context, principal, request_id, deadline);
  calls.staffing_request.mutable_org()->set_community_id(query.community_id);
  calls.staffing_request.mutable_as_of()->set_value(query.as_of);
  Prepare(&calls.stats_context, principal, request_id, deadline);
  calls.stats_request.mutable_period()->set_value(query.period);
  Prepare(&calls.coverage_context, principal, request_id, deadline);
  calls.coverage_request.set_community_id(query.community_id);
  calls.coverage_request.mutable_date()->set_value(query.as_of);
  // The counts and blank spots cover every village in scope whatever the
  // page; one row is the least a page may hold.
  calls.coverage_request.set_blank_only(true);
  calls.coverage_request.mutable_page()->set_page_size(1);
  Prepare(&calls.budget_context, principal, request_id, deadline);
  calls.budget_request.set_community_id(query.community_id);
  calls.budget_request.mutable_as_of()->set_value(query.as_of);
  Prepare(&calls.compliance_context, principal, request_id, deadline);
  calls.compliance_request.set_community_id(query.community_id);
  calls.compliance_request.mutable_period()->set_value(
      LastCompleteMonth(query.as_of));

  // The referral statistics, once the members are known; called from the
  // ListSubtree callback, without mu held.
  auto start_stats = [this, &calls] {
    referral_->async()->GetReferralStats(
        &calls.stats_context, &calls.stats_request, &calls.stats,
        [&calls](grpc::Status status) {
          absl::MutexLock lock(&calls.mu);
          v1::ReferralsSection* section = calls.overview.mutable_referrals();
          if (status.ok()) {
            *section->mutable_stats() = std::move(calls.stats);
          } else {
            *section->mutable_status() =
                BackendErrorStatus("referral", kReferralStatsMethod, status);
          }
          calls.Finished();
        });
  };

  institution_->async()->ListSubtree(
      &calls.subtree_context, &calls.subtree_request, &calls.subtree,
      [&calls, start_stats](grpc::Status status) {
        bool ask_referral = false;
        {
          absl::MutexLock lock(&calls.mu);
          v1::MembersSection* members = calls.overview.mutable_members();
          if (status.ok()) {
            for (std::string& id : FillMembers(calls.subtree, members)) {
              calls.stats_request.add_institution_ids(std::move(id));
            }
            // No members, no referrals: the service refuses an empty list.
            ask_referral = calls.stats_request.institution_ids_size() > 0;
          } else {
            *members->mutable_status() =
                BackendErrorStatus("institution", kListSubtreeMethod, status);
            *calls.overview.mutable_referrals()->mutable_status() =
                MembersUnknownStatus(members->status());
          }
          if (ask_referral) ++calls.pending;
        }
        if (ask_referral) start_stats();
        absl::MutexLock lock(&calls.mu);
        calls.Finished();
      });
  institution_->async()->GetStaffingSummary(
      &calls.staffing_context, &calls.staffing_request, &calls.staffing,
      [&calls](grpc::Status status) {
        absl::MutexLock lock(&calls.mu);
        v1::StaffingSection* section = calls.overview.mutable_staffing();
        if (status.ok()) {
          *section->mutable_summary() = std::move(calls.staffing);
        } else {
          *section->mutable_status() =
              BackendErrorStatus("institution", kStaffingSummaryMethod, status);
        }
        calls.Finished();
      });

  dispatch_->async()->GetCoverage(
      &calls.coverage_context, &calls.coverage_request, &calls.coverage,
      [&calls](grpc::Status status) {
        absl::MutexLock lock(&calls.mu);
        if (status.ok()) {
          FillDispatchCoverage(calls.coverage,
                               calls.overview.mutable_dispatch());
        }
        SetDispatchStatus(status, &calls.overview);
        calls.Finished();
      });
  finance_->async()->GetBudgetExecution(
      &calls.budget_context, &calls.budget_request, &calls.budget,
      [&calls](grpc::Status status) {
        absl::MutexLock lock(&calls.mu);
        if (status.ok()) {
          *calls.overview.mutable_budget()->mutable_execution() =
              std::move(calls.budget);
        }
        SetBudgetStatus(status, &calls.overview);
        calls.Finished();
      });
  dispatch_->async()->CheckCompliance(
      &calls.compliance_context, &calls.compliance_request, &calls.compliance,
      [&calls](grpc::Status status) {
        absl::MutexLock lock(&calls.mu);
        v1::DispatchComplianceSection* section =
            calls.overview.mutable_dispatch()->mutable_compliance();
        section->mutable_month()->set_value(
            calls.compliance_request.period().value());
        if (status.ok()) {
          section->set_compliant(calls.compliance.compliant());
          *section->mutable_report() = std::move(calls.compliance);
        } else {
          *section->mutable_status() =
              BackendErrorStatus("dispatch", kComplianceMethod, status);
        }
        calls.Finished();
      });

  calls.mu.Lock();
  bool cancel_sent = false;
  while (!calls.mu.AwaitWithTimeout(
      absl::Condition(&calls, &Calls::AllFinished), absl::Milliseconds(20))) {
    if (!cancel_sent && cancelled && cancelled()) {
      cancel_sent = true;
      calls.mu.Unlock();  // in case a cancellation runs a callback inline
      calls.CancelAll();
      calls.mu.Lock();
    }
  }
  v1::CommunityOverview overview = std::move(calls.overview);
  calls.mu.Unlock();
  return overview;
}

absl::StatusOr<std::vector<std::string>> OverviewFetcher::MemberInstitutions(
    const std::string& community_id, const Principal& principal,
    absl::Time deadline) const {
  grpc::ClientContext context;
  Prepare(&context, principal, "", absl::ToChronoTime(deadline));
  ListSubtreeRequest request;
  request.mutable_org()->set_community_id(community_id);
  ListSubtreeResponse response;
  const grpc::Status status =
      institution_->ListSubtree(&context, request, &response);
  // A community that does not exist (any more) has no members.
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return std::vector<std::string>();
  }
  if (!status.ok()) {
    return absl::Status(
        static_cast<absl::StatusCode>(status.error_code()),
        absl::StrCat("backend institution: ", status.error_message()));
  }
  v1::MembersSection section;
  return FillMembers(response, &section);
}

}  // namespace cmc::gateway
