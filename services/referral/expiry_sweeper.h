// The background sweep that expires referrals nobody answered in time: every
// interval it asks the store to expire due referrals in batches of at most
// `batch` (ReferralStore::ExpireDue), until a batch comes back short. Several
// replicas may sweep at once: the store skips rows another sweep has locked.
//
//   auto sweeper = std::make_shared<ExpirySweeper>(
//       std::make_unique<MysqlReferralStore>(&pool, policy), options);
//   sweeper->Start();
//   server.AddShutdownHook([sweeper] { sweeper->Stop(); });
//
// A failed round is logged and retried at the next interval. Thread-safe.
#ifndef CMC_SERVICES_REFERRAL_EXPIRY_SWEEPER_H_
#define CMC_SERVICES_REFERRAL_EXPIRY_SWEEPER_H_

#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/stop_signal.h"
#include "services/referral/referral_store.h"

namespace cmc::referral {

class ExpirySweeper {
 public:
  struct Options {
    absl::Duration interval = absl::Seconds(30);
    // Referrals expired per transaction: bounds how long the outbox sequence
    // lock is held (outbox.h).
    int batch = 100;
    // How long one batch may take.
    absl::Duration batch_deadline = absl::Seconds(10);
  };

  // Expires the due referrals of `store`.
  ExpirySweeper(std::unique_ptr<ReferralStore> store, Options options);
  ExpirySweeper(const ExpirySweeper&) = delete;
  ExpirySweeper& operator=(const ExpirySweeper&) = delete;
  // Stops the thread if it still runs.
  ~ExpirySweeper();

  // Starts the background thread; the first round runs at once. Call once.
  void Start();
  // Ends the thread (waits for the batch in flight). Idempotent.
  void Stop();

  // One round now, on the caller's thread: batches until one is short.
  // Returns how many referrals it expired; the first database error ends the
  // round.
  absl::StatusOr<int> SweepOnce();

 private:
  void Run();

  const std::unique_ptr<ReferralStore> store_;
  const Options options_;
  StopSignal stop_;
  // Start runs on the wiring thread, Stop on a shutdown hook's or the
  // destructor's.
  absl::Mutex thread_mu_;
  std::thread thread_ ABSL_GUARDED_BY(thread_mu_);
};

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_EXPIRY_SWEEPER_H_
