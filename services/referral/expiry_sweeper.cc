#include "services/referral/expiry_sweeper.h"

#include <utility>

#include "common/log.h"

namespace cmc::referral {

ExpirySweeper::ExpirySweeper(std::unique_ptr<ReferralStore> store,
                             Options options)
    : store_(std::move(store)), options_(options) {}

ExpirySweeper::~ExpirySweeper() { Stop(); }

void ExpirySweeper::Start() {
  absl::MutexLock lock(&thread_mu_);
  thread_ = std::thread([this] { Run(); });
}

void ExpirySweeper::Stop() {
  stop_.Stop();
  // Run never takes thread_mu_, so joining under it cannot deadlock.
  absl::MutexLock lock(&thread_mu_);
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int> ExpirySweeper::SweepOnce() {
  int total = 0;
  while (true) {
    const absl::Time now = absl::Now();
    absl::StatusOr<int> expired =
        store_->ExpireDue(now, options_.batch, now + options_.batch_deadline);
    if (!expired.ok()) return expired.status();
    total += *expired;
    if (*expired < options_.batch || stop_.stopped()) return total;
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
  } while (!stop_.WaitFor(options_.interval));
}

}  // namespace cmc::referral
