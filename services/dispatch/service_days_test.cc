#include "services/dispatch/service_days.h"

#include <gtest/gtest.h>

#include "common/validators/validators.h"
#include "services/dispatch/policy.h"

namespace cmc::dispatch {
namespace {

absl::CivilDay Day(const char* text) { return *ParseCivilDate(text, "day"); }

TEST(ServiceDaysTest, CreditIsHalfAPointPerFull24DaysCappedAt2) {
  const v1::ServiceDayCredit credit =
      NationalDefaultPolicy().service_day_credit();
  const struct {
    int days;
    int hundredths;
    bool complete;
  } cases[] = {
      {0, 0, false},     {23, 0, false},    {24, 50, false},
      {47, 50, false},   {48, 100, false},  {95, 150, false},
      {96, 200, false},  {120, 200, false},  // the cap
      {239, 200, false}, {240, 200, true},  {366, 200, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CreditHundredths(c.days, credit), c.hundredths) << c.days;
    EXPECT_EQ(AnnualAssignmentComplete(c.days, credit), c.complete) << c.days;
  }
}

TEST(ServiceDaysTest, CountsStationingAndTouringDaysOnceByLevel) {
  v1::DispatchPolicy policy = NationalDefaultPolicy();
  v1::DaySubsidy* village = policy.add_subsidies();
  village->set_destination(v1::LEVEL_VILLAGE);
  village->mutable_per_day()->set_fen(5000);
  v1::DaySubsidy* township = policy.add_subsidies();
  township->set_destination(v1::LEVEL_TOWNSHIP);
  township->mutable_per_day()->set_fen(3000);

  // Stationed at a township center for 24 days across the year's start (only
  // the 2026 days count), one done visit on a stationed day (counted once),
  // two done visits on one other day (one day), one missed and one of
  // somebody else.
  const std::vector<AssignmentFact> assignments = {
      {"asg-1",
       "stf-1",
       "ins-county",
       "ins-town",
       "",
       {Day("2025-12-25"), Day("2026-01-24")}},
  };
  std::vector<VisitFact> visits(5);
  visits[0] = {"vis-1",  "tpl-1", "ins-town",        v1::LEVEL_TOWNSHIP,
               "vil-1",  "",      Day("2026-01-10"), v1::VISIT_STATUS_DONE,
               {"stf-1"}};
  visits[1] = {
      "vis-2",           "tpl-1", "ins-town",        v1::LEVEL_TOWNSHIP,
      "vil-1",           "",      Day("2026-03-10"), v1::VISIT_STATUS_DONE,
      {"stf-1", "stf-2"}};
  visits[2] = {"vis-3",  "tpl-1", "ins-town",        v1::LEVEL_TOWNSHIP,
               "vil-2",  "",      Day("2026-03-10"), v1::VISIT_STATUS_DONE,
               {"stf-1"}};
  visits[3] = {"vis-4",  "tpl-1", "ins-town",        v1::LEVEL_TOWNSHIP,
               "vil-2",  "",      Day("2026-03-11"), v1::VISIT_STATUS_MISSED,
               {"stf-1"}};
  visits[4] = {"vis-5",  "tpl-1", "ins-town",        v1::LEVEL_TOWNSHIP,
               "vil-2",  "",      Day("2026-03-12"), v1::VISIT_STATUS_DONE,
               {"stf-2"}};
  const DaySpan year = {Day("2026-01-01"), Day("2026-12-31")};
  const v1::PersonServiceDays days =
      CountServiceDays(policy, "stf-1", assignments, visits, year,
                       {{"ins-town", v1::LEVEL_TOWNSHIP}});
  EXPECT_EQ(days.total_days(), 25);
  ASSERT_EQ(days.by_destination_size(), 2);
  EXPECT_EQ(days.by_destination(0).destination(), v1::LEVEL_TOWNSHIP);
  EXPECT_EQ(days.by_destination(0).days(), 24);
  EXPECT_EQ(days.by_destination(1).destination(), v1::LEVEL_VILLAGE);
  EXPECT_EQ(days.by_destination(1).days(), 1);
  EXPECT_EQ(days.credit_hundredths(), 50);
  EXPECT_FALSE(days.annual_assignment_complete());
  EXPECT_EQ(days.subsidy().fen(), 24 * 3000 + 5000);
}

TEST(ServiceDaysTest, A240DayStationingCompletesTheYear) {
  const v1::DispatchPolicy policy = NationalDefaultPolicy();
  const std::vector<AssignmentFact> assignments = {
      {"asg-1",
       "stf-1",
       "ins-town",
       "",
       "vil-1",
       {Day("2026-01-01"), Day("2026-01-01") + 239}},
  };
  const DaySpan year = {Day("2026-01-01"), Day("2026-12-31")};
  v1::PersonServiceDays days =
      CountServiceDays(policy, "stf-1", assignments, {}, year, {});
  EXPECT_EQ(days.total_days(), 240);
  EXPECT_TRUE(days.annual_assignment_complete());
  EXPECT_EQ(days.credit_hundredths(), 200);
  // Counted only up to a day that has passed: the caller clips the span.
  days = CountServiceDays(policy, "stf-1", assignments, {},
                          {year.first, Day("2026-01-23")}, {});
  EXPECT_EQ(days.total_days(), 23);
  EXPECT_EQ(days.credit_hundredths(), 0);
}

}  // namespace
}  // namespace cmc::dispatch
