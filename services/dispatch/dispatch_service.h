// The gRPC handlers of cmc.dispatch.v1.DispatchService on the service kit:
// each validates the request (request_checks.h), resolves the caller's scope
// (dispatch_scope.h), reads what the rules need from the stores and the
// institution reader, applies the pure rules (policy.h, schedule.h,
// coverage.h, compliance.h, service_days.h, rota.h) and stores the result.
// Handlers are split by area: policy and shared loading in
// dispatch_service.cc, stationing_handlers.cc (assignments, extensions,
// settlements), touring_handlers.cc (plans and visits), report_handlers.cc
// (coverage, compliance, service days) and rota_handlers.cc.
//
//   DispatchService service(DispatchService::MysqlStores(&pool),
//                           NewCachingInstitutionReader(...),
//                           NewCachingCommunityDirectory(...), call_options);
//
// Thread-safe.
#ifndef CMC_SERVICES_DISPATCH_DISPATCH_SERVICE_H_
#define CMC_SERVICES_DISPATCH_DISPATCH_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cmc/dispatch/v1/dispatch.grpc.pb.h"
#include "common/db/pool.h"
#include "common/service/call_context.h"
#include "common/service/community_directory.h"
#include "common/service/scope_resolver.h"
#include "services/dispatch/compliance.h"
#include "services/dispatch/institution_reader.h"
#include "services/dispatch/policy_store.h"
#include "services/dispatch/record_store.h"
#include "services/dispatch/schedule.h"
#include "services/dispatch/service_month_store.h"

namespace cmc::dispatch {

class DispatchService final : public v1::DispatchService::Service {
 public:
  struct Stores {
    std::unique_ptr<PolicyStore> policies;
    std::unique_ptr<PlanStore> plans;
    std::unique_ptr<VisitStore> visits;
    std::unique_ptr<AssignmentStore> assignments;
    std::unique_ptr<ExtensionStore> extensions;
    std::unique_ptr<SettlementStore> settlements;
    std::unique_ptr<RotaStore> rotas;
    std::unique_ptr<ServiceMonthStore> months;
  };
  // The MySQL stores over `pool` (schema cmc_dispatch, migrated), which must
  // outlive them.
  static Stores MysqlStores(db::Pool* pool);

  // `communities` resolves "community:<id>" scopes to their members.
  DispatchService(Stores stores, std::unique_ptr<InstitutionReader> reader,
                  std::unique_ptr<CommunityDirectory> communities,
                  CallOptions call);

  using Context = grpc::ServerContext;

  grpc::Status GetPolicy(Context*, const v1::GetPolicyRequest*,
                         v1::DispatchPolicy*) override;
  grpc::Status ListPolicyVersions(Context*,
                                  const v1::ListPolicyVersionsRequest*,
                                  v1::ListPolicyVersionsResponse*) override;
  grpc::Status UpdatePolicy(Context*, const v1::UpdatePolicyRequest*,
                            v1::DispatchPolicy*) override;

  grpc::Status CreateTouringPlan(Context*, const v1::CreateTouringPlanRequest*,
                                 v1::TouringPlan*) override;
  grpc::Status GetTouringPlan(Context*, const v1::GetTouringPlanRequest*,
                              v1::TouringPlan*) override;
  grpc::Status ListTouringPlans(Context*, const v1::ListTouringPlansRequest*,
                                v1::ListTouringPlansResponse*) override;
  grpc::Status UpdateTouringPlan(Context*, const v1::UpdateTouringPlanRequest*,
                                 v1::TouringPlan*) override;
  grpc::Status EndTouringPlan(Context*, const v1::EndTouringPlanRequest*,
                              v1::TouringPlan*) override;

  grpc::Status CreateVisit(Context*, const v1::CreateVisitRequest*,
                           v1::Visit*) override;
  grpc::Status GetVisit(Context*, const v1::GetVisitRequest*,
                        v1::Visit*) override;
  grpc::Status ListVisits(Context*, const v1::ListVisitsRequest*,
                          v1::ListVisitsResponse*) override;
  grpc::Status UpdateVisit(Context*, const v1::UpdateVisitRequest*,
                           v1::Visit*) override;
  grpc::Status RecordVisitDone(Context*, const v1::RecordVisitDoneRequest*,
                               v1::Visit*) override;
  grpc::Status RecordVisitMissed(Context*, const v1::RecordVisitMissedRequest*,
                                 v1::Visit*) override;
  grpc::Status CancelVisit(Context*, const v1::CancelVisitRequest*,
                           v1::Visit*) override;

  grpc::Status CreateAssignment(Context*, const v1::CreateAssignmentRequest*,
                                v1::StationingAssignment*) override;
  grpc::Status GetAssignment(Context*, const v1::GetAssignmentRequest*,
                             v1::StationingAssignment*) override;
  grpc::Status ListAssignments(Context*, const v1::ListAssignmentsRequest*,
                               v1::ListAssignmentsResponse*) override;
  grpc::Status UpdateAssignment(Context*, const v1::UpdateAssignmentRequest*,
                                v1::StationingAssignment*) override;
  grpc::Status EndAssignment(Context*, const v1::EndAssignmentRequest*,
                             v1::StationingAssignment*) override;

  grpc::Status CreateExtension(Context*, const v1::CreateExtensionRequest*,
                               v1::NeighbourExtension*) override;
  grpc::Status GetExtension(Context*, const v1::GetExtensionRequest*,
                            v1::NeighbourExtension*) override;
  grpc::Status ListExtensions(Context*, const v1::ListExtensionsRequest*,
                              v1::ListExtensionsResponse*) override;
  grpc::Status UpdateExtension(Context*, const v1::UpdateExtensionRequest*,
                               v1::NeighbourExtension*) override;
  grpc::Status EndExtension(Context*, const v1::EndExtensionRequest*,
                            v1::NeighbourExtension*) override;
  grpc::Status CreateSettlement(Context*, const v1::CreateSettlementRequest*,
                                v1::RelocationSettlement*) override;
  grpc::Status ListSettlements(Context*, const v1::ListSettlementsRequest*,
                               v1::ListSettlementsResponse*) override;
  grpc::Status EndSettlement(Context*, const v1::EndSettlementRequest*,
                             v1::RelocationSettlement*) override;

  grpc::Status GetCoverage(Context*, const v1::GetCoverageRequest*,
                           v1::CoverageReport*) override;
  grpc::Status CheckCompliance(Context*, const v1::CheckComplianceRequest*,
                               v1::ComplianceReport*) override;
  grpc::Status GetServiceDays(Context*, const v1::GetServiceDaysRequest*,
                              v1::ServiceDaysReport*) override;
  grpc::Status CloseServiceMonth(Context*, const v1::CloseServiceMonthRequest*,
                                 v1::CloseServiceMonthResponse*) override;

  grpc::Status ProposeTouringRota(Context*,
                                  const v1::ProposeTouringRotaRequest*,
                                  v1::RotaProposal*) override;
  grpc::Status GetRotaProposal(Context*, const v1::GetRotaProposalRequest*,
                               v1::RotaProposal*) override;
  grpc::Status AcceptRota(Context*, const v1::AcceptRotaRequest*,
                          v1::RotaProposal*) override;

 private:
  // What the rules need about one community over some days.
  struct CommunityFacts {
    std::vector<institution::v1::Village> villages;  // registration order
    std::vector<institution::v1::Institution> members;
    std::map<std::string, v1::Level> levels;  // of the members
    ComplianceFacts facts;  // villages, township centers, records
  };

  // The community's villages, members, staff, postings at its village
  // clinics, and this service's records overlapping `days` (widened by the
  // blank-spot lookback). NOT_FOUND "community_id" for an unknown
  // community; UNAVAILABLE when the institution service is down.
  absl::StatusOr<CommunityFacts> LoadCommunity(const std::string& community_id,
                                               const DaySpan& days,
                                               absl::Time deadline);
  // Everything that books `staff_id` on days overlapping `days`: visits,
  // stationings and postings.
  absl::StatusOr<std::vector<Booking>> BookingsOf(const std::string& staff_id,
                                                  const DaySpan& days,
                                                  absl::Time deadline);
  // The same for many people at once, by staff id (everyone of `staff_ids`
  // has an entry): visits and stationings with one query each per 500
  // people, and postings from one institution-service call per institution
  // of `employers` (PostingsAt: the postings from or to each), which must
  // hold every person's employer. A posting of a person from an institution
  // that is not in `employers` (a former employer) is not seen; AcceptRota
  // checks each visit again with BookingsOf before it creates anything.
  absl::StatusOr<std::map<std::string, std::vector<Booking>>> BookingsOfMany(
      const std::vector<std::string>& staff_ids,
      const std::set<std::string>& employers, const DaySpan& days,
      absl::Time deadline);
  // The staff member `id`, NOT_FOUND renamed to `field`.
  absl::StatusOr<institution::v1::Staff> StaffAt(const std::string& id,
                                                 const std::string& field,
                                                 absl::Time deadline);
  absl::StatusOr<institution::v1::Village> VillageAt(const std::string& id,
                                                     const std::string& field,
                                                     absl::Time deadline);
  absl::StatusOr<institution::v1::Institution> InstitutionAt(
      const std::string& id, const std::string& field, absl::Time deadline);
  // The community an institution is a member of today ("" for none).
  absl::StatusOr<std::string> CommunityOfInstitution(const std::string& id,
                                                     const OrgScope& scope,
                                                     absl::Time deadline);

  absl::Status CheckVisit(const CallContext& call, const v1::TouringPlan& plan,
                          v1::Visit* visit);
  absl::StatusOr<v1::StationingAssignment> NewAssignment(
      const CallContext& call, const v1::CreateAssignmentRequest& request);
  // EndExtension and EndSettlement: a village's record with a period, ended
  // on request.end_date() by a caller covering the village, with event
  // `event_type`. Defined in stationing_handlers.cc.
  template <typename Record, typename Request>
  absl::StatusOr<Record> EndVillagePeriod(const CallContext& call,
                                          RecordStore<Record>& store,
                                          const Request& request,
                                          const char* event_type);

  Stores stores_;
  std::unique_ptr<InstitutionReader> reader_;
  std::unique_ptr<CommunityDirectory> communities_;
  ScopeResolver scopes_;
  const CallOptions call_;
};

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_DISPATCH_SERVICE_H_
