#include "services/gateway/audit_writer.h"

#include <utility>

#include "common/log.h"
#include "services/gateway/audit_store.h"

namespace cmc::gateway {
namespace {

// The longest a batch insert or a purge may take before it counts as failed.
constexpr absl::Duration kStatementBudget = absl::Seconds(10);

// A failure that another attempt may not meet: the database unreachable or
// slow (UNAVAILABLE, DEADLINE_EXCEEDED) or a lock conflict (ABORTED).
bool IsTransient(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsAborted(status);
}

}  // namespace

AuditWriter::AuditWriter(db::Pool* pool, AuditWriterOptions options,
                         prometheus::Counter* dropped)
    : pool_(pool),
      options_(options),
      dropped_(dropped),
      queue_(options.queue_capacity) {}

AuditWriter::~AuditWriter() { Stop(); }

void AuditWriter::Start() {
  thread_ = std::thread([this] { Run(); });
}

void AuditWriter::Stop() {
  std::call_once(stop_once_, [this] {
    queue_.Close();
    if (thread_.joinable()) thread_.join();
    // Records the thread did not take (it never started, or they arrived
    // after its last look).
    while (queue_.size() > 0) {
      Write(queue_.PopBatch(options_.batch_size, absl::ZeroDuration()));
    }
  });
}

void AuditWriter::Record(v1::AuditRecord record) {
  if (!queue_.Push(std::move(record))) CountDropped(1);
}

void AuditWriter::Run() {
  while (true) {
    std::vector<v1::AuditRecord> batch =
        queue_.PopBatch(options_.batch_size, options_.flush_interval);
    // Closed and drained; Stop writes whatever slipped in after this check.
    if (batch.empty() && queue_.closed()) return;
    Write(batch);
    PurgeIfDue(absl::Now());
  }
}

absl::Status AuditWriter::Insert(const std::vector<v1::AuditRecord>& records) {
  absl::Status status;
  for (int attempt = 1; attempt <= options_.write_attempts; ++attempt) {
    status =
        InsertAuditRecords(*pool_, records, absl::Now() + kStatementBudget);
    // Only the database's unavailability or a lock conflict pass with time;
    // a refused value is refused again.
    if (status.ok() || !IsTransient(status)) return status;
    if (attempt < options_.write_attempts) {
      absl::SleepFor(options_.retry_backoff * attempt);
    }
  }
  return status;
}

void AuditWriter::Write(const std::vector<v1::AuditRecord>& batch) {
  if (batch.empty()) return;
  absl::Status status = Insert(batch);
  if (status.ok()) {
    written_count_ += static_cast<int64_t>(batch.size());
    return;
  }
  if (IsTransient(status) || batch.size() == 1) {
    Log(LogLevel::kError, "audit_write_failed")
        .Field("records", static_cast<int64_t>(batch.size()))
        .Field("message", status.ToString());
    CountDropped(batch.size());
    return;
  }
  // The database refused a value: one record by one, so only the refused
  // ones are lost.
  for (const v1::AuditRecord& record : batch) {
    status = Insert({record});
    if (status.ok()) {
      ++written_count_;
      continue;
    }
    Log(LogLevel::kError, "audit_record_refused")
        .Field("method", record.method())
        .Field("subject", record.subject())
        .Field("request_id", record.request_id())
        .Field("time_seconds", record.time().seconds())
        .Field("message", status.ToString());
    CountDropped(1);
  }
}

void AuditWriter::PurgeIfDue(absl::Time now) {
  if (options_.retention <= absl::ZeroDuration() || now < next_purge_) return;
  next_purge_ = now + options_.purge_interval;
  absl::StatusOr<int64_t> purged = PurgeAuditRecords(
      *pool_, now - options_.retention, now + kStatementBudget);
  if (!purged.ok()) {
    Log(LogLevel::kWarning, "audit_purge_failed")
        .Field("message", purged.status().ToString());
    return;
  }
  if (*purged > 0) {
    Log(LogLevel::kInfo, "audit_purged").Field("records", *purged);
  }
}

void AuditWriter::CountDropped(size_t n) {
  dropped_count_ += static_cast<int64_t>(n);
  if (dropped_ != nullptr) dropped_->Increment(static_cast<double>(n));
}

}  // namespace cmc::gateway
