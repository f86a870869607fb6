// The end of a long-running loop (an event watch, a background sweep): the
// loop waits on the signal between rounds, and a shutdown hook stops it.
//
//   StopSignal stop;
//   std::thread sweeper([&] { do SweepOnce(); while (!stop.WaitFor(interval));
//   }); server.AddShutdownHook([&] { stop.Stop(); });
//
// Thread-safe.
#ifndef CMC_COMMON_STOP_SIGNAL_H_
#define CMC_COMMON_STOP_SIGNAL_H_

#include <condition_variable>
#include <mutex>

#include "absl/time/time.h"

namespace cmc {

class StopSignal {
 public:
  StopSignal() = default;
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // Ends every current wait at once and makes every later one return at once.
  // Idempotent.
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }

  // Whether Stop has been called.
  bool stopped() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }

  // Waits `timeout` (none when it is not positive) or until Stop, whichever
  // comes first; true when stopped.
  bool WaitFor(absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (timeout > absl::ZeroDuration()) {
      cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                   [this] { return stopped_; });
    }
    return stopped_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

}  // namespace cmc

#endif  // CMC_COMMON_STOP_SIGNAL_H_
