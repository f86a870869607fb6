#include "services/gateway/audit_queue.h"

#include <chrono>
#include <utility>

namespace cmc::gateway {

AuditQueue::AuditQueue(size_t capacity) : capacity_(capacity) {}

bool AuditQueue::Push(v1::AuditRecord record) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || records_.size() >= capacity_) return false;
    records_.push_back(std::move(record));
  }
  cv_.notify_one();
  return true;
}

std::vector<v1::AuditRecord> AuditQueue::PopBatch(size_t max,
                                                  absl::Duration wait) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, absl::ToChronoNanoseconds(wait),
               [this] { return closed_ || !records_.empty(); });
  std::vector<v1::AuditRecord> batch;
  while (!records_.empty() && batch.size() < max) {
    batch.push_back(std::move(records_.front()));
    records_.pop_front();
  }
  return batch;
}

void AuditQueue::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

size_t AuditQueue::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return records_.size();
}

bool AuditQueue::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

}  // namespace cmc::gateway
