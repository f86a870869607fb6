// Asks the backends for the sections of GetCommunityOverview (see
// gateway.proto and overview.h), in parallel, on the gateway's backend
// channels (so the read retries of backend_channels.h apply).
//
//   CMC_ASSIGN_OR_RETURN(auto fetcher, OverviewFetcher::Create(channels));
//   v1::CommunityOverview overview = fetcher->Fetch(
//       query, principal, request_id, deadline, [&] { return
//       ctx->IsCancelled(); });
//
// Members (ListSubtree), staffing (GetStaffingSummary), village coverage on
// as_of (GetCoverage) and last month's compliance (CheckCompliance) are asked
// at once;
// the referral statistics as soon as the member list has arrived (they are
// counted over the member institutions). Every backend call carries the
// caller's principal (x-cmc-principal-*) and x-request-id and ends by the
// deadline given. A failed call leaves its section empty with a status naming
// the backend; Fetch itself never fails.
#ifndef CMC_SERVICES_GATEWAY_OVERVIEW_FETCHER_H_
#define CMC_SERVICES_GATEWAY_OVERVIEW_FETCHER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cmc/dispatch/v1/dispatch.grpc.pb.h"
#include "cmc/finance/v1/finance.grpc.pb.h"
#include "cmc/gateway/v1/gateway.pb.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "cmc/referral/v1/referral.grpc.pb.h"
#include "common/identity/principal.h"
#include "services/gateway/backend_channels.h"
#include "services/gateway/overview.h"

namespace cmc::gateway {

// Thread-safe: one fetcher serves every overview call.
class OverviewFetcher {
 public:
  // A fetcher on the "institution", "referral", "dispatch" and "finance"
  // channels of `channels`;
  // INVALID_ARGUMENT "channels" when one is missing. The fetcher shares the
  // channels (they stay open as long as it lives).
  static absl::StatusOr<std::unique_ptr<OverviewFetcher>> Create(
      const BackendChannels& channels);

  // The overview of `query` as seen by `principal`. Returns by `deadline`
  // (plus the time to collect the answers), or soon after `cancelled`
  // returns true (it is polled every 20 ms; the backend calls are then
  // cancelled). `request_id` ("" = none) is sent as x-request-id.
  v1::CommunityOverview Fetch(const OverviewQuery& query,
                              const Principal& principal,
                              const std::string& request_id,
                              std::chrono::system_clock::time_point deadline,
                              const std::function<bool()>& cancelled) const;

  // The ids of the member institutions of `community_id` today (ListSubtree,
  // asked with `principal`, by `deadline`): the community part of an
  // auditor's view of the audit trail (gateway.proto, ListAuditRecords).
  // None when the community does not exist; otherwise the institution
  // service's error as it came (UNAVAILABLE when it cannot be reached).
  absl::StatusOr<std::vector<std::string>> MemberInstitutions(
      const std::string& community_id, const Principal& principal,
      absl::Time deadline) const;

 private:
  OverviewFetcher(
      std::unique_ptr<institution::v1::InstitutionService::Stub> institution,
      std::unique_ptr<referral::v1::ReferralService::Stub> referral,
      std::unique_ptr<dispatch::v1::DispatchService::Stub> dispatch,
      std::unique_ptr<finance::v1::FinanceService::Stub> finance);

  const std::unique_ptr<institution::v1::InstitutionService::Stub> institution_;
  const std::unique_ptr<referral::v1::ReferralService::Stub> referral_;
  const std::unique_ptr<dispatch::v1::DispatchService::Stub> dispatch_;
  const std::unique_ptr<finance::v1::FinanceService::Stub> finance_;
};

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_OVERVIEW_FETCHER_H_
