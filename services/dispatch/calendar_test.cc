#include "services/dispatch/calendar.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/validators/validators.h"

namespace cmc::dispatch {
namespace {

absl::CivilDay Day(const char* text) { return *ParseCivilDate(text, "day"); }

TEST(CalendarTest, IsoWeekLabelsAtYearEdges) {
  const struct {
    const char* day;
    const char* week;
    const char* monday;
  } cases[] = {
      {"2025-12-28", "2025W52", "2025-12-22"},  // Sunday
      {"2025-12-29", "2026W01", "2025-12-29"},  // Monday of 2026's week 1
      {"2026-01-01", "2026W01", "2025-12-29"},
      {"2026-01-04", "2026W01", "2025-12-29"},  // Sunday
      {"2026-01-05", "2026W02", "2026-01-05"},
      {"2021-01-03", "2020W53", "2020-12-28"},  // 2020 has 53 weeks
      {"2026-12-31", "2026W53", "2026-12-28"},  // and so does 2026
      {"2027-01-03", "2026W53", "2026-12-28"},
      {"2027-01-04", "2027W01", "2027-01-04"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsoWeekLabel(Day(c.day)), c.week) << c.day;
    EXPECT_EQ(IsoWeekStart(Day(c.day)), Day(c.monday)) << c.day;
  }
  EXPECT_EQ(IsoWeekday(Day("2026-03-02")), 1);
  EXPECT_EQ(IsoWeekday(Day("2026-03-08")), 7);
}

TEST(CalendarTest, PeriodOfEachFrequency) {
  const struct {
    v1::Frequency frequency;
    const char* day;
    const char* label;
    const char* first;
    const char* last;
  } cases[] = {
      {v1::FREQUENCY_WEEKLY, "2026-03-04", "2026W10", "2026-03-02",
       "2026-03-08"},
      {v1::FREQUENCY_MONTHLY, "2026-02-14", "2026-02", "2026-02-01",
       "2026-02-28"},
      {v1::FREQUENCY_MONTHLY, "2024-02-29", "2024-02", "2024-02-01",
       "2024-02-29"},
      {v1::FREQUENCY_QUARTERLY, "2026-05-20", "2026Q2", "2026-04-01",
       "2026-06-30"},
      {v1::FREQUENCY_QUARTERLY, "2026-12-31", "2026Q4", "2026-10-01",
       "2026-12-31"},
  };
  for (const auto& c : cases) {
    const FrequencyPeriod p = PeriodOf(c.frequency, Day(c.day));
    EXPECT_EQ(p.label, c.label) << c.day;
    EXPECT_EQ(p.days.first, Day(c.first)) << c.day;
    EXPECT_EQ(p.days.last, Day(c.last)) << c.day;
  }
}

TEST(CalendarTest, PeriodsMeetingAreClippedToTheSpan) {
  const DaySpan q1 = {Day("2026-01-01"), Day("2026-03-31")};
  const std::vector<FrequencyPeriod> weeks =
      PeriodsMeeting(v1::FREQUENCY_WEEKLY, q1);
  ASSERT_EQ(weeks.size(), 14u);
  EXPECT_EQ(weeks.front().label, "2026W01");
  EXPECT_EQ(weeks.front().days.first, Day("2026-01-01"));
  EXPECT_EQ(weeks.front().days.last, Day("2026-01-04"));
  EXPECT_EQ(weeks.back().label, "2026W14");
  EXPECT_EQ(weeks.back().days.first, Day("2026-03-30"));
  EXPECT_EQ(weeks.back().days.last, Day("2026-03-31"));
  EXPECT_EQ(PeriodsMeeting(v1::FREQUENCY_MONTHLY, q1).size(), 3u);
  EXPECT_EQ(PeriodsMeeting(v1::FREQUENCY_QUARTERLY, q1).size(), 1u);
}

TEST(CalendarTest, SpansIntersectAndCount) {
  const DaySpan a = {Day("2026-01-10"), Day("2026-01-20")};
  const DaySpan b = {Day("2026-01-20"), Day("2026-02-01")};
  EXPECT_TRUE(a.Overlaps(b));
  EXPECT_EQ(a.Intersect(b).Days(), 1);
  EXPECT_EQ(a.Days(), 11);
  const DaySpan c = {Day("2026-01-21"), Day("2026-01-22")};
  EXPECT_FALSE(a.Overlaps(c));
  EXPECT_EQ(a.Intersect(c).Days(), 0);
}

}  // namespace
}  // namespace cmc::dispatch
