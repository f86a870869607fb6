// The referral aggregate's storage: referrals, their transitions and the
// events that announce them. The handlers hold this interface; the MySQL
// implementation is MysqlReferralStore (mysql_referral_store.h), and handler
// tests use an in-memory fake.
//
//   std::unique_ptr<ReferralStore> store =
//       std::make_unique<MysqlReferralStore>(&pool, ExpiryPolicy());
//   CMC_ASSIGN_OR_RETURN(v1::Referral created,
//                        store->Create(claim, referral, actor, deadline));
//   CMC_ASSIGN_OR_RETURN(v1::Referral accepted,
//                        store->Transition(id, version, action, deadline));
//
// Every implementation keeps these promises: every write comes with its event
// (an event exists if and only if its change does); updates are optimistic
// (they carry the version the caller read and succeed only if the referral
// still has it); referrals are stored and returned with the resident ID as
// given (masking is the API's job, MaskedForOutput), while event payloads are
// masked because the event feed is itself an API. Implementations are
// thread-safe.
#ifndef CMC_SERVICES_REFERRAL_REFERRAL_STORE_H_
#define CMC_SERVICES_REFERRAL_REFERRAL_STORE_H_

#include <grpcpp/server_context.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cmc/common/v1/event.pb.h"
#include "cmc/referral/v1/referral.pb.h"
#include "common/outbox/tail.h"
#include "common/service/idempotency.h"
#include "common/stop_signal.h"
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
  virtual ~ReferralStore() = default;

  // The referral created earlier under `claim` (the same caller and
  // request_id), or nullopt when there is none. INVALID_ARGUMENT "request_id"
  // when that referral was created from a request with another digest.
  virtual absl::StatusOr<std::optional<v1::Referral>> FindByRequest(
      const RequestClaim& claim, absl::Time deadline) = 0;

  // Stores a new, validated referral (InitializeReferral fills its id, status,
  // version, times and first transition here) and appends
  // referral.ReferralCreated. A concurrent or earlier create with the same
  // `claim` (caller and request_id) makes this a replay: the stored referral
  // is returned (or INVALID_ARGUMENT "request_id" for another payload).
  // UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED or INTERNAL from the database.
  virtual absl::StatusOr<v1::Referral> Create(const RequestClaim& claim,
                                              v1::Referral referral,
                                              const std::string& principal,
                                              absl::Time deadline) = 0;

  // One referral; NOT_FOUND "id" when unknown.
  virtual absl::StatusOr<v1::Referral> Get(const std::string& id,
                                           absl::Time deadline) = 0;

  // Applies `request` (ApplyAction) to referral `id`, which must still be at
  // `expected_version`, and appends the action's event. `authorize` (when
  // not null) judges the referral as read inside the transaction, before the
  // version check; its error is returned and nothing changes. NOT_FOUND "id";
  // ABORTED "version" when the referral has another version, also when a
  // concurrent transition commits first; the errors of ApplyAction.
  virtual absl::StatusOr<v1::Referral> Transition(
      const std::string& id, int64_t expected_version,
      const ActionRequest& request, absl::Time deadline,
      const std::function<absl::Status(const v1::Referral&)>& authorize) = 0;

  // Referrals matching `filter`, newest first.
  virtual absl::StatusOr<ReferralPage> List(const ReferralFilter& filter,
                                            absl::Time deadline) = 0;

  // The referrals created in [created_from, created_before) that one of
  // `institution_ids` sent or receives, each once, in no particular order.
  // FAILED_PRECONDITION "period" when more than `limit` match.
  virtual absl::StatusOr<std::vector<v1::Referral>> ForStats(
      const std::vector<std::string>& institution_ids, absl::Time created_from,
      absl::Time created_before, int limit, absl::Time deadline) = 0;

  // Up to `limit` UP referrals received by `institution_id` that are
  // IN_PROGRESS or COMPLETED, below row `before_row` (0: from the newest),
  // newest first.
  virtual absl::StatusOr<std::vector<ReferralRow>> ReceivedUpReferrals(
      const std::string& institution_id, int64_t before_row, int limit,
      absl::Time deadline) = 0;

  // The DOWN referrals sent by `institution_id` for any of the patients
  // `resident_ids` (full resident IDs), in any order.
  virtual absl::StatusOr<std::vector<v1::Referral>> DownReferralsSent(
      const std::string& institution_id,
      const std::vector<std::string>& resident_ids, absl::Time deadline) = 0;

  // Expires up to `limit` referrals still REQUESTED or RECEIVED whose
  // expire_time is at or before `now` (status EXPIRED, a transition by actor
  // "system", event referral.ReferralExpired), at once, and returns how many.
  // Sweeps on several replicas share the due referrals: one skips what another
  // is expiring instead of waiting for it. A caller's concurrent transition
  // either happens first (the referral is no longer due) or finds the version
  // changed (ABORTED). UNAVAILABLE, DEADLINE_EXCEEDED or INTERNAL from the
  // database.
  virtual absl::StatusOr<int> ExpireDue(absl::Time now, int limit,
                                        absl::Time deadline) = 0;

  // The sequence number of the newest referral event, 0 when there is none:
  // where a watch that wants only later changes starts.
  virtual absl::StatusOr<int64_t> LastEventSequence(absl::Time deadline) = 0;

  // Hands every referral event after `after_sequence` to `deliver`, in order,
  // as they are stored, until the watch ends, with the endings of
  // outbox::TailOutbox (CANCELLED, the database's error, or UNAVAILABLE
  // naming the sequence to resume after once `stop` is stopped).
  virtual absl::Status TailEvents(
      const outbox::TailOptions& options, int64_t after_sequence,
      const grpc::ServerContextBase& context, StopSignal& stop,
      absl::FunctionRef<bool(const common::v1::Event&)> deliver) = 0;
};

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_REFERRAL_STORE_H_
