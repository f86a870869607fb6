// cmc.common.v1.EventFeed served from a service's outbox (see event.proto for
// the contract).
//
//   cmc::outbox::EventFeedService feed(&pool, "referral");
//   server.AddService(&feed);
//   server.AddShutdownHook([&] { feed.Stop(); });
//
// WatchEvents follows one tail of the outbox shared by every open stream
// (shared_tail.h): one query per poll_interval whatever the number of
// watchers, so a new event reaches them within about that interval. One
// caller (principal subject) holds at most max_watches_per_subject open
// streams; more are RESOURCE_EXHAUSTED. Stop() ends every open stream promptly
// with UNAVAILABLE (the caller resumes from the last sequence it received).
#ifndef CMC_COMMON_OUTBOX_EVENT_FEED_SERVICE_H_
#define CMC_COMMON_OUTBOX_EVENT_FEED_SERVICE_H_

#include <string>

#include "absl/time/time.h"
#include "cmc/common/v1/event.grpc.pb.h"
#include "common/db/pool.h"
#include "common/outbox/shared_tail.h"
#include "common/service/stream_quota.h"
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
    int max_watches_per_subject = 8;
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
  StreamQuota watches_;
  SharedTail tail_;
};

}  // namespace cmc::outbox

#endif  // CMC_COMMON_OUTBOX_EVENT_FEED_SERVICE_H_
