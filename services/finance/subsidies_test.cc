#include "services/finance/subsidies.h"

#include <string>

#include "gtest/gtest.h"
#include "services/finance/ledger_rules.h"

namespace cmc::finance {
namespace {

dispatch::v1::MonthlyServiceDays Days(int64_t subsidy) {
  dispatch::v1::MonthlyServiceDays days;
  days.set_community_id("com-1");
  days.mutable_month()->set_value("2026-02");
  days.mutable_days()->set_staff_id("stf-7");
  days.mutable_days()->set_total_days(12);
  days.mutable_days()->mutable_subsidy()->set_fen(subsidy);
  return days;
}

TEST(SubsidyEntry, OneBalancedEntryPerPersonAndMonth) {
  std::optional<v1::JournalEntry> entry =
      SubsidyEntry(Days(60'000), absl::UnixEpoch());
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->external_key(), "subsidy:stf-7:2026-02");
  EXPECT_EQ(entry->entry_date().value(), "2026-02-28");
  EXPECT_EQ(entry->source(), v1::ENTRY_SOURCE_SUBSIDY);
  ASSERT_EQ(entry->lines_size(), 2);
  EXPECT_EQ(entry->lines(0).purpose(), v1::ACCOUNT_PURPOSE_SUBSIDY_EXPENSE);
  EXPECT_EQ(entry->lines(0).side(), v1::SIDE_DEBIT);
  EXPECT_EQ(entry->lines(1).purpose(), v1::ACCOUNT_PURPOSE_SUBSIDY_PAYABLE);
  EXPECT_EQ(entry->lines(1).amount().fen(), 60'000);
  EXPECT_TRUE(CheckBalanced(entry->lines()).ok());
  // The same event later gives the same content.
  EXPECT_TRUE(SameEntryContent(
      *entry, *SubsidyEntry(Days(60'000), absl::UnixEpoch() + absl::Hours(5))));
}

TEST(SubsidyEntry, NothingToPay) {
  struct Case {
    std::string name;
    dispatch::v1::MonthlyServiceDays days;
  } cases[] = {
      {"zero", Days(0)},
      {"no staff",
       [] {
         auto d = Days(5);
         d.mutable_days()->clear_staff_id();
         return d;
       }()},
      {"bad month",
       [] {
         auto d = Days(5);
         d.mutable_month()->set_value("2026");
         return d;
       }()},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(SubsidyEntry(c.days, absl::UnixEpoch()).has_value()) << c.name;
  }
}

}  // namespace
}  // namespace cmc::finance
