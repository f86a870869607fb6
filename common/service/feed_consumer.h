// Following another service's event feed (cmc.common.v1.EventFeed) with a
// durable cursor, so that each event is applied exactly once in effect: a page
// of events is applied on the consumer's own database in the same transaction
// that advances the cursor, so a crash, a restart or a replayed feed changes
// nothing. A producer that is down delays the consumer; it never corrupts it.
//
//   FeedConsumer subsidies(
//       pool, NewInternalChannel(dispatch_addr),
//       {.source = "dispatch", .consumer = "subsidies"},   // C++17: fill
//       fields
//       [&](sql::Connection& conn, const std::vector<common::v1::Event>& page)
//           -> absl::Status {
//         for (const auto& event : page) { ... insert on conn ... }
//         return absl::OkStatus();
//       });
//   subsidies.Start();   // a background thread; Stop() (or the destructor)
//   ends it
//
// The cursor lives in table `feed_cursors` (source, consumer, last_sequence),
// created in every service's schema by the kit's migrations. The consumer
// calls the producer directly (not through the gateway) over the internal
// mutual-TLS channel, as a CMC service (system identity, whole county).
#ifndef CMC_COMMON_SERVICE_FEED_CONSUMER_H_
#define CMC_COMMON_SERVICE_FEED_CONSUMER_H_

#include <cppconn/connection.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cmc/common/v1/event.grpc.pb.h"
#include "common/db/pool.h"

namespace cmc {

// Applies one page of events (ascending sequence, none applied before) on
// `conn`, inside the transaction that then advances the cursor past the page.
// A non-OK status rolls the whole page back; the page is offered again after a
// backoff. The body may run more than once (a deadlock retry), so it must keep
// no state outside the database. Events it does not care about are skipped
// simply by not acting on them.
using ApplyEvents = std::function<absl::Status(
    sql::Connection& conn, const std::vector<common::v1::Event>& page)>;

struct FeedConsumerOptions {
  // The producing service, "dispatch": half the cursor's key, and the log's.
  std::string source;
  // What this consumer is for, "subsidies": a service may follow one feed
  // for several purposes, each with its own cursor.
  std::string consumer;
  // Events asked for per call, 1..1000.
  int page_size = 500;
  // How long to wait before asking again once caught up.
  absl::Duration idle_poll = absl::Milliseconds(500);
  // Bound of each call to the producer and of each apply transaction.
  absl::Duration call_timeout = absl::Seconds(10);
  // After an error the wait doubles from 100 ms up to this.
  absl::Duration max_backoff = absl::Seconds(5);
};

struct FeedProgress {
  int64_t cursor = 0;         // last sequence applied (durable)
  int64_t producer_last = 0;  // the producer's last sequence when last asked
  absl::Time last_success = absl::InfinitePast();  // last good round
  absl::Status last_error;                         // OK after a good round
};

class FeedConsumer {
 public:
  FeedConsumer(db::Pool& pool, std::shared_ptr<grpc::Channel> producer,
               FeedConsumerOptions options, ApplyEvents apply);
  ~FeedConsumer();  // Stop()

  FeedConsumer(const FeedConsumer&) = delete;
  FeedConsumer& operator=(const FeedConsumer&) = delete;

  // Runs rounds on a background thread until Stop(). Call once.
  void Start();
  // Ends the background thread after its current round. Idempotent.
  void Stop();

  // One round: reads the page after the durable cursor and applies it,
  // advancing the cursor, in one transaction. Returns how many events were
  // applied (0 when caught up). UNAVAILABLE when the producer or the database
  // cannot be reached. Safe beside the background thread (rounds are
  // serialized by the cursor's row lock).
  absl::StatusOr<int> PollOnce(absl::Time deadline);
  // Rounds until the cursor reaches the producer's last sequence as of the
  // call (tests, a catch-up before answering). DEADLINE_EXCEEDED when the
  // deadline passes first.
  absl::Status CatchUp(absl::Time deadline);

  FeedProgress Progress() const;

 private:
  void Loop();
  void Record(const absl::Status& status, int64_t cursor,
              int64_t producer_last);

  db::Pool& pool_;
  std::unique_ptr<common::v1::EventFeed::Stub> stub_;
  const FeedConsumerOptions options_;
  const ApplyEvents apply_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  FeedProgress progress_;
  std::thread thread_;
};

// The durable cursor of (source, consumer): 0 before the first event.
absl::StatusOr<int64_t> ReadFeedCursor(db::Pool& pool,
                                       const std::string& source,
                                       const std::string& consumer,
                                       absl::Time deadline);

// A channel to another CMC service at `address` ("host:port"): mutual TLS
// when the process has internal TLS, reconnecting within about a second.
std::shared_ptr<grpc::Channel> NewInternalChannel(const std::string& address);

}  // namespace cmc

#endif  // CMC_COMMON_SERVICE_FEED_CONSUMER_H_
