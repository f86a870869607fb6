// ReferralStore on MySQL / MariaDB (schema cmc_referral, see migrations/):
// all of the referral aggregate's SQL. Every write runs in one transaction
// with its outbox event (cmc::outbox::Append); a create claims its request_id
// in the kit's request_claims (common/service/idempotency.h) in that same
// transaction, and a repeat returns the referral as it is stored now. The
// expiry sweep locks the due rows with FOR UPDATE SKIP LOCKED, so that sweeps
// on several replicas skip each other's rows instead of queueing.
//
//   MysqlReferralStore store(&pool, ExpiryPolicy());
//
// Thread-safe.
#ifndef CMC_SERVICES_REFERRAL_MYSQL_REFERRAL_STORE_H_
#define CMC_SERVICES_REFERRAL_MYSQL_REFERRAL_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/db/pool.h"
#include "services/referral/referral_rules.h"
#include "services/referral/referral_store.h"

namespace cmc::referral {

class MysqlReferralStore final : public ReferralStore {
 public:
  // `pool` (schema migrated) must outlive the store; `policy` sets the expiry
  // deadlines of new and transitioned referrals.
  MysqlReferralStore(db::Pool* pool, ExpiryPolicy policy);

  absl::StatusOr<std::optional<v1::Referral>> FindByRequest(
      const RequestClaim& claim, absl::Time deadline) override;
  absl::StatusOr<v1::Referral> Create(const RequestClaim& claim,
                                      v1::Referral referral,
                                      const std::string& principal,
                                      absl::Time deadline) override;
  absl::StatusOr<v1::Referral> Get(const std::string& id,
                                   absl::Time deadline) override;
  absl::StatusOr<v1::Referral> Transition(
      const std::string& id, int64_t expected_version,
      const ActionRequest& request, absl::Time deadline,
      const std::function<absl::Status(const v1::Referral&)>& authorize)
      override;
  absl::StatusOr<ReferralPage> List(const ReferralFilter& filter,
                                    absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::Referral>> ForStats(
      const std::vector<std::string>& institution_ids, absl::Time created_from,
      absl::Time created_before, int limit, absl::Time deadline) override;
  absl::StatusOr<std::vector<ReferralRow>> ReceivedUpReferrals(
      const std::string& institution_id, int64_t before_row, int limit,
      absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::Referral>> DownReferralsSent(
      const std::string& institution_id,
      const std::vector<std::string>& resident_ids,
      absl::Time deadline) override;
  absl::StatusOr<int> ExpireDue(absl::Time now, int limit,
                                absl::Time deadline) override;
  absl::StatusOr<int64_t> LastEventSequence(absl::Time deadline) override;
  absl::Status TailEvents(
      const outbox::TailOptions& options, int64_t after_sequence,
      const grpc::ServerContextBase& context, StopSignal& stop,
      absl::FunctionRef<bool(const common::v1::Event&)> deliver) override;

 private:
  db::Pool* const pool_;
  const ExpiryPolicy policy_;
};

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_MYSQL_REFERRAL_STORE_H_
