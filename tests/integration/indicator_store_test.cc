// The indicator store against a real MariaDB: the default set the migrations
// install, data elements, set versions, data values (replacement, locks by
// approval, reads by unit, division and period) and approvals.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/outbox/outbox.h"
#include "common/service/idempotency.h"
#include "common/status.h"
#include "common/testing/mariadb.h"
#include "services/indicator/expression.h"
#include "services/indicator/mysql_indicator_store.h"

namespace cmc::indicator {
const std::vector<db::Migration>& Migrations();

namespace {

ReportingPeriod P(const char* text) { return *ParsePeriod(text); }

StoredValue Value(const std::string& element, OrgUnitKey unit,
                  const char* period, int64_t value) {
  return StoredValue{element,
                     std::move(unit),
                     P(period),
                     value,
                     v1::VALUE_SOURCE_REPORTED,
                     "submission sub-1 by user:a",
                     absl::FromUnixSeconds(1767225600)};
}

const OrgUnitKey kLead{OrgKind::kInstitution, "ins-lead"};
const OrgUnitKey kTown{OrgKind::kInstitution, "ins-town"};
const OrgUnitKey kCounty{OrgKind::kDivision, "320123"};
const OrgUnitKey kOtherCounty{OrgKind::kDivision, "320211"};

class IndicatorStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig config = testing::MariaDb::Shared().NewDatabase("indicator");
    config.pool_size = 4;
    pool_ = db::Pool::Create(config);
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "outbox", outbox::Migrations()).ok());
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "requests", requests::Migrations()).ok());
    ASSERT_TRUE(db::ApplyMigrations(*pool_, "indicator", Migrations()).ok());
    store_ = NewMysqlIndicatorStore(pool_.get());
  }

  static absl::Time Deadline() { return absl::Now() + absl::Seconds(10); }

  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<IndicatorStore> store_;
};

TEST_F(IndicatorStoreTest, MigrationsInstallTheDefaultSet) {
  auto set = store_->GetIndicatorSet("CN_CMC_MONITORING", 0, Deadline());
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->version(), 1);
  EXPECT_EQ(set->saved_by(), "migration");
  ASSERT_EQ(set->indicators_size(), 15);
  EXPECT_EQ(set->indicators(0).code(), "IN_COUNTY_ADMISSION_RATE");
  EXPECT_EQ(set->indicators(0).name_zh(), "县域内住院人次占比");
  EXPECT_EQ(set->indicators(0).target().value(), 90);
  EXPECT_EQ(set->indicators(0).target().comparison(),
            v1::COMPARISON_GREATER_OR_EQUAL);
  EXPECT_EQ(set->indicators(1).target().value(), 65);
  EXPECT_FALSE(set->indicators(2).has_target());
  EXPECT_EQ(set->indicators(4).numerator(),
            "SURGERIES_LEVEL3 + SURGERIES_LEVEL4");
  EXPECT_TRUE(set->indicators(12).growth());
  EXPECT_EQ(set->indicators(13).factor(), 10000);

  auto elements = store_->ListDataElements(Deadline());
  ASSERT_TRUE(elements.ok());
  EXPECT_EQ(elements->size(), 23u);
  std::set<std::string> codes;
  for (const auto& e : *elements) codes.insert(e.code());
  // Every expression of the default set names only elements that exist.
  for (const auto& d : set->indicators()) {
    for (const std::string& text : {d.numerator(), d.denominator()}) {
      auto e = ParseExpression(text, "e", [&](absl::string_view c) {
        return codes.count(std::string(c)) > 0;
      });
      EXPECT_TRUE(e.ok()) << d.code() << ": " << e.status();
    }
  }
}

TEST_F(IndicatorStoreTest, ElementsAndSetVersions) {
  v1::DataElement e;
  e.set_code("NEW_ELEMENT");
  e.set_name_zh("新");
  e.set_name_en("New");
  e.set_value_type(v1::VALUE_TYPE_INTEGER);
  e.set_aggregation(v1::AGGREGATION_LAST);
  e.set_source(v1::VALUE_SOURCE_REPORTED);
  ASSERT_TRUE(store_->CreateDataElement(e, absl::Now(), Deadline()).ok());
  EXPECT_TRUE(store_->CreateDataElement(e, absl::Now(), Deadline()).ok());
  e.set_name_en("Other");
  const absl::Status s =
      store_->CreateDataElement(e, absl::Now(), Deadline()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(BadField(s), "element.code");

  auto v1set = store_->GetIndicatorSet("CN_CMC_MONITORING", 1, Deadline());
  ASSERT_TRUE(v1set.ok());
  v1::IndicatorSet next = *v1set;
  next.mutable_indicators(3)->mutable_target()->set_value(40);
  next.mutable_indicators(3)->mutable_target()->set_comparison(
      v1::COMPARISON_GREATER_OR_EQUAL);
  next.set_version(0);
  EXPECT_EQ(store_->SaveIndicatorSet(next, "user:p", absl::Now(), Deadline())
                .status()
                .code(),
            absl::StatusCode::kAborted);
  next.set_version(1);
  auto saved =
      store_->SaveIndicatorSet(next, "user:p", absl::Now(), Deadline());
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->version(), 2);
  auto read = store_->GetIndicatorSet("CN_CMC_MONITORING", 0, Deadline());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->version(), 2);
  EXPECT_EQ(read->saved_by(), "user:p");
  EXPECT_EQ(read->indicators(3).target().value(), 40);
  EXPECT_EQ(read->indicators(3).version(), 2);
  EXPECT_EQ(read->indicators(2).version(), 1);
  EXPECT_EQ(read->indicators_size(), 15);
  auto old = store_->GetIndicatorSet("CN_CMC_MONITORING", 1, Deadline());
  EXPECT_FALSE(old->indicators(3).has_target());
  EXPECT_EQ(store_->GetIndicatorSet("CN_CMC_MONITORING", 3, Deadline())
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  auto sets = store_->ListIndicatorSets(Deadline());
  ASSERT_TRUE(sets.ok());
  ASSERT_EQ(sets->size(), 1u);
  EXPECT_EQ((*sets)[0].version(), 2);
}

TEST_F(IndicatorStoreTest, ValuesAreReplacedReadAndLocked) {
  std::vector<ValueWrite> writes = {
      {Value("VISITS_TOTAL", kLead, "2024-01", 100), "320123"},
      {Value("VISITS_TOTAL", kLead, "2024-02", 110), "320123"},
      {Value("VISITS_TOTAL", kTown, "2024-01-15", 7), "320123"},
      {Value("VISITS_TCM", kLead, "2024-01", 20), "320123"},
      {Value("POPULATION", kCounty, "2024-01", 500000), "320123"},
      {Value("POPULATION", kOtherCounty, "2024-01", 300000), "320211"},
  };
  auto locked = store_->PutValues(writes, Deadline());
  ASSERT_TRUE(locked.ok()) << locked.status();
  EXPECT_TRUE(locked->empty());
  // A later submission replaces the value.
  ASSERT_TRUE(store_
                  ->PutValues({{Value("VISITS_TOTAL", kLead, "2024-01", 101),
                                "320123"}},
                              Deadline())
                  .ok());

  ValueQuery q;
  q.units = {kLead, kTown};
  q.first = absl::CivilDay(2024, 1, 1);
  q.last = absl::CivilDay(2024, 1, 31);
  auto values = store_->ReadValues(q, Deadline());
  ASSERT_TRUE(values.ok()) << values.status();
  ASSERT_EQ(values->size(), 3u);
  EXPECT_EQ((*values)[0].element_code, "VISITS_TCM");
  EXPECT_EQ((*values)[1].value, 101);
  EXPECT_EQ((*values)[1].period.ToString(), "2024-01");
  EXPECT_EQ((*values)[2].org_unit.id, "ins-town");
  EXPECT_EQ((*values)[2].period.ToString(), "2024-01-15");
  EXPECT_EQ((*values)[2].provenance, "submission sub-1 by user:a");
  EXPECT_EQ((*values)[2].update_time, absl::FromUnixSeconds(1767225600));

  q.element_codes = {"VISITS_TOTAL"};
  q.last = absl::CivilDay(2024, 12, 31);
  values = store_->ReadValues(q, Deadline());
  ASSERT_EQ(values->size(), 3u);

  // Divisions inside a province, by code.
  ValueQuery province;
  province.divisions_within = "320000";
  province.first = absl::CivilDay(2024, 1, 1);
  province.last = absl::CivilDay(2024, 12, 31);
  values = store_->ReadValues(province, Deadline());
  ASSERT_EQ(values->size(), 2u);
  EXPECT_EQ((*values)[0].org_unit.kind, OrgKind::kDivision);
  auto divisions = store_->DivisionsWithValues("320000", Deadline());
  ASSERT_TRUE(divisions.ok());
  EXPECT_EQ(*divisions, (std::vector<std::string>{"320123", "320211"}));
  divisions = store_->DivisionsWithValues("320100", Deadline());
  EXPECT_EQ(*divisions, (std::vector<std::string>{"320123"}));

  // An approved month locks the county's days and months inside it.
  ASSERT_TRUE(
      store_->Approve("320123", P("2024-01"), "user:c", absl::Now(), Deadline())
          .ok());
  EXPECT_EQ(
      store_->Approve("320123", P("2024-01"), "user:c", absl::Now(), Deadline())
          .status()
          .code(),
      absl::StatusCode::kAlreadyExists);
  locked = store_->PutValues(
      {{Value("VISITS_TOTAL", kLead, "2024-01", 1), "320123"},
       {Value("VISITS_TOTAL", kTown, "2024-01-31", 1), "320123"},
       {Value("VISITS_TOTAL", kLead, "2024-02", 1), "320123"},
       {Value("POPULATION", kOtherCounty, "2024-01", 1), "320211"}},
      Deadline());
  ASSERT_TRUE(locked.ok());
  EXPECT_EQ(*locked, (std::vector<size_t>{0, 1}));
  q.element_codes = {"VISITS_TOTAL"};
  q.units = {kLead};
  values = store_->ReadValues(q, Deadline());
  EXPECT_EQ((*values)[0].value, 101);  // locked: unchanged
  EXPECT_EQ((*values)[1].value, 1);    // February: replaced

  auto approvals = store_->ListApprovals("320123", Deadline());
  ASSERT_TRUE(approvals.ok());
  ASSERT_EQ(approvals->size(), 1u);
  EXPECT_EQ((*approvals)[0].actor(), "user:c");
  ASSERT_TRUE(
      store_->Revoke("320123", P("2024-01"), "user:c", absl::Now(), Deadline())
          .ok());
  EXPECT_EQ(
      store_->Revoke("320123", P("2024-01"), "user:c", absl::Now(), Deadline())
          .status()
          .code(),
      absl::StatusCode::kNotFound);
  locked = store_->PutValues(
      {{Value("VISITS_TOTAL", kLead, "2024-01", 5), "320123"}}, Deadline());
  EXPECT_TRUE(locked->empty());
}

}  // namespace
}  // namespace cmc::indicator
