// The asynchronous writer of the audit trail: the proxy hands it a record per
// audited call (Record never blocks), a background thread stores them in
// batches, one transaction per batch, and purges records past the retention.
//
//   AuditWriter writer(pool.get(), options, &dropped_counter);
//   writer.Start();
//   proxy_options.audit = &writer;
//   server.AddShutdownHook([&writer] { writer.Stop(); });  // flushes
//
// What can be lost, by design (docs/decisions.md): records still queued when
// the process dies without a graceful stop, records refused while the queue is
// full (counted in cmc_gateway_audit_dropped_total), a batch the database
// cannot take for longer than the retries (unreachable; counted the same way
// and logged), and a record whose value the database refuses: a batch refused
// for its values is written again one record at a time, so only the refused
// record is lost (logged as audit_record_refused and counted). Strings never
// cause that: they are cleaned and cut to their columns (CleanAuditText).
#ifndef CMC_SERVICES_GATEWAY_AUDIT_WRITER_H_
#define CMC_SERVICES_GATEWAY_AUDIT_WRITER_H_

#include <prometheus/counter.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/db/pool.h"
#include "services/gateway/audit_queue.h"

namespace cmc::gateway {

struct AuditWriterOptions {
  size_t queue_capacity = 10000;
  size_t batch_size = 500;
  // How long a record may wait in the queue before its batch is written.
  absl::Duration flush_interval = absl::Milliseconds(200);
  // Records older than this are purged; zero = never purged.
  absl::Duration retention = absl::Hours(24 * 183);
  absl::Duration purge_interval = absl::Hours(1);
  // Attempts per insert before it is dropped (the database is down).
  int write_attempts = 3;
  absl::Duration retry_backoff = absl::Milliseconds(500);
};

class AuditWriter final : public AuditSink {
 public:
  // `pool` and `dropped` (may be nullptr) must outlive the writer.
  AuditWriter(db::Pool* pool, AuditWriterOptions options,
              prometheus::Counter* dropped);
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;
  // Stops (and flushes) if still running.
  ~AuditWriter() override;

  // Starts the background thread.
  void Start();
  // Refuses new records, writes every queued one (each batch tried as usual),
  // and joins the thread. Idempotent.
  void Stop();

  // Queues `record`; when the queue is full or the writer stopped, drops it
  // and counts it. Thread-safe, never blocks on the database.
  void Record(v1::AuditRecord record) override;

  // Records dropped since start (the value of the counter).
  int64_t dropped() const { return dropped_count_.load(); }
  // Records stored since start.
  int64_t written() const { return written_count_.load(); }

 private:
  void Run();
  void Write(const std::vector<v1::AuditRecord>& batch);
  // InsertAuditRecords, retried up to write_attempts while it fails
  // transiently (unavailable, deadline, lock conflict).
  absl::Status Insert(const std::vector<v1::AuditRecord>& records);
  void PurgeIfDue(absl::Time now);
  void CountDropped(size_t n);

  db::Pool* const pool_;
  const AuditWriterOptions options_;
  prometheus::Counter* const dropped_;
  AuditQueue queue_;
  std::atomic<int64_t> dropped_count_{0};
  std::atomic<int64_t> written_count_{0};
  absl::Time next_purge_ = absl::InfinitePast();
  std::once_flag stop_once_;
  std::thread thread_;
};

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_AUDIT_WRITER_H_
