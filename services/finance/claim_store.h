// The store of the insurer's claims and their monthly totals per community,
// location and institution. An ingest batch is one transaction: all its new
// rows or none. MySQL implementation in mysql_claim_store.cc (multi-row
// INSERTs); the in-memory one here serves handler tests.
#ifndef CMC_SERVICES_FINANCE_CLAIM_STORE_H_
#define CMC_SERVICES_FINANCE_CLAIM_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cmc/finance/v1/finance.pb.h"
#include "common/db/pool.h"

namespace cmc::finance {

// A valid row of an ingest batch and its index in the stream.
struct ClaimRow {
  int64_t index = 0;
  v1::Claim claim;  // community_id set; resident_id_masked false
};

struct BatchOutcome {
  int64_t inserted = 0;
  int64_t duplicates = 0;
  std::vector<v1::ClaimConflict> conflicts;  // non-empty: nothing stored
};

// Which claims a list asks for.
struct ClaimFilter {
  std::string community_id;
  std::string first_day, last_day;  // YYYY-MM-DD, both or neither
  std::string institution_id;       // "" = any
  v1::CareLocation location = v1::CARE_LOCATION_UNSPECIFIED;  // any
};

class ClaimStore {
 public:
  virtual ~ClaimStore() = default;

  // Applies `rows` all or nothing. A row whose claim_id is stored (or comes
  // earlier in `rows`) with the same content (ClaimDiff empty, same
  // community) is a duplicate; with other content a conflict naming the
  // fields ("community_id" when it belongs to another community). With any
  // conflict nothing is stored. Otherwise the new rows are stored, added to
  // the monthly totals, and one finance.FundSpendingRecorded per changed
  // (location, institution, month) carries its new totals.
  virtual absl::StatusOr<BatchOutcome> Ingest(const std::string& community_id,
                                              const std::vector<ClaimRow>& rows,
                                              const std::string& actor,
                                              absl::Time deadline) = 0;
  // Sums per (location, institution, month) of the claims of the community
  // with end_date in first_day..last_day, in (location, institution_id,
  // month) order. Whole years read the monthly totals.
  virtual absl::StatusOr<std::vector<v1::SpendBreakdown>> Spending(
      const std::string& community_id, absl::CivilDay first_day,
      absl::CivilDay last_day, absl::Time deadline) = 0;
  // At most `limit` claims matching `filter` with claim_id > `after`, in
  // claim_id order.
  virtual absl::StatusOr<std::vector<v1::Claim>> List(const ClaimFilter& filter,
                                                      const std::string& after,
                                                      int limit,
                                                      absl::Time deadline) = 0;
};

std::unique_ptr<ClaimStore> NewMysqlClaimStore(db::Pool* pool);

class InMemoryClaimStore final : public ClaimStore {
 public:
  absl::StatusOr<BatchOutcome> Ingest(const std::string& community_id,
                                      const std::vector<ClaimRow>& rows,
                                      const std::string& actor,
                                      absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::SpendBreakdown>> Spending(
      const std::string& community_id, absl::CivilDay first_day,
      absl::CivilDay last_day, absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::Claim>> List(const ClaimFilter& filter,
                                              const std::string& after,
                                              int limit,
                                              absl::Time deadline) override;

  // FundSpending payloads it would have announced, in order.
  std::vector<v1::FundSpending> Announced() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, v1::Claim> claims_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::FundSpending> announced_ ABSL_GUARDED_BY(mu_);
};

// Conflicts and duplicates of `rows` against `stored` (claims already kept,
// by claim_id) and against earlier rows; the rows that are new, in order.
// Shared by both implementations.
BatchOutcome ClassifyRows(const std::string& community_id,
                          const std::vector<ClaimRow>& rows,
                          const std::map<std::string, v1::Claim>& stored,
                          std::vector<const ClaimRow*>& fresh);

// The key of a claim's monthly totals: (location, institution_id, month).
using SpendKey = std::tuple<int, std::string, std::string>;
SpendKey SpendKeyOf(const v1::Claim& claim);

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_CLAIM_STORE_H_
