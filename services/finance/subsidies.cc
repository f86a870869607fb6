#include "services/finance/subsidies.h"

#include "absl/strings/str_cat.h"
#include "common/service/county_time.h"
#include "common/validators/validators.h"
#include "services/finance/ledger_rules.h"

namespace cmc::finance {

std::optional<v1::JournalEntry> SubsidyEntry(
    const dispatch::v1::MonthlyServiceDays& days, absl::Time now) {
  const std::string& community = days.community_id();
  const std::string& staff = days.days().staff_id();
  const std::string& month = days.month().value();
  const int64_t amount = days.days().subsidy().fen();
  if (amount <= 0 || community.empty() || staff.empty()) return std::nullopt;
  if (month.size() != 7 || month[4] != '-') return std::nullopt;
  absl::StatusOr<PeriodRange> range = ParsePeriod(month, "month");
  if (!range.ok()) return std::nullopt;
  v1::JournalEntry entry;
  entry.set_id(absl::StrCat("jnl-", month, "-", staff));
  entry.set_community_id(community);
  entry.set_external_key(absl::StrCat("subsidy:", staff, ":", month));
  entry.mutable_entry_date()->set_value(FormatCivilDate(range->last));
  entry.set_description(absl::StrCat("touring and stationing subsidy ", month,
                                     ", ", days.days().total_days(),
                                     " service days"));
  *entry.add_lines() = SignedLine(
      community, v1::ACCOUNT_PURPOSE_SUBSIDY_EXPENSE, amount, true, staff);
  *entry.add_lines() = SignedLine(
      community, v1::ACCOUNT_PURPOSE_SUBSIDY_PAYABLE, amount, false, staff);
  entry.set_source(v1::ENTRY_SOURCE_SUBSIDY);
  ToProtoTime(now, entry.mutable_posted_at());
  return entry;
}

}  // namespace cmc::finance
