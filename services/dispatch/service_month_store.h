// Months whose service days were counted for a community (CloseServiceMonth):
// the first count is kept and answers every later call, and its
// dispatch.ServiceDaysCounted events (one per person) are appended in the
// same transaction, so finance sees each person-month once. Implementations:
// NewMysqlServiceMonthStore and InMemoryServiceMonthStore. Thread-safe.
#ifndef CMC_SERVICES_DISPATCH_SERVICE_MONTH_STORE_H_
#define CMC_SERVICES_DISPATCH_SERVICE_MONTH_STORE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cmc/dispatch/v1/dispatch.pb.h"
#include "common/db/pool.h"

namespace cmc::dispatch {

class ServiceMonthStore {
 public:
  virtual ~ServiceMonthStore() = default;

  // The count of `month` ("YYYY-MM") for `community_id`, if closed.
  virtual absl::StatusOr<std::optional<v1::CloseServiceMonthResponse>> Find(
      const std::string& community_id, const std::string& month,
      absl::Time deadline) = 0;

  // Keeps `count` (newly_closed true) and appends one ServiceDaysCounted
  // event per person by `actor`, unless the month was closed meanwhile: then
  // that first count is returned (newly_closed false) and nothing appended.
  virtual absl::StatusOr<v1::CloseServiceMonthResponse> Close(
      const std::string& community_id, const std::string& month,
      v1::CloseServiceMonthResponse count, const std::string& actor,
      absl::Time deadline) = 0;
};

std::unique_ptr<ServiceMonthStore> NewMysqlServiceMonthStore(db::Pool* pool);

class InMemoryServiceMonthStore final : public ServiceMonthStore {
 public:
  absl::StatusOr<std::optional<v1::CloseServiceMonthResponse>> Find(
      const std::string& community_id, const std::string& month,
      absl::Time deadline) override;
  absl::StatusOr<v1::CloseServiceMonthResponse> Close(
      const std::string& community_id, const std::string& month,
      v1::CloseServiceMonthResponse count, const std::string& actor,
      absl::Time deadline) override;
  // Events appended.
  int events() const {
    absl::MutexLock lock(&mu_);
    return events_;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, v1::CloseServiceMonthResponse>
      closed_ ABSL_GUARDED_BY(mu_);
  int events_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_SERVICE_MONTH_STORE_H_
