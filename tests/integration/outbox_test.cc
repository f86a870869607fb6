// The outbox and the EventFeed service against a real MariaDB.
#include "common/outbox/outbox.h"

#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cmc/common/v1/types.pb.h"
#include "common/db/migrations.h"
#include "common/db/transaction.h"
#include "common/identity/principal.h"
#include "common/outbox/event_feed_service.h"
#include "common/outbox/shared_tail.h"
#include "common/outbox/tail.h"
#include "common/server/server.h"
#include "common/status.h"
#include "common/testing/mariadb.h"

namespace cmc::outbox {
namespace {

using cmc::common::v1::Event;
using cmc::common::v1::EventFeed;
using cmc::testing::MariaDb;

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig config = MariaDb::Shared().NewDatabase("outbox");
    config.pool_size = 8;
    pool_ = db::Pool::Create(config);
    ASSERT_TRUE(db::ApplyMigrations(*pool_, "outbox", Migrations()).ok());
  }

  // Appends one event whose payload is a Period with `value`; commits unless
  // `fail`.
  absl::Status AppendOne(const std::string& value, bool fail = false) {
    return db::RunInTransaction(*pool_, absl::Now() + absl::Seconds(10),
                                [&](sql::Connection& conn) -> absl::Status {
                                  common::v1::Period payload;
                                  payload.set_value(value);
                                  Append(conn,
                                         {"test.ThingHappened", "Thing", value,
                                          "user:tester", &payload});
                                  if (fail)
                                    return absl::AbortedError("rolled back");
                                  return absl::OkStatus();
                                });
  }

  std::unique_ptr<db::Pool> pool_;
};

TEST_F(OutboxTest, EventsExistOnlyForCommittedTransactions) {
  ASSERT_TRUE(AppendOne("a").ok());
  ASSERT_FALSE(AppendOne("lost", /*fail=*/true).ok());
  ASSERT_TRUE(AppendOne("b").ok());
  std::vector<Event> events;
  ASSERT_TRUE(db::RunOnConnection(*pool_, absl::Now() + absl::Seconds(5),
                                  [&](sql::Connection& conn) -> absl::Status {
                                    events = ReadAfter(conn, "test", 0, 100);
                                    EXPECT_EQ(LastSequence(conn), 2);
                                    return absl::OkStatus();
                                  })
                  .ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].sequence(), 1);
  EXPECT_EQ(events[1].sequence(), 2) << "the rolled-back append left no gap";
  EXPECT_EQ(events[0].aggregate_id(), "a");
  EXPECT_EQ(events[1].aggregate_id(), "b");
  EXPECT_EQ(events[0].type(), "test.ThingHappened");
  EXPECT_EQ(events[0].actor(), "user:tester");
  EXPECT_EQ(events[0].source(), "test");
  EXPECT_EQ(events[0].event_id().size(), 36u);
  EXPECT_NE(events[0].event_id(), events[1].event_id());
  EXPECT_GT(events[0].occurred_at().seconds(), 1700000000);
  common::v1::Period payload;
  ASSERT_TRUE(events[1].payload().UnpackTo(&payload));
  EXPECT_EQ(payload.value(), "b");
}

TEST_F(OutboxTest, ConcurrentWritersGetGapFreeOrderedSequences) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Binary payload with a NUL byte and Chinese text survives the BLOB
        // round trip.
        if (!AppendOne(std::string("乡\0镇", 7) + std::to_string(t * 100 + i))
                 .ok())
          ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  std::vector<Event> events;
  ASSERT_TRUE(db::RunOnConnection(*pool_, absl::Now() + absl::Seconds(5),
                                  [&](sql::Connection& conn) -> absl::Status {
                                    events = ReadAfter(conn, "test", 0, 1000);
                                    return absl::OkStatus();
                                  })
                  .ok());
  ASSERT_EQ(events.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence(), static_cast<int64_t>(i + 1));
  }
  common::v1::Period payload;
  ASSERT_TRUE(events[0].payload().UnpackTo(&payload));
  EXPECT_EQ(payload.value().substr(0, 7), std::string("乡\0镇", 7));
}

// TailOutbox is the loop behind every watch stream; a default ServerContext
// is a caller that never cancels.
TEST_F(OutboxTest, TailDeliversInOrderAcrossBatchesAndEndsAsTold) {
  for (const char* value : {"a", "b", "c", "d", "e"}) {
    ASSERT_TRUE(AppendOne(value).ok());
  }
  TailOptions options;
  options.source = "test";
  options.batch = 2;  // five events: two full batches, then a short one
  options.poll_interval = absl::Milliseconds(10);

  struct Case {
    const char* name;
    int64_t after;
    int fail_at;     // deliver returns false at this call; -1 never
    bool skip_odd;   // deliver skips (true, not kept) odd sequences
    int stop_after;  // Stop once this many events were kept; -1 never
    std::vector<std::string> want_kept;
    absl::StatusCode want_code;
    std::string want_message;  // a part of it
  };
  const Case cases[] = {
      {"replays everything, stops",
       0,
       -1,
       false,
       5,
       {"a", "b", "c", "d", "e"},
       absl::StatusCode::kUnavailable,
       "resume after sequence 5"},
      {"starts after the cursor",
       3,
       -1,
       false,
       2,
       {"d", "e"},
       absl::StatusCode::kUnavailable,
       "resume after sequence 5"},
      {"skipped events move the cursor",
       0,
       -1,
       true,
       2,
       {"b", "d"},
       absl::StatusCode::kUnavailable,
       "resume after sequence 5"},
      {"a failed delivery is a cancelled caller",
       0,
       3,
       false,
       -1,
       {"a", "b", "c"},
       absl::StatusCode::kCancelled,
       ""},
      {"caught up, stopped before the wait",
       5,
       -1,
       false,
       0,
       {},
       absl::StatusCode::kUnavailable,
       "resume after sequence 5"},
  };
  for (const Case& c : cases) {
    StopSignal stop;
    if (c.stop_after == 0) stop.Stop();
    grpc::ServerContext context;
    std::vector<std::string> kept;
    int calls = 0;
    const absl::Status status = TailOutbox(
        *pool_, options, c.after, context, stop, [&](const Event& event) {
          ++calls;
          if (calls - 1 == c.fail_at) return false;
          if (c.skip_odd && event.sequence() % 2 == 1) return true;
          kept.push_back(event.aggregate_id());
          if (static_cast<int>(kept.size()) == c.stop_after) stop.Stop();
          return true;
        });
    EXPECT_EQ(kept, c.want_kept) << c.name;
    EXPECT_EQ(status.code(), c.want_code) << c.name << ": " << status;
    EXPECT_TRUE(absl::StrContains(status.message(), c.want_message))
        << c.name << ": " << status;
  }
}

TEST_F(OutboxTest, TailPicksUpEventsCommittedWhileItWaits) {
  TailOptions options;
  options.source = "test";
  options.poll_interval = absl::Milliseconds(20);
  StopSignal stop;
  grpc::ServerContext context;
  std::vector<std::string> kept;
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(100));
    EXPECT_TRUE(AppendOne("late").ok());
  });
  const absl::Status status =
      TailOutbox(*pool_, options, 0, context, stop, [&](const Event& event) {
        kept.push_back(event.aggregate_id());
        stop.Stop();
        return true;
      });
  writer.join();
  EXPECT_EQ(kept, std::vector<std::string>{"late"});
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

TEST_F(OutboxTest, TailReportsADatabaseItCannotReach) {
  TailOptions options;
  options.source = "test";
  options.read_deadline = absl::Milliseconds(300);
  DbConfig config;
  config.port = 1;  // nothing listens there
  config.user = "cmc";
  config.schema = "outbox_unreachable";
  config.pool_size = 1;
  config.pool_wait = absl::Milliseconds(200);
  std::unique_ptr<db::Pool> unreachable = db::Pool::Create(config);
  StopSignal stop;
  grpc::ServerContext context;
  const absl::Status status =
      TailOutbox(*unreachable, options, 0, context, stop,
                 [](const Event&) { return true; });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_FALSE(absl::StrContains(status.message(), "shutting down")) << status;
}

class EventFeedTest : public OutboxTest {
 protected:
  void SetUp() override {
    OutboxTest::SetUp();
    EventFeedService::Options options;
    options.poll_interval = absl::Milliseconds(50);
    options.max_watches_per_subject = 3;
    feed_ =
        std::make_unique<EventFeedService>(pool_.get(), "referral", options);
    ServerOptions server_options;
    server_options.service_name = "test";
    server_options.listen_host = "127.0.0.1";
    server_ = std::make_unique<Server>(server_options);
    server_->AddService(feed_.get(), "cmc.common.v1.EventFeed");
    server_->AddShutdownHook([this] { feed_->Stop(); });
    ASSERT_TRUE(server_->Start().ok());
    stub_ = EventFeed::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  std::unique_ptr<EventFeedService> feed_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<EventFeed::Stub> stub_;
};

TEST_F(EventFeedTest, ListEventsPagesThroughTheFeed) {
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(AppendOne("e" + std::to_string(i)).ok());
  common::v1::ListEventsRequest request;
  request.set_after_sequence(1);
  request.set_limit(2);
  common::v1::ListEventsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ListEvents(&context, request, &response).ok());
  ASSERT_EQ(response.events_size(), 2);
  EXPECT_EQ(response.events(0).sequence(), 2);
  EXPECT_EQ(response.events(1).sequence(), 3);
  EXPECT_EQ(response.events(0).source(), "referral");
  EXPECT_EQ(response.last_sequence(), 5);

  request.set_after_sequence(5);
  request.set_limit(0);
  grpc::ClientContext context2;
  ASSERT_TRUE(stub_->ListEvents(&context2, request, &response).ok());
  EXPECT_EQ(response.events_size(), 0);
  EXPECT_EQ(response.last_sequence(), 5);
}

TEST_F(EventFeedTest, ListEventsRejectsBadArgumentsNamingTheField) {
  struct Case {
    int64_t after;
    int limit;
    const char* field;
  };
  const Case cases[] = {
      {-1, 10, "after_sequence"}, {0, -1, "limit"}, {0, 1001, "limit"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    common::v1::ListEventsRequest request;
    request.set_after_sequence(c.after);
    request.set_limit(c.limit);
    common::v1::ListEventsResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub_->ListEvents(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(BadField(FromGrpcStatus(status)), c.field);
  }
}

TEST_F(EventFeedTest, OnlyACallerScopedToTheWholeCountyReadsTheFeed) {
  ASSERT_TRUE(AppendOne("e").ok());
  struct Case {
    const char* name;
    const char* scope;  // nullptr: no principal at all (a call from inside)
    grpc::StatusCode code;
  } cases[] = {
      {"internal", nullptr, grpc::StatusCode::OK},
      {"county", "county", grpc::StatusCode::OK},
      {"community", "community:c1", grpc::StatusCode::PERMISSION_DENIED},
      {"institution", "institution:i1", grpc::StatusCode::PERMISSION_DENIED},
      {"no scope", "", grpc::StatusCode::PERMISSION_DENIED},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Principal who;
    if (c.scope != nullptr) {
      who.subject = "user:feed-reader";
      who.roles = {"auditor"};
      const std::string scope = c.scope;
      if (scope == "county") who.whole_county = true;
      if (scope.rfind("community:", 0) == 0) who.communities = {"c1"};
      if (scope.rfind("institution:", 0) == 0) who.institutions = {"i1"};
    }
    common::v1::ListEventsResponse response;
    grpc::ClientContext list_context;
    AttachPrincipal(who, &list_context);
    const grpc::Status listed = stub_->ListEvents(&list_context, {}, &response);
    EXPECT_EQ(listed.error_code(), c.code) << listed.error_message();
    EXPECT_EQ(response.events_size(), c.code == grpc::StatusCode::OK ? 1 : 0);

    grpc::ClientContext watch_context;
    AttachPrincipal(who, &watch_context);
    watch_context.set_deadline(std::chrono::system_clock::now() +
                               std::chrono::milliseconds(300));
    auto reader = stub_->WatchEvents(&watch_context, {});
    common::v1::Event event;
    EXPECT_EQ(reader->Read(&event), c.code == grpc::StatusCode::OK);
    const grpc::Status watched = reader->Finish();
    EXPECT_EQ(watched.error_code(), c.code == grpc::StatusCode::OK
                                        ? grpc::StatusCode::DEADLINE_EXCEEDED
                                        : c.code);
  }
}

TEST_F(EventFeedTest, WatchEventsReplaysThenDeliversNewEventsWithinASecond) {
  ASSERT_TRUE(AppendOne("old").ok());
  grpc::ClientContext context;
  common::v1::WatchEventsRequest request;
  auto reader = stub_->WatchEvents(&context, request);
  Event event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.aggregate_id(), "old");

  const absl::Time committed = absl::Now();
  ASSERT_TRUE(AppendOne("new").ok());
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.aggregate_id(), "new");
  EXPECT_EQ(event.sequence(), 2);
  EXPECT_LT(absl::Now() - committed, absl::Seconds(1));

  // Shutdown ends the stream with UNAVAILABLE naming where to resume.
  std::thread stop([this] { server_->Shutdown(); });
  EXPECT_FALSE(reader->Read(&event));
  const grpc::Status status = reader->Finish();
  stop.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("resume after sequence 2"),
            std::string::npos)
      << status.error_message();
}

// One caller cannot hold the process's threads: past its share of open
// watches it is refused, others are not, and a closed watch frees a place.
TEST_F(EventFeedTest, OneCallerHoldsAtMostItsShareOfWatchStreams) {
  const auto open = [this](const std::string& subject,
                           grpc::ClientContext* context) {
    Principal who;
    who.subject = subject;
    who.whole_county = true;
    AttachPrincipal(who, context);
    auto reader = stub_->WatchEvents(context, {});
    // The server answers once it has admitted (or refused) the stream.
    reader->WaitForInitialMetadata();
    return reader;
  };
  ASSERT_TRUE(AppendOne("e").ok());
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<Event>>> readers;
  for (int i = 0; i < 3; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(open("system:platform", contexts.back().get()));
    Event event;
    ASSERT_TRUE(readers.back()->Read(&event)) << "stream " << i;
  }
  grpc::ClientContext fourth;
  auto refused = open("system:platform", &fourth);
  Event event;
  EXPECT_FALSE(refused->Read(&event));
  EXPECT_EQ(refused->Finish().error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  grpc::ClientContext other;
  auto admitted = open("system:other", &other);
  EXPECT_TRUE(admitted->Read(&event)) << "another caller is unaffected";
  other.TryCancel();
  admitted->Finish();

  contexts[0]->TryCancel();
  readers[0]->Finish();
  // The server notices the cancel within a poll interval.
  grpc::StatusCode code = grpc::StatusCode::RESOURCE_EXHAUSTED;
  for (int attempt = 0; attempt < 40 && code != grpc::StatusCode::OK;
       ++attempt) {
    grpc::ClientContext again;
    auto reader = open("system:platform", &again);
    if (reader->Read(&event)) {
      code = grpc::StatusCode::OK;
      again.TryCancel();
    } else {
      code = reader->Finish().error_code();
      absl::SleepFor(absl::Milliseconds(50));
    }
    if (code == grpc::StatusCode::OK) reader->Finish();
  }
  EXPECT_EQ(code, grpc::StatusCode::OK) << "a closed watch frees its place";
  for (size_t i = 1; i < readers.size(); ++i) {
    contexts[i]->TryCancel();
    readers[i]->Finish();
  }
}

}  // namespace
}  // namespace cmc::outbox

namespace cmc::outbox {
namespace {

// A SharedTail polls once for all its followers, whatever their number.
TEST_F(OutboxTest, SharedTailServesManyWatchersWithOneQueryPerPoll) {
  TailOptions options;
  options.source = "test";
  options.poll_interval = absl::Milliseconds(50);
  SharedTail tail(pool_.get(), options);
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(tail.reads(), 0) << "nobody follows, nothing is read";

  constexpr int kWatchers = 20;
  constexpr int kEvents = 30;
  StopSignal stop;
  std::vector<std::vector<int64_t>> seen(kWatchers);  // each its thread's
  std::unique_ptr<std::atomic<int>[]> counts(new std::atomic<int>[kWatchers]);
  for (int w = 0; w < kWatchers; ++w) counts[w] = 0;
  std::vector<absl::Status> ended(kWatchers);
  std::vector<std::thread> watchers;
  for (int w = 0; w < kWatchers; ++w) {
    watchers.emplace_back([&, w] {
      grpc::ServerContext context;
      ended[w] = tail.Follow(0, context, stop, [&](const Event& event) {
        seen[w].push_back(event.sequence());
        ++counts[w];
        return true;
      });
    });
  }
  const absl::Time start = absl::Now();
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(AppendOne(absl::StrCat("e", i)).ok());
    absl::SleepFor(absl::Milliseconds(20));
  }
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (absl::Now() < until) {
    bool all = true;
    for (int w = 0; w < kWatchers; ++w) all = all && counts[w] >= kEvents;
    if (all) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  const double polls =
      absl::FDivDuration(absl::Now() - start, options.poll_interval);
  stop.Stop();
  for (std::thread& t : watchers) t.join();
  for (int w = 0; w < kWatchers; ++w) {
    ASSERT_EQ(seen[w].size(), static_cast<size_t>(kEvents)) << "watcher " << w;
    for (int i = 0; i < kEvents; ++i) EXPECT_EQ(seen[w][i], i + 1);
    EXPECT_EQ(ended[w].code(), absl::StatusCode::kUnavailable) << ended[w];
    EXPECT_NE(ended[w].message().find("resume after sequence 30"),
              std::string::npos)
        << ended[w];
  }
  // One poll per interval (plus a full batch's follow-up and each watcher's
  // first catch-up read at most), where one tail per watcher would read
  // kWatchers times as often.
  EXPECT_LT(tail.reads(), polls + 2 * kWatchers + 10)
      << "polls: " << polls << ", reads: " << tail.reads();
}

// A watcher behind the window reads its own way to it, then joins the rest.
TEST_F(OutboxTest, SharedTailCatchesUpFromTheDatabaseBehindItsWindow) {
  TailOptions options;
  options.source = "test";
  options.batch = 7;
  options.poll_interval = absl::Milliseconds(20);
  SharedTail tail(pool_.get(), options, /*window=*/5);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(AppendOne(absl::StrCat(i)).ok());
  StopSignal stop;
  grpc::ServerContext context;
  std::vector<int64_t> seen;
  std::thread late([&] {
    absl::SleepFor(absl::Milliseconds(300));
    for (int i = 40; i < 50; ++i) EXPECT_TRUE(AppendOne(absl::StrCat(i)).ok());
  });
  const absl::Status status =
      tail.Follow(12, context, stop, [&](const Event& event) {
        seen.push_back(event.sequence());
        if (event.sequence() == 50) stop.Stop();
        return true;
      });
  late.join();
  ASSERT_EQ(seen.size(), 38u);
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i], static_cast<int64_t>(i + 13));
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

TEST_F(OutboxTest, SharedTailEndsAWatcherThatStopsTakingEvents) {
  for (const char* value : {"a", "b", "c"}) ASSERT_TRUE(AppendOne(value).ok());
  TailOptions options;
  options.source = "test";
  SharedTail tail(pool_.get(), options);
  StopSignal stop;
  grpc::ServerContext context;
  int calls = 0;
  const absl::Status status =
      tail.Follow(0, context, stop, [&](const Event&) { return ++calls < 2; });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace cmc::outbox
