#include "services/gateway/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "google/rpc/error_details.pb.h"

namespace cmc::gateway {

TokenBucket::TokenBucket(double rate_per_s, double burst, absl::Time now)
    : rate_per_s_(rate_per_s), burst_(burst), tokens_(burst), last_(now) {}

void TokenBucket::Refill(absl::Time now) {
  if (now <= last_) return;
  tokens_ = std::min(
      burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * rate_per_s_);
  last_ = now;
}

// Refills are sums of products of doubles; a bucket that is exactly full or
// exactly one token in must not miss by a rounding error.
constexpr double kEpsilon = 1e-9;

absl::Duration TokenBucket::Take(absl::Time now) {
  Refill(now);
  if (tokens_ >= 1 - kEpsilon) {
    tokens_ = std::max(0.0, tokens_ - 1);
    return absl::ZeroDuration();
  }
  // Rounded up to a millisecond, so a caller that waits exactly this long
  // finds the token there.
  return absl::Milliseconds(
      std::ceil((1 - tokens_) / rate_per_s_ * 1000 - kEpsilon));
}

bool TokenBucket::FullAt(absl::Time now) const {
  const double elapsed = now > last_ ? absl::ToDoubleSeconds(now - last_) : 0;
  return tokens_ + elapsed * rate_per_s_ >= burst_ - kEpsilon;
}

absl::Status RateLimiter::Admit(absl::string_view subject, absl::Time now) {
  absl::Duration wait;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto bucket = buckets_.find(std::string(subject));
    if (bucket == buckets_.end()) {
      if (buckets_.size() >= options_.max_subjects) {
        for (auto it = buckets_.begin(); it != buckets_.end();) {
          it = it->second.FullAt(now) ? buckets_.erase(it) : std::next(it);
        }
      }
      bucket =
          buckets_
              .emplace(std::string(subject),
                       TokenBucket(options_.rate_per_s, options_.burst, now))
              .first;
    }
    wait = bucket->second.Take(now);
  }
  if (wait == absl::ZeroDuration()) return absl::OkStatus();
  google::rpc::RetryInfo retry;
  const int64_t ms = absl::ToInt64Milliseconds(wait);
  retry.mutable_retry_delay()->set_seconds(ms / 1000);
  retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(ms % 1000) *
                                         1000000);
  absl::Status status = absl::ResourceExhaustedError(absl::StrCat(
      "rate limit exceeded; retry in ", absl::FormatDuration(wait)));
  status.SetPayload(kRetryInfoTypeUrl, absl::Cord(retry.SerializeAsString()));
  return status;
}

size_t RateLimiter::subjects() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

}  // namespace cmc::gateway
