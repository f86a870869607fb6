// Following an outbox as it grows: the loop behind every watch stream
// (cmc.common.v1.EventFeed/WatchEvents, ReferralService/WatchReferrals).
//
//   TailOptions options;
//   options.source = "referral";
//   return ToGrpcStatus(TailOutbox(*pool, options, after_sequence, *context,
//                                  stop, [&](const common::v1::Event& event) {
//                                    return writer->Write(event);
//                                  }));
//
// It reads the events after the cursor in batches; a full batch is followed at
// once by the next, a short one by a wait of poll_interval, so a new event
// reaches the watcher within about that interval.
#ifndef CMC_COMMON_OUTBOX_TAIL_H_
#define CMC_COMMON_OUTBOX_TAIL_H_

#include <grpcpp/server_context.h>

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "cmc/common/v1/event.pb.h"
#include "common/db/pool.h"
#include "common/stop_signal.h"

namespace cmc::outbox {

struct TailOptions {
  std::string source;  // fills Event.source
  int batch = 500;     // events read per poll
  absl::Duration poll_interval = absl::Milliseconds(200);
  absl::Duration read_deadline = absl::Seconds(30);  // of one batch's read
};

// Hands every event after `after_sequence` to `deliver`, in order, as they
// commit, until the watch ends. `deliver` returns false when the watcher is
// gone; it may skip an event it does not forward by returning true. Ends with:
//   - CANCELLED when the caller of `context` cancelled or `deliver` failed;
//   - the database's error when a read failed (UNAVAILABLE, DEADLINE_EXCEEDED);
//   - UNAVAILABLE "server is shutting down; resume after sequence N" once
//     `stop` is stopped, N being the last event handed to `deliver`.
absl::Status TailOutbox(
    db::Pool& pool, const TailOptions& options, int64_t after_sequence,
    const grpc::ServerContextBase& context, StopSignal& stop,
    absl::FunctionRef<bool(const common::v1::Event&)> deliver);

}  // namespace cmc::outbox

#endif  // CMC_COMMON_OUTBOX_TAIL_H_
