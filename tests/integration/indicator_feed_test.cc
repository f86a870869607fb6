// The referral feed followed into derived data values, against a real
// MariaDB: a referral outbox served by the EventFeed service in process, the
// indicator schema as the consumer. Completed referrals count by direction and
// type for the sender in the month; a restart and a replayed feed change
// nothing; each value names the events that made it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cmc/referral/v1/referral.pb.h"
#include "common/db/migrations.h"
#include "common/db/transaction.h"
#include "common/outbox/event_feed_service.h"
#include "common/outbox/outbox.h"
#include "common/server/server.h"
#include "common/service/county_time.h"
#include "common/service/feed_consumer.h"
#include "common/service/idempotency.h"
#include "common/testing/mariadb.h"
#include "services/indicator/mysql_indicator_store.h"
#include "services/indicator/referral_feed.h"

namespace cmc::indicator {
const std::vector<db::Migration>& Migrations();

namespace {

namespace ref = cmc::referral::v1;

absl::Time Soon() { return absl::Now() + absl::Seconds(20); }

class IndicatorFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig producer = testing::MariaDb::Shared().NewDatabase("ref_feed");
    producer.pool_size = 4;
    producer_pool_ = db::Pool::Create(producer);
    ASSERT_TRUE(
        db::ApplyMigrations(*producer_pool_, "outbox", outbox::Migrations())
            .ok());
    DbConfig consumer = testing::MariaDb::Shared().NewDatabase("ind_feed");
    consumer.pool_size = 4;
    pool_ = db::Pool::Create(consumer);
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "outbox", outbox::Migrations()).ok());
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "requests", requests::Migrations()).ok());
    ASSERT_TRUE(db::ApplyMigrations(*pool_, "indicator", Migrations()).ok());
    store_ = NewMysqlIndicatorStore(pool_.get());

    feed_ = std::make_unique<outbox::EventFeedService>(producer_pool_.get(),
                                                       "referral");
    ServerOptions options;
    options.service_name = "referral";
    options.listen_host = "127.0.0.1";
    server_ = std::make_unique<Server>(options);
    server_->AddService(feed_.get(), "cmc.common.v1.EventFeed");
    server_->AddShutdownHook([this] { feed_->Stop(); });
    ASSERT_TRUE(server_->Start().ok());
    address_ = absl::StrCat("127.0.0.1:", server_->grpc_port());
  }
  void TearDown() override { server_->Shutdown(); }

  void Produce(const std::string& type, ref::ReferralDirection direction,
               ref::ReferralType kind, const std::string& from) {
    ASSERT_TRUE(db::RunInTransaction(
                    *producer_pool_, Soon(),
                    [&](sql::Connection& conn) -> absl::Status {
                      ref::Referral referral;
                      referral.set_id("ref-x");
                      referral.set_direction(direction);
                      referral.set_type(kind);
                      referral.set_from_institution_id(from);
                      outbox::Append(conn, {type, "Referral", referral.id(),
                                            "user:doctor", &referral});
                      return absl::OkStatus();
                    })
                    .ok());
  }

  std::unique_ptr<FeedConsumer> Consumer(const std::string& name) {
    FeedConsumerOptions options;
    options.source = kReferralSource;
    options.consumer = name;
    options.page_size = 2;
    options.idle_poll = absl::Milliseconds(20);
    return std::make_unique<FeedConsumer>(*pool_, NewInternalChannel(address_),
                                          options, &ApplyReferralEvents);
  }

  std::vector<StoredValue> Values() {
    const ReportingPeriod month = ThisMonth();
    ValueQuery q;
    q.units = {{OrgKind::kInstitution, "ins-lead"},
               {OrgKind::kInstitution, "ins-town"}};
    q.first = month.first_day();
    q.last = month.last_day();
    auto values = store_->ReadValues(q, Soon());
    EXPECT_TRUE(values.ok()) << values.status();
    return values.ok() ? *values : std::vector<StoredValue>();
  }

  static ReportingPeriod ThisMonth() {
    const absl::CivilDay today = CountyDay(absl::Now());
    return ReportingPeriod::Month(static_cast<int>(today.year()),
                                  today.month());
  }

  std::unique_ptr<db::Pool> producer_pool_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<IndicatorStore> store_;
  std::unique_ptr<outbox::EventFeedService> feed_;
  std::unique_ptr<Server> server_;
  std::string address_;
};

TEST_F(IndicatorFeedTest, CompletedReferralsCountOnceEvenWhenReplayed) {
  const auto kDown = ref::REFERRAL_DIRECTION_DOWN;
  const auto kOut = ref::REFERRAL_TYPE_OUTPATIENT;
  Produce("referral.ReferralCreated", kDown, kOut, "ins-lead");    // 1
  Produce("referral.ReferralCompleted", kDown, kOut, "ins-lead");  // 2
  Produce("referral.ReferralCompleted", kDown, kOut, "ins-lead");  // 3
  Produce("referral.ReferralCompleted", kDown, ref::REFERRAL_TYPE_INPATIENT,
          "ins-lead");  // 4
  Produce("referral.ReferralCompleted", ref::REFERRAL_DIRECTION_UP,
          ref::REFERRAL_TYPE_INPATIENT, "ins-town");  // 5

  auto consumer = Consumer(kReferralConsumer);
  ASSERT_TRUE(consumer->CatchUp(Soon()).ok());
  std::vector<StoredValue> values = Values();
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].element_code, "DOWN_REFERRALS_INPATIENT");
  EXPECT_EQ(values[0].value, 1);
  EXPECT_EQ(values[1].element_code, "DOWN_REFERRALS_OUTPATIENT");
  EXPECT_EQ(values[1].value, 2);
  EXPECT_EQ(values[1].source, v1::VALUE_SOURCE_DERIVED);
  EXPECT_EQ(values[1].provenance, "events referral 2..3 (2 events)");
  EXPECT_EQ(values[1].period, ThisMonth());
  EXPECT_EQ(values[2].element_code, "UP_REFERRALS_INPATIENT");
  EXPECT_EQ(values[2].org_unit.id, "ins-town");

  // A restarted consumer continues from its durable cursor.
  consumer.reset();
  Produce("referral.ReferralCompleted", kDown, kOut, "ins-lead");  // 6
  consumer = Consumer(kReferralConsumer);
  ASSERT_TRUE(consumer->CatchUp(Soon()).ok());
  values = Values();
  EXPECT_EQ(values[1].value, 3);
  EXPECT_EQ(values[1].provenance, "events referral 2..6 (3 events)");

  // A consumer whose cursor starts over (a replayed feed) adds nothing.
  auto replay = Consumer("replay");
  ASSERT_TRUE(replay->CatchUp(Soon()).ok());
  const std::vector<StoredValue> after = Values();
  ASSERT_EQ(after.size(), values.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].value, values[i].value) << after[i].element_code;
  }
}

TEST_F(IndicatorFeedTest, ABackgroundConsumerMakesCompletionsVisibleQuickly) {
  auto consumer = Consumer(kReferralConsumer);
  consumer->Start();
  const absl::Time written = absl::Now();
  Produce("referral.ReferralCompleted", ref::REFERRAL_DIRECTION_DOWN,
          ref::REFERRAL_TYPE_OUTPATIENT, "ins-lead");
  std::vector<StoredValue> values;
  while (absl::Now() < written + absl::Seconds(5)) {
    values = Values();
    if (!values.empty()) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0].value, 1);
  EXPECT_LT(absl::Now() - written, absl::Seconds(2));
  consumer->Stop();
}

}  // namespace
}  // namespace cmc::indicator
