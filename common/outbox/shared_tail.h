// One tail of a service's outbox shared by all its watchers. TailOutbox
// (tail.h) polls the database once per open stream, so a hundred watchers
// meant a hundred queries every poll interval; a SharedTail polls once for all
// of them, only while someone follows, and keeps the newest `window` events in
// memory. A watcher that is behind the window (catching up from an old cursor,
// or too slow to keep up) reads its own batches from the database until it is
// back in the window, so memory stays bounded whatever the watchers do.
//
//   SharedTail tail(&pool, {.source = "referral"});    // one per service
//   return ToGrpcStatus(tail.Follow(after, *context, stop,
//       [&](const common::v1::Event& e) { return writer->Write(e); }));
//
// Thread-safe. Follow's contract is TailOutbox's.
#ifndef CMC_COMMON_OUTBOX_SHARED_TAIL_H_
#define CMC_COMMON_OUTBOX_SHARED_TAIL_H_

#include <grpcpp/server_context.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "cmc/common/v1/event.pb.h"
#include "common/db/pool.h"
#include "common/outbox/tail.h"
#include "common/stop_signal.h"

namespace cmc::outbox {

class SharedTail {
 public:
  // `pool` must outlive the tail. `window` is how many of the newest events
  // are kept in memory (at most).
  SharedTail(db::Pool* pool, TailOptions options, size_t window = 4096);
  SharedTail(const SharedTail&) = delete;
  SharedTail& operator=(const SharedTail&) = delete;
  // Stops the poller; every Follow must have returned.
  ~SharedTail();

  // As TailOutbox: hands every event after `after_sequence` to `deliver`, in
  // order, as they commit, until the caller cancels (CANCELLED), `deliver`
  // returns false (CANCELLED), a read fails (its error), or `stop` is stopped
  // (UNAVAILABLE "server is shutting down; resume after sequence N").
  absl::Status Follow(
      int64_t after_sequence, const grpc::ServerContextBase& context,
      StopSignal& stop,
      absl::FunctionRef<bool(const common::v1::Event&)> deliver);

  // Database reads so far: the poller's and the catch-up reads (for tests
  // and metrics).
  int64_t reads() const;

 private:
  using EventPtr = std::shared_ptr<const common::v1::Event>;

  void PollLoop();
  // Events after `cursor` from the window (at most options_.batch), when the
  // window holds the next one; false when `cursor` is behind the window.
  bool TakeFromWindow(int64_t cursor, std::vector<EventPtr>* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  db::Pool* const pool_;
  const TailOptions options_;
  const size_t window_size_;

  mutable absl::Mutex mu_;
  absl::CondVar changed_;  // the window grew, a read failed, or stopping
  std::deque<EventPtr> window_ ABSL_GUARDED_BY(mu_);  // consecutive sequences
  // The newest sequence the poller has read up to; -1 before its first read.
  int64_t polled_to_ ABSL_GUARDED_BY(mu_) = -1;
  // The error of the poller's last read (OK when it succeeded) and a count of
  // its failures, so each waiting follower sees a failure once.
  absl::Status poll_error_ ABSL_GUARDED_BY(mu_);
  int64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
  int followers_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t reads_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread poller_;
};

}  // namespace cmc::outbox

#endif  // CMC_COMMON_OUTBOX_SHARED_TAIL_H_
