#include "common/outbox/shared_tail.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"

namespace cmc::outbox {

SharedTail::SharedTail(db::Pool* pool, TailOptions options, size_t window)
    : pool_(pool),
      options_(std::move(options)),
      window_size_(window),
      poller_([this] { PollLoop(); }) {}

SharedTail::~SharedTail() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    changed_.SignalAll();
  }
  poller_.join();
}

int64_t SharedTail::reads() const {
  absl::MutexLock lock(&mu_);
  return reads_;
}

void SharedTail::PollLoop() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    // Nobody follows: no query at all until someone does.
    if (followers_ == 0) {
      changed_.Wait(&mu_);
      continue;
    }
    const int64_t from = polled_to_;
    ++reads_;
    mu_.Unlock();
    std::vector<common::v1::Event> batch;
    int64_t last = from;
    const absl::Status status = db::RunOnConnection(
        *pool_, absl::Now() + options_.read_deadline,
        [&](sql::Connection& conn) -> absl::Status {
          // The first read starts at the end: followers behind it catch up
          // from the database on their own.
          if (from < 0) {
            last = LastSequence(conn);
          } else {
            batch = ReadAfter(conn, options_.source, from, options_.batch);
          }
          return absl::OkStatus();
        });
    mu_.Lock();
    if (!status.ok()) {
      poll_error_ = status;
      ++failures_;
      changed_.SignalAll();
      changed_.WaitWithTimeout(&mu_, options_.poll_interval);
      continue;
    }
    poll_error_ = absl::OkStatus();
    if (from < 0) {
      polled_to_ = last;
    } else {
      for (common::v1::Event& event : batch) {
        polled_to_ = event.sequence();
        window_.push_back(
            std::make_shared<const common::v1::Event>(std::move(event)));
        if (window_.size() > window_size_) window_.pop_front();
      }
    }
    changed_.SignalAll();
    if (static_cast<int>(batch.size()) < options_.batch) {
      changed_.WaitWithTimeout(&mu_, options_.poll_interval);
    }
  }
}

bool SharedTail::TakeFromWindow(int64_t cursor, std::vector<EventPtr>* out) {
  // Sequences are gap-free (outbox.h), so the window is consecutive.
  if (polled_to_ < 0 || cursor > polled_to_) return true;  // nothing newer
  if (cursor == polled_to_) return true;
  if (window_.empty() || cursor < window_.front()->sequence() - 1) {
    return false;
  }
  for (size_t i = static_cast<size_t>(cursor + 1 - window_.front()->sequence());
       i < window_.size() && static_cast<int>(out->size()) < options_.batch;
       ++i) {
    out->push_back(window_[i]);
  }
  return true;
}

absl::Status SharedTail::Follow(
    int64_t after_sequence, const grpc::ServerContextBase& context,
    StopSignal& stop,
    absl::FunctionRef<bool(const common::v1::Event&)> deliver) {
  int64_t cursor = after_sequence;
  {
    absl::MutexLock lock(&mu_);
    ++followers_;
    changed_.SignalAll();  // wakes an idle poller
  }
  struct Leave {
    SharedTail* tail;
    ~Leave() {
      absl::MutexLock lock(&tail->mu_);
      --tail->followers_;
    }
  } leave{this};

  while (true) {
    if (context.IsCancelled()) return absl::CancelledError("");
    if (stop.stopped()) {
      return absl::UnavailableError(absl::StrCat(
          "server is shutting down; resume after sequence ", cursor));
    }
    std::vector<EventPtr> ready;
    bool behind = false;
    {
      absl::MutexLock lock(&mu_);
      const int64_t failures = failures_;
      behind = !TakeFromWindow(cursor, &ready);
      if (!behind && ready.empty()) {
        // Caught up: wait for the poller (or a failure, or a stop, checked
        // within a poll interval).
        changed_.WaitWithTimeout(&mu_, options_.poll_interval);
        if (failures_ != failures && !poll_error_.ok()) return poll_error_;
        continue;
      }
      if (behind) ++reads_;
    }
    if (behind) {
      std::vector<common::v1::Event> batch;
      const absl::Status status = db::RunOnConnection(
          *pool_, absl::Now() + options_.read_deadline,
          [&](sql::Connection& conn) -> absl::Status {
            batch = ReadAfter(conn, options_.source, cursor, options_.batch);
            return absl::OkStatus();
          });
      if (!status.ok()) return status;
      for (const common::v1::Event& event : batch) {
        if (!deliver(event)) return absl::CancelledError("");
        cursor = event.sequence();
      }
      continue;
    }
    for (const EventPtr& event : ready) {
      if (!deliver(*event)) return absl::CancelledError("");
      cursor = event->sequence();
    }
  }
}

}  // namespace cmc::outbox
