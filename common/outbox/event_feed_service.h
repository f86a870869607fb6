// cmc.common.v1.EventFeed served from a service's outbox (see event.proto for
// the contract).
//
//   cmc::outbox::EventFeedService feed(&pool, "referral");
//   server.AddService(&feed);
//   server.AddShutdownHook([&] { feed.Stop(); });
//
// WatchEvents polls the outbox every poll_interval while a stream is open, so a
// new event reaches watchers within about that interval. Stop() ends every open
// stream promptly with UNAVAILABLE (the caller resumes from the last sequence
// it received).
#ifndef CMC_COMMON_OUTBOX_EVENT_FEED_SERVICE_H_
#define CMC_COMMON_OUTBOX_EVENT_FEED_SERVICE_H_

#include <string>

#include "absl/time/time.h"
#include "cmc/common/v1/event.grpc.pb.h"
#include "common/db/pool.h"
#include "common/stop_signal.h"

namespace cmc::outbox {

class EventFeedService final : public common::v1::EventFeed::Service {
 public:
  struct Options {
    absl::Duration poll_interval = absl::Milliseconds(200);
    absl::Duration default_deadline =
        absl::Seconds(30);                           // ListEvents without one
    absl::Duration max_deadline = absl::Minutes(5);  // the longest honoured
    int watch_batch = 500;
  };

  // `pool` must outlive the service. `source` names the producing service in
  // every Event.
  EventFeedService(db::Pool* pool, std::string source, Options options);
  EventFeedService(db::Pool* pool, std::string source)
      : EventFeedService(pool, std::move(source), Options()) {}

  grpc::Status ListEvents(grpc::ServerContext* context,
                          const common::v1::ListEventsRequest* request,
                          common::v1::ListEventsResponse* response) override;
  grpc::Status WatchEvents(
      grpc::ServerContext* context,
      const common::v1::WatchEventsRequest* request,
      grpc::ServerWriter<common::v1::Event>* writer) override;

  // Ends open watch streams and refuses new ones. Thread-safe, idempotent.
  void Stop() { stop_.Stop(); }

 private:
  db::Pool* pool_;
  const std::string source_;
  const Options options_;
  StopSignal stop_;
};

}  // namespace cmc::outbox

#endif  // CMC_COMMON_OUTBOX_EVENT_FEED_SERVICE_H_
