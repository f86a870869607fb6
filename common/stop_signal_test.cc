#include "common/stop_signal.h"

#include <gtest/gtest.h>

#include <thread>

#include "absl/time/clock.h"

namespace cmc {
namespace {

TEST(StopSignalTest, WaitsTheTimeoutUntilStopped) {
  struct Case {
    const char* name;
    bool stop_first;
    absl::Duration timeout;
    bool want_stopped;
    absl::Duration min_wait;
    absl::Duration max_wait;
  };
  const Case cases[] = {
      {"running, waits the timeout", false, absl::Milliseconds(50), false,
       absl::Milliseconds(45), absl::Seconds(5)},
      {"running, zero timeout returns at once", false, absl::ZeroDuration(),
       false, absl::ZeroDuration(), absl::Seconds(1)},
      {"running, negative timeout returns at once", false,
       absl::Milliseconds(-5), false, absl::ZeroDuration(), absl::Seconds(1)},
      {"stopped, returns at once", true, absl::Seconds(30), true,
       absl::ZeroDuration(), absl::Seconds(1)},
  };
  for (const Case& c : cases) {
    StopSignal stop;
    if (c.stop_first) stop.Stop();
    const absl::Time start = absl::Now();
    EXPECT_EQ(stop.WaitFor(c.timeout), c.want_stopped) << c.name;
    const absl::Duration waited = absl::Now() - start;
    EXPECT_GE(waited, c.min_wait) << c.name;
    EXPECT_LT(waited, c.max_wait) << c.name;
    EXPECT_EQ(stop.stopped(), c.want_stopped) << c.name;
  }
}

TEST(StopSignalTest, StopEndsAWaitInProgressAndIsIdempotent) {
  StopSignal stop;
  bool result = false;
  absl::Duration waited;
  std::thread waiter([&] {
    const absl::Time start = absl::Now();
    result = stop.WaitFor(absl::Seconds(30));
    waited = absl::Now() - start;
  });
  absl::SleepFor(absl::Milliseconds(20));
  stop.Stop();
  stop.Stop();
  waiter.join();
  EXPECT_TRUE(result);
  EXPECT_LT(waited, absl::Seconds(10));
  EXPECT_TRUE(stop.stopped());
}

}  // namespace
}  // namespace cmc
