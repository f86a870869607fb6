#include "services/institution/history_rules.h"

#include <gtest/gtest.h>

#include <optional>

#include "common/status.h"

namespace cmc::institution {
namespace {

TEST(HistoryRulesTest, NextHistoryStep) {
  const absl::CivilDay today(2026, 3, 10);
  struct Case {
    const char* name;
    std::optional<OpenVersion> open;
    HistoryStep want;
  };
  const Case cases[] = {
      {"registration", std::nullopt, HistoryStep::kOpenFirst},
      {"unchanged, open since earlier",
       OpenVersion{absl::CivilDay(2025, 1, 1), true}, HistoryStep::kKeep},
      {"unchanged, opened today", OpenVersion{today, true}, HistoryStep::kKeep},
      {"changed, open since earlier",
       OpenVersion{absl::CivilDay(2025, 1, 1), false},
       HistoryStep::kCloseAndOpen},
      {"changed, open since yesterday", OpenVersion{today - 1, false},
       HistoryStep::kCloseAndOpen},
      {"changed again today", OpenVersion{today, false},
       HistoryStep::kReplaceOpen},
      {"changed, effective before the open version began",
       OpenVersion{today + 1, false}, HistoryStep::kRefuse},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(NextHistoryStep(c.open, today), c.want);
  }
}

TEST(HistoryRulesTest, ReadsHistoryOnlyBeforeToday) {
  const absl::CivilDay today(2026, 1, 1);
  struct Case {
    absl::CivilDay as_of;
    bool want;
  };
  const Case cases[] = {
      {absl::CivilDay(2025, 12, 31), true},
      {absl::CivilDay(2020, 6, 1), true},
      {today, false},
      {absl::CivilDay(2026, 1, 2), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.as_of);
    EXPECT_EQ(ReadsHistory(c.as_of, today), c.want);
  }
}

TEST(HistoryRulesTest, EffectiveDay) {
  const absl::CivilDay today(2026, 3, 10);
  struct Case {
    const char* name;
    const char* effective_date;  // nullptr: unset
    absl::StatusCode code;
    absl::CivilDay want;
  };
  const Case cases[] = {
      {"unset means today", nullptr, absl::StatusCode::kOk, today},
      {"today", "2026-03-10", absl::StatusCode::kOk, today},
      {"backdated", "2025-12-31", absl::StatusCode::kOk,
       absl::CivilDay(2025, 12, 31)},
      {"tomorrow", "2026-03-11", absl::StatusCode::kInvalidArgument, today},
      {"malformed", "2026-02-30", absl::StatusCode::kInvalidArgument, today},
      {"set but empty", "", absl::StatusCode::kInvalidArgument, today},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    common::v1::CivilDate date;
    if (c.effective_date != nullptr) date.set_value(c.effective_date);
    const absl::StatusOr<absl::CivilDay> day = EffectiveDay(
        c.effective_date != nullptr, date, today, "effective_date");
    EXPECT_EQ(day.status().code(), c.code) << day.status();
    if (day.ok()) {
      EXPECT_EQ(*day, c.want);
    } else {
      EXPECT_EQ(BadField(day.status()), "effective_date");
    }
  }
}

}  // namespace
}  // namespace cmc::institution
