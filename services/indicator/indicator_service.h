// The handlers of cmc.indicator.v1.IndicatorService: validate, resolve the
// caller's org scope, call the store, compute with the pure rules
// (aggregation.h, expression.h, period.h), translate. Thread-safe.
//
//   auto service = std::make_unique<IndicatorService>(
//       NewMysqlIndicatorStore(&pool), NewGrpcOrgDirectory(channel), call);
#ifndef CMC_SERVICES_INDICATOR_INDICATOR_SERVICE_H_
#define CMC_SERVICES_INDICATOR_INDICATOR_SERVICE_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cmc/indicator/v1/indicator.grpc.pb.h"
#include "common/service/call_context.h"
#include "common/service/community_directory.h"
#include "common/service/feed_consumer.h"
#include "common/service/org_scope.h"
#include "common/service/scope_resolver.h"
#include "services/indicator/aggregation.h"
#include "services/indicator/indicator_store.h"
#include "services/indicator/org_directory.h"

namespace cmc::indicator {

// Row limits of SubmitDataValues.
inline constexpr int kMaxRowsPerMessage = 1000;
inline constexpr int64_t kMaxRowsPerCall = 100000;
// The most errors a SubmitDataValues response lists.
inline constexpr int kMaxListedRowErrors = 1000;
// Bounds of QueryIndicators.
inline constexpr int kMaxQueryPeriods = 60;
inline constexpr int64_t kMaxQueryCells = 20000;

class IndicatorService final : public v1::IndicatorService::Service {
 public:
  // `feeds` are the event feeds the service follows (already started); the
  // service owns them and stops them when it is destroyed.
  IndicatorService(std::unique_ptr<IndicatorStore> store,
                   std::unique_ptr<OrgDirectory> orgs, CallOptions call,
                   std::vector<std::unique_ptr<FeedConsumer>> feeds = {});
  ~IndicatorService() override;

  grpc::Status CreateDataElement(grpc::ServerContext* context,
                                 const v1::CreateDataElementRequest* request,
                                 v1::DataElement* response) override;
  grpc::Status ListDataElements(
      grpc::ServerContext* context, const v1::ListDataElementsRequest* request,
      v1::ListDataElementsResponse* response) override;
  grpc::Status SaveIndicatorSet(grpc::ServerContext* context,
                                const v1::SaveIndicatorSetRequest* request,
                                v1::IndicatorSet* response) override;
  grpc::Status GetIndicatorSet(grpc::ServerContext* context,
                               const v1::GetIndicatorSetRequest* request,
                               v1::IndicatorSet* response) override;
  grpc::Status ListIndicatorSets(
      grpc::ServerContext* context, const v1::ListIndicatorSetsRequest* request,
      v1::ListIndicatorSetsResponse* response) override;
  grpc::Status SubmitDataValues(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::SubmitDataValuesRequest>* reader,
      v1::SubmitDataValuesResponse* response) override;
  grpc::Status QueryDataValues(grpc::ServerContext* context,
                               const v1::QueryDataValuesRequest* request,
                               v1::QueryDataValuesResponse* response) override;
  grpc::Status QueryIndicators(grpc::ServerContext* context,
                               const v1::QueryIndicatorsRequest* request,
                               v1::QueryIndicatorsResponse* response) override;
  grpc::Status ExplainIndicator(grpc::ServerContext* context,
                                const v1::ExplainIndicatorRequest* request,
                                v1::IndicatorExplanation* response) override;
  grpc::Status EvaluateCommunity(grpc::ServerContext* context,
                                 const v1::EvaluateCommunityRequest* request,
                                 v1::CommunityEvaluation* response) override;
  grpc::Status ExportIndicators(
      grpc::ServerContext* context, const v1::ExportIndicatorsRequest* request,
      v1::ExportIndicatorsResponse* response) override;
  grpc::Status ApprovePeriod(grpc::ServerContext* context,
                             const v1::ApprovePeriodRequest* request,
                             v1::PeriodApproval* response) override;
  grpc::Status RevokeApproval(grpc::ServerContext* context,
                              const v1::RevokeApprovalRequest* request,
                              v1::PeriodApproval* response) override;
  grpc::Status ListApprovals(grpc::ServerContext* context,
                             const v1::ListApprovalsRequest* request,
                             v1::ListApprovalsResponse* response) override;

  // The org tree below one unit, with each unit's key; built per call.
  struct UnitTree {
    OrgTree tree;
    std::map<std::string, OrgUnitKey> keys;
    // Every unit, the root first, in tree order (children by id).
    std::vector<std::string> order;
  };
  // The indicators of a set a question is about, ready to compute.
  struct Workspace {
    v1::IndicatorSet set;
    std::map<std::string, v1::DataElement> elements;
    std::vector<v1::IndicatorDefinition> definitions;
    std::vector<IndicatorFormula> formulas;
    std::set<std::string> element_codes;
  };
  // The values of a subtree by element, as observations and as stored.
  struct ValueTable {
    std::map<std::string, std::vector<Observation>> observations;
    std::map<std::string, std::vector<StoredValue>> stored;
  };

 private:
  absl::StatusOr<OrgScope> Scope(const CallContext& call) const;
  absl::StatusOr<UnitTree> BuildTree(const OrgUnitKey& root,
                                     absl::Time deadline) const;
  absl::StatusOr<Workspace> LoadWorkspace(
      const std::string& set_code, int64_t set_version,
      const google::protobuf::RepeatedPtrField<std::string>& codes,
      absl::string_view codes_field, absl::Time deadline) const;
  absl::StatusOr<ValueTable> ReadTable(const UnitTree& tree,
                                       const Workspace& work,
                                       const ReportingPeriod& first,
                                       const ReportingPeriod& last,
                                       absl::Time deadline) const;
  // The county whose approvals lock values of `unit`; "" for none; nullopt
  // for a unit the institution service does not know.
  absl::StatusOr<std::optional<std::string>> CountyOf(
      const OrgUnitKey& unit, absl::Time deadline) const;

  std::unique_ptr<IndicatorStore> store_;
  std::unique_ptr<OrgDirectory> orgs_;
  std::unique_ptr<CommunityDirectory> communities_;
  ScopeResolver scopes_;
  CallOptions call_;
  std::vector<std::unique_ptr<FeedConsumer>> feeds_;
};

// Element totals of one cell: each element of `work` aggregated over
// `subtree` and `period`.
ElementTotals TotalsOf(const IndicatorService::Workspace& work,
                       const IndicatorService::ValueTable& table,
                       const std::set<std::string>& subtree,
                       const ReportingPeriod& period);

// One computed cell as the contract shows it.
v1::IndicatorCell CellOf(const OrgUnitKey& unit, const ReportingPeriod& period,
                         const v1::IndicatorDefinition& definition,
                         const IndicatorResult& result);

// OK when `scope` covers `unit`: institutions and communities as OrgScope
// says, divisions only for an unrestricted scope; else PERMISSION_DENIED
// naming `field`.
absl::Status RequireOrgUnit(const OrgScope& scope, const OrgUnitKey& unit,
                            absl::string_view field);

}  // namespace cmc::indicator

#endif  // CMC_SERVICES_INDICATOR_INDICATOR_SERVICE_H_
