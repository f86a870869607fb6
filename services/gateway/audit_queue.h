// The bounded hand-over between the calls the gateway audits and the writer
// that stores their records (audit_writer.h).
//
//   AuditQueue queue(10000);
//   if (!queue.Push(record)) dropped->Increment();      // full: never blocks
//   std::vector<v1::AuditRecord> batch =
//       queue.PopBatch(500, absl::Seconds(1));          // writer thread
//
// Push never blocks a call: when the queue is full the record is refused and
// the caller counts it as dropped (see docs/decisions.md, the audit trade-off).
#ifndef CMC_SERVICES_GATEWAY_AUDIT_QUEUE_H_
#define CMC_SERVICES_GATEWAY_AUDIT_QUEUE_H_

#include <cstddef>
#include <deque>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cmc/gateway/v1/gateway.pb.h"

namespace cmc::gateway {

// Where the proxy hands the record of each audited call. Implementations must
// be thread-safe and must not block.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void Record(v1::AuditRecord record) = 0;
};

// A FIFO of at most `capacity` records. Thread-safe.
class AuditQueue {
 public:
  explicit AuditQueue(size_t capacity);

  // Appends `record`; false (and the record is dropped) when the queue is full
  // or closed.
  bool Push(v1::AuditRecord record);

  // Up to `max` of the oldest records, removed from the queue. Waits up to
  // `wait` for the first one; returns at once when the queue is closed. Empty
  // when nothing arrived in time.
  std::vector<v1::AuditRecord> PopBatch(size_t max, absl::Duration wait);

  // Refuses further pushes and wakes a waiting PopBatch; queued records can
  // still be popped.
  void Close();

  size_t size() const;
  bool closed() const;

 private:
  // What PopBatch waits for.
  bool ReadyToPop() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::deque<v1::AuditRecord> records_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_AUDIT_QUEUE_H_
