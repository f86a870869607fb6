#include "common/outbox/tail.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"

namespace cmc::outbox {

absl::Status TailOutbox(
    db::Pool& pool, const TailOptions& options, int64_t after_sequence,
    const grpc::ServerContextBase& context, StopSignal& stop,
    absl::FunctionRef<bool(const common::v1::Event&)> deliver) {
  int64_t cursor = after_sequence;
  while (!context.IsCancelled()) {
    std::vector<common::v1::Event> batch;
    absl::Status status = db::RunOnConnection(
        pool, absl::Now() + options.read_deadline,
        [&](sql::Connection& conn) -> absl::Status {
          batch = ReadAfter(conn, options.source, cursor, options.batch);
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    for (const common::v1::Event& event : batch) {
      if (!deliver(event)) return absl::CancelledError("");
      cursor = event.sequence();
    }
    if (static_cast<int>(batch.size()) == options.batch) continue;
    if (stop.WaitFor(options.poll_interval)) {
      return absl::UnavailableError(absl::StrCat(
          "server is shutting down; resume after sequence ", cursor));
    }
  }
  return absl::CancelledError("");
}

}  // namespace cmc::outbox
