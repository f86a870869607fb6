#include "services/gateway/rate_limiter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/status.h"
#include "google/rpc/error_details.pb.h"

namespace cmc::gateway {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

TEST(TokenBucketTest, AllowsTheBurstThenTheRate) {
  // 2 tokens a second, 3 at once.
  TokenBucket bucket(2, 3, kStart);
  struct Step {
    absl::Duration at;    // since kStart
    absl::Duration wait;  // what Take returns
  };
  const std::vector<Step> steps = {
      {absl::ZeroDuration(), absl::ZeroDuration()},
      {absl::ZeroDuration(), absl::ZeroDuration()},
      {absl::ZeroDuration(), absl::ZeroDuration()},
      {absl::ZeroDuration(), absl::Milliseconds(500)},  // empty: one in 0.5 s
      {absl::Milliseconds(200), absl::Milliseconds(300)},
      {absl::Milliseconds(500), absl::ZeroDuration()},  // refilled one
      {absl::Milliseconds(500), absl::Milliseconds(500)},
      {absl::Milliseconds(400), absl::Milliseconds(500)},  // time going back
      {absl::Seconds(100), absl::ZeroDuration()},  // full again, at most 3
      {absl::Seconds(100), absl::ZeroDuration()},
      {absl::Seconds(100), absl::ZeroDuration()},
      {absl::Seconds(100), absl::Milliseconds(500)},
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(bucket.Take(kStart + steps[i].at), steps[i].wait);
  }
}

TEST(TokenBucketTest, FullAtTellsWhenTheBucketCanBeForgotten) {
  TokenBucket bucket(1, 2, kStart);
  EXPECT_TRUE(bucket.FullAt(kStart));
  bucket.Take(kStart);
  EXPECT_FALSE(bucket.FullAt(kStart + absl::Milliseconds(999)));
  EXPECT_TRUE(bucket.FullAt(kStart + absl::Seconds(1)));
}

TEST(RateLimiterTest, ANoisySubjectIsLimitedAndAnotherIsNot) {
  RateLimiter limiter({/*rate_per_s=*/10, /*burst=*/5, /*max_subjects=*/100});
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(limiter.Admit("user:noisy", kStart).ok()) << i;
  }
  const absl::Status limited = limiter.Admit("user:noisy", kStart);
  EXPECT_EQ(limited.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(limited.message(), "rate limit exceeded; retry in 100ms");
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(retry.ParseFromString(
      std::string(*limited.GetPayload(kRetryInfoTypeUrl))));
  EXPECT_EQ(retry.retry_delay().seconds(), 0);
  EXPECT_EQ(retry.retry_delay().nanos(), 100'000'000);
  // Another subject has its own bucket.
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(limiter.Admit("user:quiet", kStart).ok()) << i;
  }
  // After the retry delay the noisy one gets in again.
  EXPECT_TRUE(
      limiter.Admit("user:noisy", kStart + absl::Milliseconds(100)).ok());
}

TEST(RateLimiterTest, ForgetsFullBucketsWhenTooManySubjects) {
  RateLimiter limiter({/*rate_per_s=*/1, /*burst=*/1, /*max_subjects=*/2});
  EXPECT_TRUE(limiter.Admit("user:a", kStart).ok());
  EXPECT_TRUE(limiter.Admit("user:b", kStart).ok());
  // a and b are empty: a third subject cannot evict them.
  EXPECT_TRUE(limiter.Admit("user:c", kStart).ok());
  EXPECT_EQ(limiter.subjects(), 3u);
  EXPECT_FALSE(limiter.Admit("user:a", kStart).ok());
  // Two seconds later all are full again and are forgotten for the next one.
  EXPECT_TRUE(limiter.Admit("user:d", kStart + absl::Seconds(2)).ok());
  EXPECT_EQ(limiter.subjects(), 1u);
}

}  // namespace
}  // namespace cmc::gateway
