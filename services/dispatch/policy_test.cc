#include "services/dispatch/policy.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::dispatch {
namespace {

absl::CivilDay Day(const char* text) { return *ParseCivilDate(text, "day"); }

TEST(PolicyTest, NationalDefaultsAreTheGuidancesFigures) {
  const v1::DispatchPolicy p = NationalDefaultPolicy();
  EXPECT_EQ(p.community_id(), "");
  EXPECT_EQ(p.version(), 1);
  ASSERT_EQ(p.touring_rules_size(), 3);
  EXPECT_EQ(p.touring_rules(0).organiser(), v1::LEVEL_CITY);
  EXPECT_EQ(p.touring_rules(0).frequency(), v1::FREQUENCY_QUARTERLY);
  EXPECT_EQ(p.touring_rules(1).organiser(), v1::LEVEL_COUNTY);
  EXPECT_EQ(p.touring_rules(1).frequency(), v1::FREQUENCY_MONTHLY);
  EXPECT_EQ(p.touring_rules(2).organiser(), v1::LEVEL_TOWNSHIP);
  EXPECT_EQ(p.touring_rules(2).destination(), v1::LEVEL_VILLAGE);
  EXPECT_EQ(p.touring_rules(2).frequency(), v1::FREQUENCY_WEEKLY);
  EXPECT_TRUE(p.touring_rules(2).only_villages_without_fixed_doctor());
  EXPECT_EQ(p.min_stationing_months(), 6);
  EXPECT_TRUE(p.township_center_needs_stationed_physician());
  EXPECT_EQ(p.service_day_credit().days_per_step(), 24);
  EXPECT_EQ(p.service_day_credit().points_per_step_hundredths(), 50);
  EXPECT_EQ(p.service_day_credit().cap_hundredths(), 200);
  EXPECT_EQ(p.service_day_credit().annual_assignment_days(), 240);
  EXPECT_EQ(p.max_visits_per_team_day(), 4);
  EXPECT_TRUE(CheckPolicy(p, "policy").ok());
  EXPECT_EQ(VillageTouringFrequency(p), v1::FREQUENCY_WEEKLY);
}

TEST(PolicyTest, CheckPolicyNamesTheBadField) {
  const struct {
    const char* field;
    std::function<void(v1::DispatchPolicy&)> change;
  } cases[] = {
      {"policy.touring_rules[0].frequency",
       [](v1::DispatchPolicy& p) {
         p.mutable_touring_rules(0)->set_frequency(v1::FREQUENCY_UNSPECIFIED);
       }},
      {"policy.touring_rules[1]",
       [](v1::DispatchPolicy& p) {
         p.mutable_touring_rules(1)->set_destination(v1::LEVEL_COUNTY);
       }},
      {"policy.touring_rules[3]",
       [](v1::DispatchPolicy& p) {
         *p.add_touring_rules() = p.touring_rules(2);
       }},
      {"policy.touring_rules[0]",
       [](v1::DispatchPolicy& p) {
         p.mutable_touring_rules(0)->set_only_villages_without_fixed_doctor(
             true);
       }},
      {"policy.min_stationing_months",
       [](v1::DispatchPolicy& p) { p.set_min_stationing_months(0); }},
      {"policy.min_stationing_months",
       [](v1::DispatchPolicy& p) { p.set_min_stationing_months(37); }},
      {"policy.service_day_credit.days_per_step",
       [](v1::DispatchPolicy& p) {
         p.mutable_service_day_credit()->set_days_per_step(0);
       }},
      {"policy.service_day_credit.points_per_step_hundredths",
       [](v1::DispatchPolicy& p) {
         p.mutable_service_day_credit()->set_points_per_step_hundredths(0);
       }},
      {"policy.service_day_credit.cap_hundredths",
       [](v1::DispatchPolicy& p) {
         p.mutable_service_day_credit()->set_cap_hundredths(-1);
       }},
      {"policy.service_day_credit.annual_assignment_days",
       [](v1::DispatchPolicy& p) {
         p.mutable_service_day_credit()->set_annual_assignment_days(367);
       }},
      {"policy.subsidies[1]",
       [](v1::DispatchPolicy& p) {
         p.add_subsidies()->set_destination(v1::LEVEL_VILLAGE);
         p.add_subsidies()->set_destination(v1::LEVEL_VILLAGE);
       }},
      {"policy.subsidies[0]",
       [](v1::DispatchPolicy& p) {
         v1::DaySubsidy* s = p.add_subsidies();
         s->set_destination(v1::LEVEL_VILLAGE);
         s->mutable_per_day()->set_fen(-1);
       }},
      {"policy.max_visits_per_team_day",
       [](v1::DispatchPolicy& p) { p.set_max_visits_per_team_day(21); }},
  };
  for (const auto& c : cases) {
    v1::DispatchPolicy p = NationalDefaultPolicy();
    c.change(p);
    const absl::Status status = CheckPolicy(p, "policy");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_EQ(BadField(status), c.field);
  }
}

TEST(PolicyTest, MinimumStayEndsTheDayBeforeTheSameDayMonthsLater) {
  const struct {
    const char* start;
    int months;
    const char* last;
  } cases[] = {
      {"2026-01-15", 6, "2026-07-14"}, {"2026-01-01", 6, "2026-06-30"},
      {"2026-01-31", 1, "2026-02-28"},  // no February 31st
      {"2024-01-31", 1, "2024-02-29"},  // leap year
      {"2026-08-31", 6, "2027-02-28"}, {"2026-12-01", 1, "2026-12-31"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MinimumStayLastDay(Day(c.start), c.months), Day(c.last))
        << c.start << " + " << c.months;
  }
  // Ending on the minimum's last day is not short; a day earlier is.
  EXPECT_FALSE(IsShortStay({Day("2026-01-15"), Day("2026-07-14")}, 6));
  EXPECT_TRUE(IsShortStay({Day("2026-01-15"), Day("2026-07-13")}, 6));
}

TEST(PolicyTest, VillageFrequencyIsTheMostFrequentVillageRule) {
  v1::DispatchPolicy p = NationalDefaultPolicy();
  p.mutable_touring_rules(2)->set_frequency(v1::FREQUENCY_MONTHLY);
  EXPECT_EQ(VillageTouringFrequency(p), v1::FREQUENCY_MONTHLY);
  p.clear_touring_rules();
  EXPECT_EQ(VillageTouringFrequency(p), v1::FREQUENCY_WEEKLY);
  EXPECT_EQ(LevelOf(common::v1::TIER_TOWNSHIP), v1::LEVEL_TOWNSHIP);
}

}  // namespace
}  // namespace cmc::dispatch
