// FeedConsumer against a real MariaDB: a producer's outbox served by the
// EventFeed service in process, and a consumer schema whose `applied` table
// has the event's sequence as its primary key, so applying any event twice
// fails the consumer's transaction (and the test) instead of passing quietly.
#include "common/service/feed_consumer.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cmc/common/v1/types.pb.h"
#include "common/db/migrations.h"
#include "common/db/transaction.h"
#include "common/outbox/event_feed_service.h"
#include "common/outbox/outbox.h"
#include "common/server/server.h"
#include "common/service/idempotency.h"
#include "common/testing/mariadb.h"

namespace cmc {
namespace {

using common::v1::Event;
using testing::MariaDb;

absl::Time Soon() { return absl::Now() + absl::Seconds(20); }

class FeedConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig producer = MariaDb::Shared().NewDatabase("feed_producer");
    producer.pool_size = 4;
    producer_pool_ = db::Pool::Create(producer);
    ASSERT_TRUE(
        db::ApplyMigrations(*producer_pool_, "outbox", outbox::Migrations())
            .ok());
    DbConfig consumer = MariaDb::Shared().NewDatabase("feed_consumer");
    consumer.pool_size = 8;
    consumer_pool_ = db::Pool::Create(consumer);
    ASSERT_TRUE(
        db::ApplyMigrations(*consumer_pool_, "requests", requests::Migrations())
            .ok());
    ASSERT_TRUE(db::RunOnConnection(
                    *consumer_pool_, Soon(),
                    [](sql::Connection& conn) -> absl::Status {
                      std::unique_ptr<sql::Statement> create(
                          conn.createStatement());
                      create->execute(
                          "CREATE TABLE applied (sequence BIGINT PRIMARY KEY, "
                          "value VARCHAR(64) NOT NULL)");
                      return absl::OkStatus();
                    })
                    .ok());

    feed_ = std::make_unique<outbox::EventFeedService>(producer_pool_.get(),
                                                       "dispatch");
    ServerOptions options;
    options.service_name = "producer";
    options.listen_host = "127.0.0.1";
    server_ = std::make_unique<Server>(options);
    server_->AddService(feed_.get(), "cmc.common.v1.EventFeed");
    server_->AddShutdownHook([this] { feed_->Stop(); });
    ASSERT_TRUE(server_->Start().ok());
    address_ = absl::StrCat("127.0.0.1:", server_->grpc_port());
  }
  void TearDown() override { server_->Shutdown(); }

  void Produce(const std::string& value) {
    ASSERT_TRUE(db::RunInTransaction(
                    *producer_pool_, Soon(),
                    [&](sql::Connection& conn) -> absl::Status {
                      common::v1::Period payload;
                      payload.set_value(value);
                      outbox::Append(conn, {"dispatch.ThingHappened", "Thing",
                                            value, "user:tester", &payload});
                      return absl::OkStatus();
                    })
                    .ok());
  }

  // Inserts each event's sequence and payload; a duplicate sequence throws.
  ApplyEvents Recorder(std::atomic<int>* calls = nullptr) {
    return [calls](sql::Connection& conn,
                   const std::vector<Event>& page) -> absl::Status {
      if (calls != nullptr) ++*calls;
      std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
          "INSERT INTO applied (sequence, value) VALUES (?, ?)"));
      for (const Event& event : page) {
        common::v1::Period payload;
        if (!event.payload().UnpackTo(&payload)) {
          return absl::InternalError("payload is not a Period");
        }
        insert->setInt64(1, event.sequence());
        insert->setString(2, payload.value());
        insert->executeUpdate();
      }
      return absl::OkStatus();
    };
  }

  std::unique_ptr<FeedConsumer> NewConsumer(ApplyEvents apply,
                                            int page_size = 3) {
    FeedConsumerOptions options;
    options.source = "dispatch";
    options.consumer = "test";
    options.page_size = page_size;
    options.idle_poll = absl::Milliseconds(20);
    return std::make_unique<FeedConsumer>(*consumer_pool_,
                                          NewInternalChannel(address_), options,
                                          std::move(apply));
  }

  std::vector<std::string> Applied() {
    std::vector<std::string> values;
    EXPECT_TRUE(db::RunOnConnection(
                    *consumer_pool_, Soon(),
                    [&](sql::Connection& conn) -> absl::Status {
                      values.clear();
                      std::unique_ptr<sql::Statement> select(
                          conn.createStatement());
                      std::unique_ptr<sql::ResultSet> rows(select->executeQuery(
                          "SELECT value FROM applied ORDER BY sequence"));
                      while (rows->next()) values.push_back(rows->getString(1));
                      return absl::OkStatus();
                    })
                    .ok());
    return values;
  }

  int64_t Cursor() {
    absl::StatusOr<int64_t> cursor =
        ReadFeedCursor(*consumer_pool_, "dispatch", "test", Soon());
    EXPECT_TRUE(cursor.ok()) << cursor.status();
    return cursor.value_or(-1);
  }

  std::unique_ptr<db::Pool> producer_pool_;
  std::unique_ptr<db::Pool> consumer_pool_;
  std::unique_ptr<outbox::EventFeedService> feed_;
  std::unique_ptr<Server> server_;
  std::string address_;
};

TEST_F(FeedConsumerTest, AppliesEveryEventOnceAcrossPagesAndRestarts) {
  for (int i = 1; i <= 7; ++i) Produce(absl::StrCat("e", i));
  EXPECT_EQ(Cursor(), 0) << "no cursor before the first round";

  auto first = NewConsumer(Recorder(), /*page_size=*/3);
  ASSERT_TRUE(first->CatchUp(Soon()).ok());
  EXPECT_EQ(Applied(), (std::vector<std::string>{"e1", "e2", "e3", "e4", "e5",
                                                 "e6", "e7"}));
  EXPECT_EQ(Cursor(), 7);
  EXPECT_EQ(first->Progress().producer_last, 7);
  EXPECT_TRUE(first->Progress().last_error.ok());
  first.reset();

  // A restarted consumer starts from the durable cursor: nothing twice (a
  // second insert of a sequence would fail the round).
  auto second = NewConsumer(Recorder());
  absl::StatusOr<int> round = second->PollOnce(Soon());
  ASSERT_TRUE(round.ok()) << round.status();
  EXPECT_EQ(*round, 0);
  Produce("e8");
  ASSERT_TRUE(second->CatchUp(Soon()).ok());
  EXPECT_EQ(Applied().size(), 8u);
  EXPECT_EQ(Cursor(), 8);
}

TEST_F(FeedConsumerTest, AFailedApplyRollsBackThePageAndItIsOfferedAgain) {
  for (int i = 1; i <= 4; ++i) Produce(absl::StrCat("e", i));
  bool fail = true;
  auto consumer = NewConsumer(
      [&, record = Recorder()](sql::Connection& conn,
                               const std::vector<Event>& page) -> absl::Status {
        absl::Status status = record(conn, page);  // rows inserted first
        if (!status.ok()) return status;
        if (fail) return absl::FailedPreconditionError("not today");
        return absl::OkStatus();
      },
      /*page_size=*/10);
  absl::StatusOr<int> round = consumer->PollOnce(Soon());
  EXPECT_EQ(round.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Applied().empty()) << "the page's rows were rolled back";
  EXPECT_EQ(Cursor(), 0);
  EXPECT_EQ(consumer->Progress().last_error.code(),
            absl::StatusCode::kFailedPrecondition);

  fail = false;
  round = consumer->PollOnce(Soon());
  ASSERT_TRUE(round.ok()) << round.status();
  EXPECT_EQ(*round, 4);
  EXPECT_EQ(Applied().size(), 4u);
  EXPECT_EQ(Cursor(), 4);
  EXPECT_TRUE(consumer->Progress().last_error.ok());
}

TEST_F(FeedConsumerTest, AProducerThatIsDownIsUnavailableAndChangesNothing) {
  Produce("e1");
  server_->Shutdown();
  auto consumer = NewConsumer(Recorder());
  absl::StatusOr<int> round =
      consumer->PollOnce(absl::Now() + absl::Seconds(2));
  EXPECT_EQ(round.status().code(), absl::StatusCode::kUnavailable)
      << round.status();
  EXPECT_EQ(Cursor(), 0);
  EXPECT_TRUE(Applied().empty());
}

TEST_F(FeedConsumerTest, ConsumersSharingACursorNeverApplyAnEventTwice) {
  for (int i = 1; i <= 60; ++i) Produce(absl::StrCat("e", i));
  auto a = NewConsumer(Recorder(), /*page_size=*/4);
  auto b = NewConsumer(Recorder(), /*page_size=*/7);
  std::thread ta([&] { EXPECT_TRUE(a->CatchUp(Soon()).ok()); });
  std::thread tb([&] { EXPECT_TRUE(b->CatchUp(Soon()).ok()); });
  ta.join();
  tb.join();
  std::vector<std::string> applied = Applied();
  ASSERT_EQ(applied.size(), 60u);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(applied[i], absl::StrCat("e", i + 1));
  EXPECT_EQ(Cursor(), 60);
}

TEST_F(FeedConsumerTest, TheBackgroundLoopFollowsNewEventsUntilStopped) {
  std::atomic<int> calls{0};
  auto consumer = NewConsumer(Recorder(&calls));
  consumer->Start();
  for (int i = 1; i <= 5; ++i) Produce(absl::StrCat("e", i));
  const absl::Time give_up = absl::Now() + absl::Seconds(15);
  while (Cursor() < 5 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(Cursor(), 5);
  consumer->Stop();
  const int after_stop = calls.load();
  Produce("e6");
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(calls.load(), after_stop) << "no round after Stop()";
  EXPECT_EQ(Cursor(), 5);
}

}  // namespace
}  // namespace cmc
