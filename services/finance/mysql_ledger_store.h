// The ledger's SQL, shared by the stores whose changes post an entry in their
// own transaction (prepayments, settlements).
#ifndef CMC_SERVICES_FINANCE_MYSQL_LEDGER_STORE_H_
#define CMC_SERVICES_FINANCE_MYSQL_LEDGER_STORE_H_

#include <cppconn/connection.h>

#include <string>

#include "absl/status/statusor.h"
#include "cmc/finance/v1/finance.pb.h"

namespace cmc::finance {

// LedgerStore::Post's work on `conn`, which must be inside a transaction.
absl::StatusOr<v1::JournalEntry> PostEntryOn(sql::Connection& conn,
                                             v1::JournalEntry entry,
                                             const std::string& key_field);

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_MYSQL_LEDGER_STORE_H_
