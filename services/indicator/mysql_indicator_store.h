// IndicatorStore over MySQL (schema cmc_indicator, migrations/): all the
// service's SQL, prepared statements only, writes in db::RunInTransaction.
#ifndef CMC_SERVICES_INDICATOR_MYSQL_INDICATOR_STORE_H_
#define CMC_SERVICES_INDICATOR_MYSQL_INDICATOR_STORE_H_

#include <cppconn/connection.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "cmc/common/v1/event.pb.h"
#include "common/db/pool.h"
#include "services/indicator/indicator_store.h"
#include "services/indicator/referral_feed.h"

namespace cmc::indicator {

// A store on `pool`, which must outlive it.
std::unique_ptr<IndicatorStore> NewMysqlIndicatorStore(db::Pool* pool);

// One derivation of the event `sequence` of feed `source`.
struct AppliedDerivation {
  int64_t sequence = 0;
  Derivation derivation;
};

// Adds each derivation to its DERIVED data value (institution unit, month)
// on `conn`, inside the feed consumer's transaction: a contribution row per
// event and element (an event already applied adds nothing), the value's
// amount, and its provenance "events <source> <first>..<last> (<n> events)".
// Throws sql::SQLException as the statements do.
absl::Status ApplyDerivations(sql::Connection& conn, const std::string& source,
                              const std::vector<AppliedDerivation>& items,
                              absl::Time now);

// The referral feed's ApplyEvents body (common/service/feed_consumer.h): the
// derivations of `page` (ReferralDerivation) applied with ApplyDerivations.
absl::Status ApplyReferralEvents(sql::Connection& conn,
                                 const std::vector<common::v1::Event>& page);

}  // namespace cmc::indicator

#endif  // CMC_SERVICES_INDICATOR_MYSQL_INDICATOR_STORE_H_
