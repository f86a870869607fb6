// All SQL of the referral service (schema cmc_referral, see
// migrations/0001_init.sql). Every write runs in one transaction with its
// outbox event (cmc::outbox::Append), so an event exists if and only if its
// change does. Updates are optimistic: they carry the version the caller read
// and succeed only if the row still has it.
//
//   ReferralStore store(&pool, ExpiryPolicy());
//   CMC_ASSIGN_OR_RETURN(v1::Referral created,
//                        store.Create(request_id, digest, referral, actor,
//                                     deadline));
//   CMC_ASSIGN_OR_RETURN(v1::Referral accepted,
//                        store.Transition(id, version, action, deadline));
//
// Referrals are stored and returned with the resident ID as given; masking is
// the API's job (MaskedForOutput), except in event payloads, which the store
// writes masked because the event feed is itself an API. Thread-safe.
#ifndef CMC_SERVICES_REFERRAL_REFERRAL_STORE_H_
#define CMC_SERVICES_REFERRAL_REFERRAL_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cmc/referral/v1/referral.pb.h"
#include "common/db/pool.h"
#include "services/referral/referral_rules.h"

namespace cmc::referral {

// What a restricted caller may see (OrgScope::CanSee as SQL): referrals sent
// or received by one of `institutions`, and unclaimed referrals open to one
// of `open_tiers`.
struct ReferralVisibility {
  std::vector<std::string> institutions;
  std::set<common::v1::Tier> open_tiers;
};

// Filters of ListReferrals, already validated. Zero / empty means "any".
struct ReferralFilter {
  enum class Scope { kAll, kOutgoing, kIncoming, kOpenToTier };
  Scope scope = Scope::kAll;
  std::string institution_id;  // kOutgoing, kIncoming
  int tier = 0;                // kOpenToTier
  int status = 0;
  int direction = 0;
  int type = 0;
  std::string patient_resident_id;
  // Created in [created_from, created_before).
  std::optional<absl::Time> created_from;
  std::optional<absl::Time> created_before;
  // Only rows older than this row number (the page token's position); 0 for
  // the first page.
  int64_t before_row = 0;
  int limit = 50;
  // The caller's org scope when it is restricted and the filter does not
  // already confine the rows to it (a covered kOutgoing / kIncoming
  // institution does); nullopt for no restriction.
  std::optional<ReferralVisibility> visible;
};

// A referral with its row number (the position paging continues from).
struct ReferralRow {
  int64_t row_no = 0;
  v1::Referral referral;
};

// One page of referrals, newest first.
struct ReferralPage {
  std::vector<v1::Referral> referrals;
  // The row number of the last referral returned, for the next page token.
  int64_t last_row = 0;
  // True when more rows match after this page.
  bool more = false;
};

class ReferralStore {
 public:
  // `pool` (schema migrated) must outlive the store.
  ReferralStore(db::Pool* pool, ExpiryPolicy policy);

  // The referral created earlier with `request_id`, or nullopt when there is
  // none. INVALID_ARGUMENT "request_id" when that referral was created from a
  // request with another digest.
  absl::StatusOr<std::optional<v1::Referral>> FindByRequest(
      const std::string& request_id, const std::string& request_sha256,
      absl::Time deadline);

  // Stores a new, validated referral (InitializeReferral fills its id, status,
  // version, times and first transition here) and appends
  // referral.ReferralCreated. A concurrent or earlier create with the same
  // `request_id` makes this a replay: the stored referral is returned (or
  // INVALID_ARGUMENT "request_id" for another payload). UNAVAILABLE, ABORTED,
  // DEADLINE_EXCEEDED or INTERNAL from the database.
  absl::StatusOr<v1::Referral> Create(const std::string& request_id,
                                      const std::string& request_sha256,
                                      v1::Referral referral,
                                      const std::string& principal,
                                      absl::Time deadline);

  // One referral; NOT_FOUND "id" when unknown.
  absl::StatusOr<v1::Referral> Get(const std::string& id, absl::Time deadline);

  // Applies `request` (ApplyAction) to referral `id`, which must still be at
  // `expected_version`, and appends the action's event. `authorize` (when
  // given) judges the referral as read inside the transaction, before the
  // version check; its error is returned and nothing changes. NOT_FOUND "id";
  // ABORTED "version" when the referral has another version, also when a
  // concurrent transition commits first; the errors of ApplyAction.
  absl::StatusOr<v1::Referral> Transition(
      const std::string& id, int64_t expected_version,
      const ActionRequest& request, absl::Time deadline,
      const std::function<absl::Status(const v1::Referral&)>& authorize =
          nullptr);

  // Referrals matching `filter`, newest first.
  absl::StatusOr<ReferralPage> List(const ReferralFilter& filter,
                                    absl::Time deadline);

  // The referrals created in [created_from, created_before) that one of
  // `institution_ids` sent or receives, each once, in no particular order.
  // FAILED_PRECONDITION "period" when more than `limit` match.
  absl::StatusOr<std::vector<v1::Referral>> ForStats(
      const std::vector<std::string>& institution_ids, absl::Time created_from,
      absl::Time created_before, int limit, absl::Time deadline);

  // Up to `limit` UP referrals received by `institution_id` that are
  // IN_PROGRESS or COMPLETED, below row `before_row` (0: from the newest),
  // newest first.
  absl::StatusOr<std::vector<ReferralRow>> ReceivedUpReferrals(
      const std::string& institution_id, int64_t before_row, int limit,
      absl::Time deadline);

  // The DOWN referrals sent by `institution_id` for any of the patients
  // `resident_ids` (full resident IDs), in any order.
  absl::StatusOr<std::vector<v1::Referral>> DownReferralsSent(
      const std::string& institution_id,
      const std::vector<std::string>& resident_ids, absl::Time deadline);

  // Expires up to `limit` referrals still REQUESTED or RECEIVED whose
  // expire_time is at or before `now` (status EXPIRED, a transition by actor
  // "system", event referral.ReferralExpired), in one transaction, and returns
  // how many. The rows are locked with FOR UPDATE SKIP LOCKED, so sweeps on
  // several replicas share the due referrals instead of queueing behind each
  // other; a caller's concurrent transition either commits first (the row is
  // skipped now and no longer due) or finds the version changed (ABORTED).
  // UNAVAILABLE, DEADLINE_EXCEEDED or INTERNAL from the database.
  absl::StatusOr<int> ExpireDue(absl::Time now, int limit, absl::Time deadline);

 private:
  db::Pool* pool_;
  const ExpiryPolicy policy_;
};

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_REFERRAL_STORE_H_
