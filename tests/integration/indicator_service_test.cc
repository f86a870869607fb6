// IndicatorService over the MySQL store (MariaDB) and a fixed org tree: the
// field study's lead-hospital figures (domain.md §6) reproduced from
// submitted monthly raw counts with the default set the migrations install,
// growth against the previous year, and values that survive a new service
// over the same database.
#include "services/indicator/indicator_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/identity/principal.h"
#include "common/outbox/outbox.h"
#include "common/server/server.h"
#include "common/service/idempotency.h"
#include "common/status.h"
#include "common/testing/mariadb.h"
#include "services/indicator/indicator_fakes.h"
#include "services/indicator/mysql_indicator_store.h"

namespace cmc::indicator {
const std::vector<db::Migration>& Migrations();

namespace {

using Stub = v1::IndicatorService::Stub;

// Lead hospital figures of the field study: outpatient visits, surgeries,
// and the level-3 and level-4 shares (percent, two decimals).
struct FieldYear {
  int year;
  int64_t visits;
  int64_t surgeries;
  double level3_share;
  double level4_share;
};
const FieldYear kFieldStudy[] = {{2020, 248938, 9699, 10.33, 49.98},
                                 {2021, 284934, 9475, 12.13, 54.24}};

// Splits `total` over 12 months (the remainder in December).
std::vector<int64_t> Monthly(int64_t total) {
  std::vector<int64_t> months(12, total / 12);
  months[11] += total % 12;
  return months;
}

class IndicatorServiceDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig config = testing::MariaDb::Shared().NewDatabase("indicator_svc");
    config.pool_size = 4;
    pool_ = db::Pool::Create(config);
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "outbox", outbox::Migrations()).ok());
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "requests", requests::Migrations()).ok());
    ASSERT_TRUE(db::ApplyMigrations(*pool_, "indicator", Migrations()).ok());
    orgs_.AddCommunity("com-1", "320123", {"ins-lead", "ins-town"});
    StartService();
  }
  void TearDown() override { server_->Shutdown(); }

  void StartService() {
    if (server_) server_->Shutdown();
    service_ = std::make_unique<IndicatorService>(
        NewMysqlIndicatorStore(pool_.get()), ForwardTo(&orgs_), CallOptions());
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

  static void Identify(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    context.AddMetadata(kSubjectHeader, "system:his-lead");
    context.AddMetadata(kRolesHeader, "hospital_system");
    context.AddMetadata(kScopeHeader, "county");
  }

  absl::Status Submit(const std::vector<v1::DataValueInput>& rows,
                      v1::SubmitDataValuesResponse* response) {
    grpc::ClientContext context;
    Identify(context);
    auto writer = stub_->SubmitDataValues(&context, response);
    v1::SubmitDataValuesRequest request;
    for (const auto& r : rows) {
      *request.add_rows() = r;
      if (request.rows_size() == 10) {
        writer->Write(request);
        request.clear_rows();
      }
    }
    if (request.rows_size() > 0) writer->Write(request);
    writer->WritesDone();
    return FromGrpcStatus(writer->Finish());
  }

  absl::StatusOr<v1::QueryIndicatorsResponse> Query(
      const std::vector<std::string>& periods,
      const std::vector<std::string>& codes) {
    v1::QueryIndicatorsRequest q;
    q.mutable_org_unit()->set_institution_id("ins-lead");
    for (const auto& p : periods) q.add_periods()->set_value(p);
    for (const auto& c : codes) q.add_indicator_codes(c);
    v1::QueryIndicatorsResponse out;
    grpc::ClientContext context;
    Identify(context);
    const absl::Status s =
        FromGrpcStatus(stub_->QueryIndicators(&context, q, &out));
    if (!s.ok()) return s;
    return out;
  }

  static v1::DataValueInput Row(const std::string& element, int year, int month,
                                int64_t value) {
    v1::DataValueInput row;
    row.set_element_code(element);
    row.mutable_org_unit()->set_institution_id("ins-lead");
    row.mutable_period()->set_value(absl::StrFormat("%04d-%02d", year, month));
    row.set_value(value);
    return row;
  }

  std::unique_ptr<db::Pool> pool_;
  FakeOrgDirectory orgs_;
  std::unique_ptr<IndicatorService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Stub> stub_;
};

TEST_F(IndicatorServiceDbTest, FieldStudyLeadHospitalFiguresFromRawCounts) {
  std::vector<v1::DataValueInput> rows;
  for (const FieldYear& y : kFieldStudy) {
    const int64_t level3 = std::llround(y.surgeries * y.level3_share / 100);
    const int64_t level4 = std::llround(y.surgeries * y.level4_share / 100);
    const auto visits = Monthly(y.visits);
    const auto surgeries = Monthly(y.surgeries);
    const auto l3 = Monthly(level3);
    const auto l4 = Monthly(level4);
    for (int m = 0; m < 12; ++m) {
      rows.push_back(Row("VISITS_TOTAL", y.year, m + 1, visits[m]));
      rows.push_back(Row("SURGERIES_TOTAL", y.year, m + 1, surgeries[m]));
      rows.push_back(Row("SURGERIES_LEVEL3", y.year, m + 1, l3[m]));
      rows.push_back(Row("SURGERIES_LEVEL4", y.year, m + 1, l4[m]));
    }
  }
  v1::SubmitDataValuesResponse response;
  ASSERT_TRUE(Submit(rows, &response).ok());
  ASSERT_EQ(response.accepted(), 96);
  ASSERT_EQ(response.rejected(), 0);

  auto out = Query(
      {"2020", "2021"},
      {"SURGERY_LEVEL3_SHARE", "SURGERY_LEVEL4_SHARE", "TCM_VISIT_SHARE"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->set_code(), "CN_CMC_MONITORING");
  EXPECT_EQ(out->set_version(), 1);
  ASSERT_EQ(out->cells_size(), 6);
  for (int y = 0; y < 2; ++y) {
    const FieldYear& field = kFieldStudy[y];
    const auto& l3 = out->cells(y * 3);
    const auto& l4 = out->cells(y * 3 + 1);
    const auto& tcm = out->cells(y * 3 + 2);
    EXPECT_EQ(l3.denominator(), field.surgeries) << field.year;
    EXPECT_EQ(std::round(l3.value() * 100) / 100, field.level3_share)
        << field.year;
    EXPECT_EQ(std::round(l4.value() * 100) / 100, field.level4_share)
        << field.year;
    // No TCM visits were reported, so the share is 0 of all visits.
    EXPECT_EQ(tcm.denominator(), field.visits) << field.year;
    EXPECT_TRUE(tcm.has_value());
    EXPECT_EQ(tcm.value(), 0);
  }

  // A new service over the same database answers the same.
  StartService();
  auto again = Query(
      {"2020", "2021"},
      {"SURGERY_LEVEL3_SHARE", "SURGERY_LEVEL4_SHARE", "TCM_VISIT_SHARE"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->SerializeAsString(), out->SerializeAsString());
}

TEST_F(IndicatorServiceDbTest, CostGrowthAgainstThePreviousYear) {
  std::vector<v1::DataValueInput> rows;
  rows.push_back(Row("INPATIENT_COST_FEN", 2020, 6, 80000000));  // 8000 yuan
  rows.push_back(Row("DISCHARGES", 2020, 6, 100));
  rows.push_back(Row("INPATIENT_COST_FEN", 2021, 3, 44000000));
  rows.push_back(Row("INPATIENT_COST_FEN", 2021, 9, 44000000));
  rows.push_back(Row("DISCHARGES", 2021, 3, 50));
  rows.push_back(Row("DISCHARGES", 2021, 9, 50));
  v1::SubmitDataValuesResponse response;
  ASSERT_TRUE(Submit(rows, &response).ok());
  ASSERT_EQ(response.accepted(), 6);
  auto out = Query({"2021", "2020"},
                   {"INPATIENT_COST_PER_CASE", "INPATIENT_COST_GROWTH"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_DOUBLE_EQ(out->cells(0).value(), 8800);  // yuan per case
  EXPECT_DOUBLE_EQ(out->cells(1).value(), 10);    // +10%
  EXPECT_DOUBLE_EQ(out->cells(2).value(), 8000);
  EXPECT_FALSE(out->cells(3).has_value());  // 2019 has no data
  EXPECT_EQ(out->cells(3).no_value_reason(), "previous period: no data");
}

}  // namespace
}  // namespace cmc::indicator
