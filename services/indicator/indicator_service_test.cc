// IndicatorService's handlers through a real in-process gRPC server and a
// generated client, over the in-memory store and a fixed org tree
// (indicator_fakes.h): the codes and fields a caller sees, what is stored and
// the numbers computed. The SQL is tested against MariaDB in
// tests/integration/indicator_*.
//
// The tree: county 320123 holds com-1 {ins-lead, ins-town} and com-2
// {ins-other}.
#include "services/indicator/indicator_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/identity/principal.h"
#include "common/server/server.h"
#include "common/status.h"
#include "services/indicator/indicator_fakes.h"

namespace cmc::indicator {
namespace {

using Stub = v1::IndicatorService::Stub;

struct Caller {
  std::string subject = "user:admin";
  std::string scope = "county";
};
const Caller kCommunity1 = {"user:com1", "community:com-1"};
const Caller kTown = {"user:town", "institution:ins-town"};

v1::DataElement Element(const std::string& code, v1::Aggregation aggregation,
                        v1::ValueSource source = v1::VALUE_SOURCE_REPORTED) {
  v1::DataElement e;
  e.set_code(code);
  e.set_name_zh(code);
  e.set_name_en(code);
  e.set_value_type(v1::VALUE_TYPE_COUNT);
  e.set_aggregation(aggregation);
  e.set_source(source);
  return e;
}

v1::IndicatorDefinition Definition(const std::string& code,
                                   const std::string& num,
                                   const std::string& den, double factor) {
  v1::IndicatorDefinition d;
  d.set_code(code);
  d.set_name_zh(code);
  d.set_name_en(code);
  d.set_numerator(num);
  d.set_denominator(den);
  d.set_factor(factor);
  d.set_direction(v1::DIRECTION_HIGHER_IS_BETTER);
  return d;
}

v1::DataValueInput Row(const std::string& element, const std::string& unit,
                       const std::string& period, int64_t value) {
  v1::DataValueInput row;
  row.set_element_code(element);
  if (absl::StartsWith(unit, "ins-")) {
    row.mutable_org_unit()->set_institution_id(unit);
  } else if (absl::StartsWith(unit, "com-")) {
    row.mutable_org_unit()->set_community_id(unit);
  } else {
    row.mutable_org_unit()->set_division_code(unit);
  }
  row.mutable_period()->set_value(period);
  row.set_value(value);
  return row;
}

class IndicatorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    orgs_.AddCommunity("com-1", "320123", {"ins-lead", "ins-town"});
    orgs_.AddCommunity("com-2", "320123", {"ins-other"});
    auto store = std::make_unique<FakeIndicatorStore>();
    store_ = store.get();
    service_ = std::make_unique<IndicatorService>(
        std::move(store), ForwardTo(&orgs_), CallOptions());
    ServerOptions options;
    options.service_name = "indicator";
    options.listen_host = "127.0.0.1";
    server_ = std::make_unique<Server>(options);
    server_->AddService(service_.get(), "cmc.indicator.v1.IndicatorService");
    ASSERT_TRUE(server_->Start().ok());
    stub_ = v1::IndicatorService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  void Identify(grpc::ClientContext& context, const Caller& caller) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    context.AddMetadata(kSubjectHeader, caller.subject);
    context.AddMetadata(kRolesHeader, "community_admin");
    context.AddMetadata(kScopeHeader, caller.scope);
  }

  template <typename Request, typename Response, typename Rpc>
  absl::Status Call(Rpc rpc, const Request& request, Response* response,
                    const Caller& caller = Caller()) {
    grpc::ClientContext context;
    Identify(context, caller);
    return FromGrpcStatus((stub_.get()->*rpc)(&context, request, response));
  }

  // Sends `messages` (each a list of rows) on one SubmitDataValues stream.
  absl::Status Submit(
      const std::vector<std::vector<v1::DataValueInput>>& messages,
      v1::SubmitDataValuesResponse* response, const Caller& caller = Caller()) {
    grpc::ClientContext context;
    Identify(context, caller);
    auto writer = stub_->SubmitDataValues(&context, response);
    for (const auto& rows : messages) {
      v1::SubmitDataValuesRequest request;
      for (const auto& r : rows) *request.add_rows() = r;
      if (!writer->Write(request)) break;
    }
    writer->WritesDone();
    return FromGrpcStatus(writer->Finish());
  }

  // Elements N (sum), D (sum), POP (last), DERIVED_X (derived) and set
  // "TEST" version 1 with SHARE = N / D x 100 (target >= 50), PER_POP =
  // N / POP, COUNT = N.
  void Catalogue() {
    for (const auto& e :
         {Element("N", v1::AGGREGATION_SUM), Element("D", v1::AGGREGATION_SUM),
          Element("POP", v1::AGGREGATION_LAST),
          Element("DERIVED_X", v1::AGGREGATION_SUM,
                  v1::VALUE_SOURCE_DERIVED)}) {
      v1::CreateDataElementRequest r;
      *r.mutable_element() = e;
      v1::DataElement out;
      ASSERT_TRUE(Call(&Stub::CreateDataElement, r, &out).ok());
    }
    v1::SaveIndicatorSetRequest r;
    r.mutable_set()->set_code("TEST");
    r.mutable_set()->set_name_zh("测试");
    r.mutable_set()->set_name_en("Test");
    v1::IndicatorDefinition share = Definition("SHARE", "N", "D", 100);
    share.mutable_target()->set_value(50);
    share.mutable_target()->set_comparison(v1::COMPARISON_GREATER_OR_EQUAL);
    *r.mutable_set()->add_indicators() = share;
    *r.mutable_set()->add_indicators() = Definition("PER_POP", "N", "POP", 1);
    *r.mutable_set()->add_indicators() = Definition("COUNT", "N", "", 1);
    v1::IndicatorSet saved;
    ASSERT_TRUE(Call(&Stub::SaveIndicatorSet, r, &saved).ok());
    ASSERT_EQ(saved.version(), 1);
  }

  FakeOrgDirectory orgs_;
  FakeIndicatorStore* store_ = nullptr;
  std::unique_ptr<IndicatorService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Stub> stub_;
};

TEST_F(IndicatorServiceTest, DataElementsAreDefinedOnce) {
  v1::CreateDataElementRequest r;
  *r.mutable_element() = Element("VISITS", v1::AGGREGATION_SUM);
  v1::DataElement out;
  ASSERT_TRUE(Call(&Stub::CreateDataElement, r, &out).ok());
  EXPECT_EQ(out.code(), "VISITS");
  // The same definition again is the stored one.
  EXPECT_TRUE(Call(&Stub::CreateDataElement, r, &out).ok());
  r.mutable_element()->set_aggregation(v1::AGGREGATION_LAST);
  absl::Status s = Call(&Stub::CreateDataElement, r, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(BadField(s), "element.code");
  r.mutable_element()->set_code("visits");
  s = Call(&Stub::CreateDataElement, r, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(s), "element.code");
  *r.mutable_element() = Element("OTHER", v1::AGGREGATION_SUM);
  s = Call(&Stub::CreateDataElement, r, &out, kCommunity1);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(BadField(s), "element.code");

  v1::ListDataElementsResponse list;
  ASSERT_TRUE(
      Call(&Stub::ListDataElements, v1::ListDataElementsRequest(), &list, kTown)
          .ok());
  ASSERT_EQ(list.elements_size(), 1);
  EXPECT_EQ(list.elements(0).aggregation(), v1::AGGREGATION_SUM);
}

TEST_F(IndicatorServiceTest, SetsAreVersionedAndValidated) {
  Catalogue();
  v1::SaveIndicatorSetRequest r;
  v1::GetIndicatorSetRequest get;
  get.set_code("TEST");
  ASSERT_TRUE(Call(&Stub::GetIndicatorSet, get, r.mutable_set()).ok());
  EXPECT_EQ(r.set().saved_by(), "user:admin");

  // A stale version.
  r.mutable_set()->set_version(0);
  v1::IndicatorSet out;
  absl::Status s = Call(&Stub::SaveIndicatorSet, r, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(BadField(s), "set.version");

  // An unknown element, its position named.
  r.mutable_set()->set_version(1);
  r.mutable_set()->mutable_indicators(1)->set_numerator("N + NX");
  s = Call(&Stub::SaveIndicatorSet, r, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "set.indicators[1].numerator: at 4: unknown data element \"NX\"");

  // A community admin saves version 2; PER_POP changed, the others keep 1.
  r.mutable_set()->mutable_indicators(1)->set_numerator("N * 2");
  ASSERT_TRUE(Call(&Stub::SaveIndicatorSet, r, &out, kCommunity1).ok());
  EXPECT_EQ(out.version(), 2);
  EXPECT_EQ(out.indicators(0).version(), 1);
  EXPECT_EQ(out.indicators(1).version(), 2);
  s = Call(&Stub::SaveIndicatorSet, r, &out, kTown);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);

  get.set_version(1);
  ASSERT_TRUE(Call(&Stub::GetIndicatorSet, get, &out).ok());
  EXPECT_EQ(out.indicators(1).numerator(), "N");
  get.set_version(3);
  s = Call(&Stub::GetIndicatorSet, get, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(BadField(s), "version");
  get.set_code("NONE");
  s = Call(&Stub::GetIndicatorSet, get, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(BadField(s), "code");
}

TEST_F(IndicatorServiceTest, SubmissionsReportEachBadRowByIndex) {
  Catalogue();
  v1::SubmitDataValuesResponse response;
  ASSERT_TRUE(Submit({{Row("N", "ins-lead", "2024-01", 10),         // 0 ok
                       Row("NX", "ins-lead", "2024-01", 1),         // 1
                       Row("N", "ins-nobody", "2024-01", 1),        // 2
                       Row("N", "ins-lead", "2024W01", 1),          // 3
                       Row("N", "ins-lead", "2024-13", 1)},         // 4
                      {Row("N", "ins-lead", "2024-02", -1),         // 5
                       Row("DERIVED_X", "ins-lead", "2024-02", 1),  // 6
                       Row("D", "ins-town", "2024-01-05", 20),      // 7 ok
                       Row("D", "320123", "2024-01", 5)}},          // 8 ok
                     &response)
                  .ok());
  EXPECT_EQ(response.accepted(), 3);
  EXPECT_EQ(response.rejected(), 6);
  EXPECT_TRUE(absl::StartsWith(response.submission_id(), "sub-"));
  struct Expected {
    int64_t index;
    std::string field;
    std::string code;
  };
  const Expected expected[] = {
      {1, "element_code", "NOT_FOUND"},
      {2, "org_unit", "NOT_FOUND"},
      {3, "period", "INVALID_ARGUMENT"},
      {4, "period", "INVALID_ARGUMENT"},
      {5, "value", "INVALID_ARGUMENT"},
      {6, "element_code", "INVALID_ARGUMENT"},
  };
  ASSERT_EQ(response.errors_size(), 6);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(response.errors(i).index(), expected[i].index) << i;
    EXPECT_EQ(response.errors(i).field(), expected[i].field) << i;
    EXPECT_EQ(response.errors(i).code(), expected[i].code) << i;
  }
  const std::vector<StoredValue> stored = store_->AllValues();
  ASSERT_EQ(stored.size(), 3u);
  for (const StoredValue& v : stored) {
    EXPECT_EQ(v.source, v1::VALUE_SOURCE_REPORTED);
    EXPECT_EQ(v.provenance,
              absl::StrCat("submission ", response.submission_id(),
                           " by user:admin"));
  }

  // A township sees only itself.
  v1::SubmitDataValuesResponse town;
  ASSERT_TRUE(Submit({{Row("N", "ins-town", "2024-01", 1),
                       Row("N", "ins-lead", "2024-01", 1),
                       Row("N", "com-1", "2024-01", 1)}},
                     &town, kTown)
                  .ok());
  EXPECT_EQ(town.accepted(), 1);
  ASSERT_EQ(town.errors_size(), 2);
  EXPECT_EQ(town.errors(0).code(), "PERMISSION_DENIED");
  EXPECT_EQ(town.errors(0).field(), "org_unit");
  EXPECT_EQ(town.errors(1).index(), 2);

  // Too many rows in one message.
  std::vector<v1::DataValueInput> many(kMaxRowsPerMessage + 1,
                                       Row("N", "ins-town", "2024-01", 1));
  v1::SubmitDataValuesResponse big;
  const absl::Status s = Submit({many}, &big);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(s), "rows");
}

TEST_F(IndicatorServiceTest, ApprovedPeriodsAreLockedUntilRevoked) {
  Catalogue();
  v1::ApprovePeriodRequest approve;
  approve.set_county_division_code("320123");
  approve.mutable_period()->set_value("2024-01");
  v1::PeriodApproval approval;
  absl::Status s = Call(&Stub::ApprovePeriod, approve, &approval, kCommunity1);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(BadField(s), "county_division_code");
  ASSERT_TRUE(Call(&Stub::ApprovePeriod, approve, &approval).ok());
  EXPECT_TRUE(approval.approved());
  s = Call(&Stub::ApprovePeriod, approve, &approval);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(BadField(s), "period");
  approve.mutable_period()->set_value("2024Q1");
  s = Call(&Stub::ApprovePeriod, approve, &approval);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(s), "period");

  v1::SubmitDataValuesResponse response;
  ASSERT_TRUE(Submit({{Row("N", "ins-lead", "2024-01", 1),
                       Row("N", "ins-lead", "2024-01-31", 1),
                       Row("N", "com-2", "2024-01", 1),
                       Row("N", "320123", "2024-01", 1),
                       Row("N", "ins-lead", "2024-02", 1)}},
                     &response)
                  .ok());
  EXPECT_EQ(response.accepted(), 1);
  ASSERT_EQ(response.errors_size(), 4);
  for (const auto& e : response.errors()) {
    EXPECT_EQ(e.code(), "FAILED_PRECONDITION");
    EXPECT_EQ(e.field(), "period");
  }

  v1::ListApprovalsRequest list;
  list.set_county_division_code("320123");
  v1::ListApprovalsResponse approvals;
  ASSERT_TRUE(Call(&Stub::ListApprovals, list, &approvals).ok());
  ASSERT_EQ(approvals.approvals_size(), 1);
  EXPECT_EQ(approvals.approvals(0).period().value(), "2024-01");

  v1::RevokeApprovalRequest revoke;
  revoke.set_county_division_code("320123");
  revoke.mutable_period()->set_value("2024-01");
  ASSERT_TRUE(Call(&Stub::RevokeApproval, revoke, &approval).ok());
  EXPECT_FALSE(approval.approved());
  s = Call(&Stub::RevokeApproval, revoke, &approval);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(BadField(s), "period");
  ASSERT_TRUE(Submit({{Row("N", "ins-lead", "2024-01", 1)}}, &response).ok());
  EXPECT_EQ(response.accepted(), 1);
}

TEST_F(IndicatorServiceTest, IndicatorsSumPartsUpTheTreeThenDivide) {
  Catalogue();
  v1::SubmitDataValuesResponse response;
  ASSERT_TRUE(Submit({{Row("N", "ins-lead", "2024-01", 9),
                       Row("D", "ins-lead", "2024-01", 10),
                       Row("N", "ins-town", "2024-02", 1),
                       Row("D", "ins-town", "2024-02", 90),
                       Row("N", "ins-other", "2024-01", 30),
                       Row("D", "ins-other", "2024-01", 0),
                       Row("POP", "ins-lead", "2024-01", 1000),
                       Row("POP", "ins-lead", "2024-06", 1200),
                       Row("POP", "com-2", "2024-03", 500)}},
                     &response)
                  .ok());
  ASSERT_EQ(response.accepted(), 9);

  v1::QueryIndicatorsRequest q;
  q.mutable_org_unit()->set_division_code("320123");
  q.set_descendants(v1::ORG_LEVEL_INSTITUTION);
  q.add_periods()->set_value("2024");
  q.add_periods()->set_value("2024-02");
  q.set_set_code("TEST");
  v1::QueryIndicatorsResponse out;
  ASSERT_TRUE(Call(&Stub::QueryIndicators, q, &out).ok());
  EXPECT_EQ(out.set_code(), "TEST");
  EXPECT_EQ(out.set_version(), 1);
  // county, com-1, ins-lead, ins-town, com-2, ins-other: 6 units x 2 periods
  // x 3 indicators.
  ASSERT_EQ(out.cells_size(), 36);
  auto cell = [&](int unit, int period, int indicator) {
    return out.cells(unit * 6 + period * 3 + indicator);
  };
  EXPECT_EQ(cell(0, 0, 0).org_unit().division_code(), "320123");
  EXPECT_EQ(cell(1, 0, 0).org_unit().community_id(), "com-1");
  EXPECT_EQ(cell(2, 0, 0).org_unit().institution_id(), "ins-lead");
  EXPECT_EQ(cell(4, 0, 0).org_unit().community_id(), "com-2");
  // com-1 in 2024: (9 + 1) / (10 + 90) = 10%, not the mean of 90% and 1.1%.
  EXPECT_DOUBLE_EQ(cell(1, 0, 0).numerator(), 10);
  EXPECT_DOUBLE_EQ(cell(1, 0, 0).denominator(), 100);
  EXPECT_DOUBLE_EQ(cell(1, 0, 0).value(), 10);
  EXPECT_EQ(cell(1, 0, 0).status(), v1::TARGET_STATUS_NOT_MET);
  EXPECT_EQ(cell(1, 0, 0).target().value(), 50);
  // ins-lead met its target: 90%.
  EXPECT_EQ(cell(2, 0, 0).status(), v1::TARGET_STATUS_MET);
  // ins-other: a zero denominator gives no value.
  EXPECT_FALSE(cell(5, 0, 0).has_value());
  EXPECT_EQ(cell(5, 0, 0).status(), v1::TARGET_STATUS_NO_VALUE);
  EXPECT_EQ(cell(5, 0, 0).no_value_reason(), "denominator is 0");
  // The county: (9 + 1 + 30) / 100.
  EXPECT_DOUBLE_EQ(cell(0, 0, 0).value(), 40);
  // PER_POP of the county in 2024: N 40 over POP last of each unit (1200 +
  // 500).
  EXPECT_DOUBLE_EQ(cell(0, 0, 1).denominator(), 1700);
  // COUNT of com-1 in 2024-02: only ins-town's 1.
  EXPECT_DOUBLE_EQ(cell(1, 1, 2).value(), 1);
  // ins-lead has no data in February.
  EXPECT_EQ(cell(2, 1, 0).no_value_reason(), "no data");

  // Only the unit itself without descendants; one indicator by code.
  q.clear_descendants();
  q.add_indicator_codes("COUNT");
  ASSERT_TRUE(Call(&Stub::QueryIndicators, q, &out).ok());
  ASSERT_EQ(out.cells_size(), 2);
  EXPECT_DOUBLE_EQ(out.cells(0).value(), 40);
}

TEST_F(IndicatorServiceTest, QueryErrorsNameTheField) {
  Catalogue();
  struct Case {
    std::string name;
    std::function<void(v1::QueryIndicatorsRequest&)> change;
    absl::StatusCode code;
    std::string field;
    Caller caller;
  };
  const Case cases[] = {
      {"no periods", [](auto& q) { q.clear_periods(); },
       absl::StatusCode::kInvalidArgument, "periods", Caller()},
      {"bad period", [](auto& q) { q.add_periods()->set_value("2024-13"); },
       absl::StatusCode::kInvalidArgument, "periods[1]", Caller()},
      {"no org unit", [](auto& q) { q.clear_org_unit(); },
       absl::StatusCode::kInvalidArgument, "org_unit", Caller()},
      {"unknown indicator", [](auto& q) { q.add_indicator_codes("NOPE"); },
       absl::StatusCode::kInvalidArgument, "indicator_codes[0]", Caller()},
      {"unknown set", [](auto& q) { q.set_set_code("NOPE"); },
       absl::StatusCode::kNotFound, "set_code", Caller()},
      {"unknown version", [](auto& q) { q.set_set_version(9); },
       absl::StatusCode::kNotFound, "set_version", Caller()},
      {"descendants above",
       [](auto& q) { q.set_descendants(v1::ORG_LEVEL_PROVINCE); },
       absl::StatusCode::kInvalidArgument, "descendants", Caller()},
      {"out of scope", [](auto&) {}, absl::StatusCode::kPermissionDenied,
       "org_unit", kTown},
      {"another community",
       [](auto& q) { q.mutable_org_unit()->set_community_id("com-2"); },
       absl::StatusCode::kPermissionDenied, "org_unit", kCommunity1},
  };
  for (const Case& c : cases) {
    v1::QueryIndicatorsRequest q;
    q.mutable_org_unit()->set_division_code("320123");
    q.add_periods()->set_value("2024");
    q.set_set_code("TEST");
    c.change(q);
    v1::QueryIndicatorsResponse out;
    const absl::Status s = Call(&Stub::QueryIndicators, q, &out, c.caller);
    EXPECT_EQ(s.code(), c.code) << c.name << ": " << s;
    EXPECT_EQ(BadField(s), c.field) << c.name << ": " << s;
  }
  orgs_.SetUnavailable(true);
  v1::QueryIndicatorsRequest q;
  q.mutable_org_unit()->set_community_id("com-1");
  q.add_periods()->set_value("2024");
  q.set_set_code("TEST");
  v1::QueryIndicatorsResponse out;
  EXPECT_EQ(Call(&Stub::QueryIndicators, q, &out).code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(IndicatorServiceTest, ExplainNamesEveryContributingValue) {
  Catalogue();
  v1::SubmitDataValuesResponse response;
  ASSERT_TRUE(Submit({{Row("N", "ins-lead", "2024-01", 9),
                       Row("D", "ins-lead", "2024-01", 10),
                       Row("N", "ins-town", "2024-02", 1),
                       Row("D", "ins-town", "2024-02", 90),
                       Row("N", "ins-other", "2024-01", 30)}},
                     &response)
                  .ok());
  v1::ExplainIndicatorRequest r;
  r.set_indicator_code("SHARE");
  r.mutable_org_unit()->set_community_id("com-1");
  r.mutable_period()->set_value("2024Q1");
  r.set_set_code("TEST");
  v1::IndicatorExplanation out;
  ASSERT_TRUE(Call(&Stub::ExplainIndicator, r, &out, kCommunity1).ok());
  EXPECT_EQ(out.set_version(), 1);
  EXPECT_DOUBLE_EQ(out.cell().value(), 10);
  ASSERT_EQ(out.elements_size(), 2);
  EXPECT_EQ(out.elements(0).element_code(), "N");
  EXPECT_EQ(out.elements(0).aggregated_value(), 10);
  ASSERT_EQ(out.elements(0).values_size(), 2);
  EXPECT_EQ(out.elements(0).values(0).org_unit().institution_id(), "ins-lead");
  EXPECT_EQ(out.elements(0).values(1).period().value(), "2024-02");
  EXPECT_EQ(
      out.elements(0).values(1).provenance(),
      absl::StrCat("submission ", response.submission_id(), " by user:admin"));
  EXPECT_EQ(out.elements(1).aggregated_value(), 100);

  r.set_indicator_code("NOPE");
  const absl::Status s = Call(&Stub::ExplainIndicator, r, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(s), "indicator_code");
}

TEST_F(IndicatorServiceTest, EvaluateCommunityAndExport) {
  Catalogue();
  v1::SubmitDataValuesResponse response;
  ASSERT_TRUE(Submit({{Row("N", "ins-lead", "2024-01", 60),
                       Row("D", "ins-lead", "2024-01", 100),
                       Row("POP", "ins-lead", "2024-01", 1000)}},
                     &response)
                  .ok());
  v1::EvaluateCommunityRequest e;
  e.set_community_id("com-1");
  e.set_year(2024);
  e.set_set_code("TEST");
  v1::CommunityEvaluation eval;
  ASSERT_TRUE(Call(&Stub::EvaluateCommunity, e, &eval, kCommunity1).ok());
  ASSERT_EQ(eval.indicators_size(), 3);
  EXPECT_EQ(eval.met(), 1);
  EXPECT_EQ(eval.not_met(), 0);
  EXPECT_DOUBLE_EQ(eval.indicators(0).gap(), 10);
  EXPECT_DOUBLE_EQ(eval.indicators(1).cell().value(), 0.06);
  e.set_community_id("com-9");
  absl::Status s = Call(&Stub::EvaluateCommunity, e, &eval);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(BadField(s), "community_id");
  e.set_year(1800);
  s = Call(&Stub::EvaluateCommunity, e, &eval);
  EXPECT_EQ(BadField(s), "year");

  v1::ExportIndicatorsRequest x;
  x.set_county_division_code("320123");
  x.mutable_period()->set_value("2024");
  x.set_format(v1::EXPORT_FORMAT_FLAT_CSV);
  x.set_set_code("TEST");
  v1::ExportIndicatorsResponse csv;
  ASSERT_TRUE(Call(&Stub::ExportIndicators, x, &csv).ok());
  EXPECT_EQ(csv.content_type(), "text/csv; charset=utf-8");
  const std::vector<std::string> lines =
      absl::StrSplit(csv.content(), '\n', absl::SkipEmpty());
  // A header and 6 units x 3 indicators.
  ASSERT_EQ(lines.size(), 19u);
  EXPECT_EQ(lines[1],
            "320123,county,320123,2024,TEST,1,SHARE,60,100,60,50,MET");
  EXPECT_EQ(lines[18],
            "320123,institution,ins-other,2024,TEST,1,COUNT,0,0,,,NO_VALUE");
  x.set_format(v1::EXPORT_FORMAT_FHIR_MEASURE_REPORT);
  v1::ExportIndicatorsResponse fhir;
  ASSERT_TRUE(Call(&Stub::ExportIndicators, x, &fhir).ok());
  EXPECT_EQ(fhir.content_type(), "application/fhir+json");
  EXPECT_NE(fhir.content().find(
                "\"measure\":\"urn:cmc:indicator:TEST:1:SHARE\",\"subject\":{"
                "\"identifier\":{\"system\":\"urn:cmc:org-unit\",\"value\":"
                "\"320123\"}},\"period\":{\"start\":\"2024-01-01\",\"end\":"
                "\"2024-12-31\"}"),
            std::string::npos);
  EXPECT_NE(fhir.content().find("\"measureScore\":{\"value\":60}"),
            std::string::npos);
  s = Call(&Stub::ExportIndicators, x, &fhir, kCommunity1);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(BadField(s), "county_division_code");
  x.set_county_division_code("320100");
  s = Call(&Stub::ExportIndicators, x, &fhir);
  EXPECT_EQ(BadField(s), "county_division_code");
}

TEST_F(IndicatorServiceTest, DataValuesOfASubtreePageByPage) {
  Catalogue();
  v1::SubmitDataValuesResponse response;
  ASSERT_TRUE(Submit({{Row("N", "ins-lead", "2024-01", 1),
                       Row("N", "ins-town", "2024-01", 2),
                       Row("D", "ins-town", "2024-01", 3),
                       Row("N", "ins-other", "2024-01", 4)}},
                     &response)
                  .ok());
  v1::QueryDataValuesRequest r;
  r.mutable_org_unit()->set_community_id("com-1");
  r.mutable_period()->set_value("2024");
  r.mutable_page()->set_page_size(2);
  v1::QueryDataValuesResponse page;
  ASSERT_TRUE(Call(&Stub::QueryDataValues, r, &page).ok());
  ASSERT_EQ(page.values_size(), 2);
  EXPECT_EQ(page.values(0).element_code(), "D");
  EXPECT_EQ(page.page().total_size(), 3);
  ASSERT_FALSE(page.page().next_page_token().empty());
  r.mutable_page()->set_page_token(page.page().next_page_token());
  ASSERT_TRUE(Call(&Stub::QueryDataValues, r, &page).ok());
  ASSERT_EQ(page.values_size(), 1);
  EXPECT_EQ(page.values(0).org_unit().institution_id(), "ins-town");
  EXPECT_TRUE(page.page().next_page_token().empty());
}

}  // namespace
}  // namespace cmc::indicator
