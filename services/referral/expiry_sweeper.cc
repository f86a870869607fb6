#include "services/referral/expiry_sweeper.h"

#include "common/log.h"

namespace cmc::referral {

ExpirySweeper::ExpirySweeper(db::Pool* pool, ExpiryPolicy policy,
                             Options options)
    : store_(pool, policy), options_(options) {}

ExpirySweeper::~ExpirySweeper() { Stop(); }

void ExpirySweeper::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ExpirySweeper::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int> ExpirySweeper::SweepOnce() {
  int total = 0;
  while (true) {
    const absl::Time now = absl::Now();
    absl::StatusOr<int> expired =
        store_.ExpireDue(now, options_.batch, now + options_.batch_deadline);
    if (!expired.ok()) return expired.status();
    total += *expired;
    if (*expired < options_.batch) return total;
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return total;
  }
}

void ExpirySweeper::Run() {
  do {
    absl::StatusOr<int> expired = SweepOnce();
    if (!expired.ok()) {
      Log(LogLevel::kWarning, "expiry_sweep_failed")
          .Field("message", expired.status().ToString());
    } else if (*expired > 0) {
      Log(LogLevel::kInfo, "referrals_expired").Field("count", *expired);
    }
  } while (!WaitOrStopped());
}

bool ExpirySweeper::WaitOrStopped() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.interval),
               [this] { return stopped_; });
  return stopped_;
}

}  // namespace cmc::referral
