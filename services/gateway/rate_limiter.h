// Per-principal rate limiting: one token bucket per subject, so one noisy
// client cannot starve the others. Pure: the clock is a parameter.
//
//   RateLimiter limiter({/*rate_per_s=*/50, /*burst=*/100});
//   CMC_RETURN_IF_ERROR(limiter.Admit(principal.subject, absl::Now()));
#ifndef CMC_SERVICES_GATEWAY_RATE_LIMITER_H_
#define CMC_SERVICES_GATEWAY_RATE_LIMITER_H_

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cmc::gateway {

// A bucket of up to `burst` tokens, refilled at `rate_per_s` tokens a second
// and full at creation. Not thread-safe.
class TokenBucket {
 public:
  TokenBucket(double rate_per_s, double burst, absl::Time now);

  // Takes one token at `now` and returns zero, or, when the bucket is empty,
  // takes nothing and returns how long until a token is available. A `now`
  // earlier than a previous one counts as no time passed.
  absl::Duration Take(absl::Time now);

  // True when the bucket would be full at `now` (it can be forgotten and made
  // anew without changing behaviour).
  bool FullAt(absl::Time now) const;

 private:
  void Refill(absl::Time now);

  const double rate_per_s_;
  const double burst_;
  double tokens_;
  absl::Time last_;
};

struct RateLimiterOptions {
  double rate_per_s = 50;  // sustained calls per second per subject
  double burst = 100;      // calls a subject may make at once
  // Buckets kept before full ones are forgotten; bounds the memory a stream
  // of distinct subjects can take.
  size_t max_subjects = 100000;
};

// Thread-safe.
class RateLimiter {
 public:
  explicit RateLimiter(RateLimiterOptions options) : options_(options) {}

  // OK when `subject` may make a call at `now`. RESOURCE_EXHAUSTED "rate limit
  // exceeded; retry in <d>" otherwise, with a google.rpc.RetryInfo detail
  // whose retry_delay says when a call will be admitted.
  absl::Status Admit(absl::string_view subject, absl::Time now);

  // The number of subjects with a bucket (for tests).
  size_t subjects() const;

 private:
  const RateLimiterOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, TokenBucket> buckets_;
};

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_RATE_LIMITER_H_
