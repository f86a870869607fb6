// How many watch streams one subject may hold open at a time in one process.
// A watch holds a thread and a slot of the shared outbox tail for as long as
// it runs; without a bound, one client (or one token) opening streams in a
// loop would take the process's threads from everyone else.
//
//   CMC_ASSIGN_OR_RETURN(StreamQuota::Lease lease,
//                        quota_.Acquire(call.principal().subject));
//   ... serve the stream; the lease is returned when it goes out of scope ...
//
// Thread-safe.
#ifndef CMC_COMMON_SERVICE_STREAM_QUOTA_H_
#define CMC_COMMON_SERVICE_STREAM_QUOTA_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace cmc {

class StreamQuota {
 public:
  // At most `per_subject` (>= 1) open streams per subject.
  explicit StreamQuota(int per_subject) : per_subject_(per_subject) {}
  StreamQuota(const StreamQuota&) = delete;
  StreamQuota& operator=(const StreamQuota&) = delete;

  // One open stream; returned to the quota when destroyed. Movable.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

   private:
    friend class StreamQuota;
    Lease(StreamQuota* quota, std::string subject)
        : quota_(quota), subject_(std::move(subject)) {}
    StreamQuota* quota_;
    std::string subject_;
  };

  // A lease for `subject` ("" for an anonymous caller counts as one subject),
  // or RESOURCE_EXHAUSTED "the caller already holds N open watch streams".
  absl::StatusOr<Lease> Acquire(const std::string& subject);

  int per_subject() const { return per_subject_; }
  // Open streams of `subject` (for tests).
  int open(const std::string& subject) const;

 private:
  void Release(const std::string& subject);

  const int per_subject_;
  mutable absl::Mutex mu_;
  std::map<std::string, int> open_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cmc

#endif  // CMC_COMMON_SERVICE_STREAM_QUOTA_H_
