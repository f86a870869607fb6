// Touring and stationing subsidies paid from the dispatch service's
// dispatch.ServiceDaysCounted events (payload
// cmc.dispatch.v1.MonthlyServiceDays, one per person and month): the ledger
// entry one event pays, without I/O.
//
//   std::optional<v1::JournalEntry> entry = SubsidyEntry(days, now);
#ifndef CMC_SERVICES_FINANCE_SUBSIDIES_H_
#define CMC_SERVICES_FINANCE_SUBSIDIES_H_

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "cmc/dispatch/v1/dispatch.pb.h"
#include "cmc/finance/v1/finance.pb.h"

namespace cmc::finance {

inline constexpr char kServiceDaysCounted[] = "dispatch.ServiceDaysCounted";

// The entry paying `days.days.subsidy` to the person: external key
// "subsidy:<staff_id>:<YYYY-MM>" (one per person and month, whichever event
// carries it), dated the month's last day, debit (community, SUBSIDY_EXPENSE)
// and credit (community, SUBSIDY_PAYABLE), memo the staff id. nullopt for a
// subsidy of 0, or a payload without community, staff or a valid month.
std::optional<v1::JournalEntry> SubsidyEntry(
    const dispatch::v1::MonthlyServiceDays& days, absl::Time now);

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_SUBSIDIES_H_
