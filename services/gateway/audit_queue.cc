#include "services/gateway/audit_queue.h"

#include <utility>

namespace cmc::gateway {

AuditQueue::AuditQueue(size_t capacity) : capacity_(capacity) {}

bool AuditQueue::Push(v1::AuditRecord record) {
  absl::MutexLock lock(&mu_);
  if (closed_ || records_.size() >= capacity_) return false;
  records_.push_back(std::move(record));
  return true;
}

std::vector<v1::AuditRecord> AuditQueue::PopBatch(size_t max,
                                                  absl::Duration wait) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(this, &AuditQueue::ReadyToPop), wait);
  std::vector<v1::AuditRecord> batch;
  while (!records_.empty() && batch.size() < max) {
    batch.push_back(std::move(records_.front()));
    records_.pop_front();
  }
  return batch;
}

void AuditQueue::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

size_t AuditQueue::size() const {
  absl::MutexLock lock(&mu_);
  return records_.size();
}

bool AuditQueue::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

bool AuditQueue::ReadyToPop() const { return closed_ || !records_.empty(); }

}  // namespace cmc::gateway
