// The subsidy payer: what FinanceService's FeedConsumer over the dispatch
// feed applies to each page (see common/service/feed_consumer.h), posting one
// ledger entry per person and month in the page's transaction.
#ifndef CMC_SERVICES_FINANCE_SUBSIDY_CONSUMER_H_
#define CMC_SERVICES_FINANCE_SUBSIDY_CONSUMER_H_

#include "common/service/feed_consumer.h"

namespace cmc::finance {

// Applies dispatch.ServiceDaysCounted events (others are skipped): posts
// SubsidyEntry of each on the page's connection. A repeat of a (person,
// month) with the same amount posts nothing; with another amount the first
// payment stands and the event is logged and skipped (a correction is a
// reversal, not a second payment). An event whose payload cannot be read is
// logged and skipped, so that it cannot stop the feed.
ApplyEvents SubsidyApplier();

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_SUBSIDY_CONSUMER_H_
