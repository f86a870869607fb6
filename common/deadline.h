// Deadlines: every call has one. A call that arrives without a deadline gets a
// default one, and no call may hold resources longer than a maximum.
#ifndef CMC_COMMON_DEADLINE_H_
#define CMC_COMMON_DEADLINE_H_

#include <chrono>

#include "absl/time/time.h"

namespace cmc {

// The deadline to use for work done on behalf of a call: the caller's deadline,
// or now + `default_timeout` when it set none (gRPC reports "none" as the far
// future), never later than now + `max_timeout`.
inline absl::Time EffectiveDeadline(
    std::chrono::system_clock::time_point caller_deadline,
    absl::Duration default_timeout, absl::Duration max_timeout) {
  const absl::Time now = absl::Now();
  const absl::Time latest = now + max_timeout;
  if (caller_deadline == std::chrono::system_clock::time_point::max()) {
    return std::min(now + default_timeout, latest);
  }
  return std::min(absl::FromChrono(caller_deadline), latest);
}

}  // namespace cmc

#endif  // CMC_COMMON_DEADLINE_H_
