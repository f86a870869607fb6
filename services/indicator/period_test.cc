#include "services/indicator/period.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/time/civil_time.h"

namespace cmc::indicator {
namespace {

struct ParseCase {
  std::string text;
  bool ok;
  PeriodKind kind;
  absl::CivilDay first;
  absl::CivilDay last;
};

TEST(PeriodTest, ParsesEveryFormAndRejectsTheRest) {
  using D = absl::CivilDay;
  const ParseCase cases[] = {
      {"2024", true, PeriodKind::kYear, D(2024, 1, 1), D(2024, 12, 31)},
      {"2024Q1", true, PeriodKind::kQuarter, D(2024, 1, 1), D(2024, 3, 31)},
      {"2024Q4", true, PeriodKind::kQuarter, D(2024, 10, 1), D(2024, 12, 31)},
      {"2024-02", true, PeriodKind::kMonth, D(2024, 2, 1), D(2024, 2, 29)},
      {"2023-02", true, PeriodKind::kMonth, D(2023, 2, 1), D(2023, 2, 28)},
      {"2024-12", true, PeriodKind::kMonth, D(2024, 12, 1), D(2024, 12, 31)},
      {"2024-02-29", true, PeriodKind::kDay, D(2024, 2, 29), D(2024, 2, 29)},
      // ISO weeks: 2026W01 starts on Monday 2025-12-29.
      {"2026W01", true, PeriodKind::kWeek, D(2025, 12, 29), D(2026, 1, 4)},
      {"2024W09", true, PeriodKind::kWeek, D(2024, 2, 26), D(2024, 3, 3)},
      {"2020W53", true, PeriodKind::kWeek, D(2020, 12, 28), D(2021, 1, 3)},
      {"2021W01", true, PeriodKind::kWeek, D(2021, 1, 4), D(2021, 1, 10)},
      {"2021W53", false, {}, {}, {}},
      {"2024W00", false, {}, {}, {}},
      {"2023-02-29", false, {}, {}, {}},
      {"2024-04-31", false, {}, {}, {}},
      {"2024-13", false, {}, {}, {}},
      {"2024-00", false, {}, {}, {}},
      {"2024Q5", false, {}, {}, {}},
      {"2024Q0", false, {}, {}, {}},
      {"2024-3", false, {}, {}, {}},
      {"2024W9", false, {}, {}, {}},
      {"24", false, {}, {}, {}},
      {"", false, {}, {}, {}},
      {"1899", false, {}, {}, {}},
      {"3000", false, {}, {}, {}},
      {"2024-03-05x", false, {}, {}, {}},
      {"2024 ", false, {}, {}, {}},
      {"202a", false, {}, {}, {}},
      {"2024H1", false, {}, {}, {}},
  };
  for (const ParseCase& c : cases) {
    auto p = ParsePeriod(c.text, "periods[3]");
    ASSERT_EQ(p.ok(), c.ok) << c.text << ": " << p.status();
    if (!c.ok) {
      EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(p.status().message().substr(0, 11), "periods[3]:") << c.text;
      continue;
    }
    EXPECT_EQ(p->kind(), c.kind) << c.text;
    EXPECT_EQ(p->first_day(), c.first) << c.text;
    EXPECT_EQ(p->last_day(), c.last) << c.text;
    EXPECT_EQ(p->ToString(), c.text) << "round trip";
  }
}

TEST(PeriodTest, PreviousPeriodOfTheSameLength) {
  const std::pair<std::string, std::string> cases[] = {
      {"2024", "2023"},
      {"2024Q1", "2023Q4"},
      {"2024Q3", "2024Q2"},
      {"2024-01", "2023-12"},
      {"2024-03", "2024-02"},
      {"2024-03-01", "2024-02-29"},
      {"2024-01-01", "2023-12-31"},
      {"2021W01", "2020W53"},
      {"2026W01", "2025W52"},
      {"2024W10", "2024W09"},
  };
  for (const auto& [text, previous] : cases) {
    EXPECT_EQ(ParsePeriod(text)->Previous().ToString(), previous) << text;
  }
}

TEST(PeriodTest, WithinIsContainmentOfDays) {
  struct Case {
    std::string inner, outer;
    bool within;
  };
  const Case cases[] = {
      {"2024-03", "2024", true},        {"2024-03", "2024Q1", true},
      {"2024-04", "2024Q1", false},     {"2024-03", "2024-03", true},
      {"2024-03-05", "2024-03", true},  {"2024-03-05", "2024W10", true},
      {"2024-03-03", "2024W10", false}, {"2024-03", "2024W10", false},
      {"2024", "2024-03", false},       {"2023-12-31", "2024", false},
      {"2025-12-29", "2026W01", true},  {"2025-12-29", "2026", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParsePeriod(c.inner)->Within(*ParsePeriod(c.outer)), c.within)
        << c.inner << " in " << c.outer;
  }
}

TEST(PeriodTest, IsoWeeks) {
  const std::pair<int, int> years[] = {{2015, 53}, {2020, 53}, {2021, 52},
                                       {2024, 52}, {2026, 53}, {2027, 52}};
  for (const auto& [year, weeks] : years) {
    EXPECT_EQ(IsoWeeksInYear(year), weeks) << year;
  }
  EXPECT_EQ(IsoWeekOf(absl::CivilDay(2025, 12, 31)).ToString(), "2026W01");
  EXPECT_EQ(IsoWeekOf(absl::CivilDay(2021, 1, 3)).ToString(), "2020W53");
  EXPECT_EQ(IsoWeekOf(absl::CivilDay(2024, 3, 3)).ToString(), "2024W09");
}

TEST(PeriodTest, OnlyDaysAndMonthsHoldData) {
  const std::pair<std::string, bool> cases[] = {{"2024", false},
                                                {"2024Q1", false},
                                                {"2024W01", false},
                                                {"2024-01", true},
                                                {"2024-01-01", true}};
  for (const auto& [text, data] : cases) {
    EXPECT_EQ(ParsePeriod(text)->IsDataPeriod(), data) << text;
  }
}

}  // namespace
}  // namespace cmc::indicator
