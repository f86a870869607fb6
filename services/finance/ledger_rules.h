// Rules of the double-entry ledger, without I/O: what makes a journal entry
// valid (it balances), the mirror of an entry for a reversal, and balances
// accumulated from lines.
//
//   CMC_RETURN_IF_ERROR(CheckJournalEntry(request.entry(), "entry"));
//   std::vector<v1::JournalLine> mirror = ReversalLines(original);
#ifndef CMC_SERVICES_FINANCE_LEDGER_RULES_H_
#define CMC_SERVICES_FINANCE_LEDGER_RULES_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cmc/finance/v1/finance.pb.h"

namespace cmc::finance {

// An account: (owner_id, purpose).
using AccountKey = std::pair<std::string, v1::AccountPurpose>;

// OK when `key` is 1-64 characters of [A-Za-z0-9._:-]; else INVALID_ARGUMENT
// naming `field`.
absl::Status CheckExternalKey(absl::string_view key, absl::string_view field);

// True for the prefixes the service keeps for the entries it posts itself.
bool IsReservedExternalKey(absl::string_view key);

// OK when `entry` (as sent by a client, under `prefix`, e.g. "entry") names a
// community, an external key (not reserved), a date, a description (1-200
// characters) and at least two lines, each with an owner ("com-" or "ins-"
// id), a purpose, a side and a positive amount (memo up to 200), and its debits
// equal its credits. Else INVALID_ARGUMENT naming the first bad field as
// written in finance.proto ("entry.lines[2].amount"; "entry.lines" when the
// entry does not balance, with both totals in the message).
absl::Status CheckJournalEntry(const v1::JournalEntry& entry,
                               absl::string_view prefix);

// OK when the lines balance (sum of debits == sum of credits, each amount
// positive, at least two lines): the invariant every stored entry keeps,
// also the entries the service builds itself. Else INVALID_ARGUMENT "lines".
absl::Status CheckBalanced(
    const google::protobuf::RepeatedPtrField<v1::JournalLine>& lines);

// The lines of `entry` with every side swapped, same owners, purposes and
// amounts: posting them reverses the entry's effect on every balance.
std::vector<v1::JournalLine> ReversalLines(const v1::JournalEntry& entry);

// A line for `amount` fen on (owner, purpose): debit when `debit_when_positive`
// matches the sign, credit otherwise; the amount is always positive. `amount`
// must not be 0.
v1::JournalLine SignedLine(absl::string_view owner_id,
                           v1::AccountPurpose purpose, int64_t amount,
                           bool debit_when_positive, absl::string_view memo);

// True when `a` and `b` record the same thing: community, external key,
// date, description, lines, source and reversed entry (ids, times and who
// posted are not compared).
bool SameEntryContent(const v1::JournalEntry& a, const v1::JournalEntry& b);

// Debit and credit sums of one account.
struct AccountTotals {
  int64_t debits = 0;
  int64_t credits = 0;
  int64_t balance() const { return debits - credits; }
};

// Adds the lines of `entry` to `totals`.
void Accumulate(const v1::JournalEntry& entry,
                std::map<AccountKey, AccountTotals>& totals);

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_LEDGER_RULES_H_
