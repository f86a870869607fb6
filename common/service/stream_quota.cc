#include "common/service/stream_quota.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace cmc {

StreamQuota::Lease::Lease(Lease&& other) noexcept
    : quota_(other.quota_), subject_(std::move(other.subject_)) {
  other.quota_ = nullptr;
}

StreamQuota::Lease::~Lease() {
  if (quota_ != nullptr) quota_->Release(subject_);
}

absl::StatusOr<StreamQuota::Lease> StreamQuota::Acquire(
    const std::string& subject) {
  absl::MutexLock lock(&mu_);
  int& open = open_[subject];
  if (open >= per_subject_) {
    return WithErrorInfo(
        absl::ResourceExhaustedError(absl::StrCat(
            "the caller already holds ", open,
            " open watch streams, the most one caller may hold; close one "
            "first")),
        "TOO_MANY_STREAMS", "limit", absl::StrCat(per_subject_));
  }
  ++open;
  return Lease(this, subject);
}

int StreamQuota::open(const std::string& subject) const {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(subject);
  return it == open_.end() ? 0 : it->second;
}

void StreamQuota::Release(const std::string& subject) {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(subject);
  if (it != open_.end() && --it->second == 0) open_.erase(it);
}

}  // namespace cmc
