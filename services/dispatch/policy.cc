#include "services/dispatch/policy.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace cmc::dispatch {
namespace {

v1::TouringRule Rule(v1::Level organiser, v1::Level destination,
                     v1::Frequency frequency, bool only_without_doctor) {
  v1::TouringRule rule;
  rule.set_organiser(organiser);
  rule.set_destination(destination);
  rule.set_frequency(frequency);
  rule.set_only_villages_without_fixed_doctor(only_without_doctor);
  return rule;
}

// Smaller is more frequent.
int Rank(v1::Frequency frequency) {
  switch (frequency) {
    case v1::FREQUENCY_WEEKLY:
      return 1;
    case v1::FREQUENCY_MONTHLY:
      return 2;
    case v1::FREQUENCY_QUARTERLY:
      return 3;
    default:
      return 9;
  }
}

absl::Status InRange(int value, int low, int high, absl::string_view field) {
  if (value >= low && value <= high) return absl::OkStatus();
  return InvalidField(field, absl::StrCat("must be ", low, "-", high));
}

}  // namespace

v1::DispatchPolicy NationalDefaultPolicy() {
  v1::DispatchPolicy policy;
  policy.set_version(1);
  // City tertiary hospitals -> counties and townships: once a quarter;
  // county hospitals -> townships and villages: once a month; township
  // centers -> villages without a fixed doctor: once a week.
  *policy.add_touring_rules() =
      Rule(v1::LEVEL_CITY, v1::LEVEL_COUNTY, v1::FREQUENCY_QUARTERLY, false);
  *policy.add_touring_rules() =
      Rule(v1::LEVEL_COUNTY, v1::LEVEL_TOWNSHIP, v1::FREQUENCY_MONTHLY, false);
  *policy.add_touring_rules() =
      Rule(v1::LEVEL_TOWNSHIP, v1::LEVEL_VILLAGE, v1::FREQUENCY_WEEKLY, true);
  policy.set_min_stationing_months(6);
  policy.set_township_center_needs_stationed_physician(true);
  v1::ServiceDayCredit* credit = policy.mutable_service_day_credit();
  credit->set_days_per_step(24);
  credit->set_points_per_step_hundredths(50);
  credit->set_cap_hundredths(200);
  credit->set_annual_assignment_days(240);
  // Subsidies are local figures: none until a community sets them.
  policy.set_max_visits_per_team_day(4);
  policy.set_actor("system");
  return policy;
}

absl::Status CheckPolicy(const v1::DispatchPolicy& policy,
                         absl::string_view prefix) {
  std::set<std::pair<int, int>> pairs;
  for (int i = 0; i < policy.touring_rules_size(); ++i) {
    const v1::TouringRule& rule = policy.touring_rules(i);
    const std::string field = absl::StrCat(prefix, ".touring_rules[", i, "]");
    if (rule.frequency() == v1::FREQUENCY_UNSPECIFIED ||
        !v1::Frequency_IsValid(rule.frequency())) {
      return InvalidField(absl::StrCat(field, ".frequency"), "required");
    }
    if (rule.organiser() == v1::LEVEL_UNSPECIFIED ||
        rule.destination() <= rule.organiser() ||
        !v1::Level_IsValid(rule.destination())) {
      return InvalidField(field, "the destination must be below the organiser");
    }
    if (rule.only_villages_without_fixed_doctor() &&
        rule.destination() != v1::LEVEL_VILLAGE) {
      return InvalidField(field,
                          "only_villages_without_fixed_doctor needs "
                          "destination LEVEL_VILLAGE");
    }
    if (!pairs.insert({rule.organiser(), rule.destination()}).second) {
      return InvalidField(field, "organiser and destination listed twice");
    }
  }
  CMC_RETURN_IF_ERROR(InRange(policy.min_stationing_months(), 1, 36,
                              absl::StrCat(prefix, ".min_stationing_months")));
  const v1::ServiceDayCredit& credit = policy.service_day_credit();
  const std::string c = absl::StrCat(prefix, ".service_day_credit");
  CMC_RETURN_IF_ERROR(InRange(credit.days_per_step(), 1, 366,
                              absl::StrCat(c, ".days_per_step")));
  CMC_RETURN_IF_ERROR(InRange(credit.points_per_step_hundredths(), 1, 1000,
                              absl::StrCat(c, ".points_per_step_hundredths")));
  CMC_RETURN_IF_ERROR(InRange(credit.cap_hundredths(), 0, 10000,
                              absl::StrCat(c, ".cap_hundredths")));
  CMC_RETURN_IF_ERROR(InRange(credit.annual_assignment_days(), 1, 366,
                              absl::StrCat(c, ".annual_assignment_days")));
  std::set<int> levels;
  for (int i = 0; i < policy.subsidies_size(); ++i) {
    const v1::DaySubsidy& subsidy = policy.subsidies(i);
    const std::string field = absl::StrCat(prefix, ".subsidies[", i, "]");
    if (subsidy.destination() == v1::LEVEL_UNSPECIFIED ||
        !v1::Level_IsValid(subsidy.destination()) ||
        !levels.insert(subsidy.destination()).second) {
      return InvalidField(field, "a destination level, each once");
    }
    if (subsidy.per_day().fen() < 0) {
      return InvalidField(field, "the amount must not be negative");
    }
  }
  return InRange(policy.max_visits_per_team_day(), 1, 20,
                 absl::StrCat(prefix, ".max_visits_per_team_day"));
}

v1::Frequency VillageTouringFrequency(const v1::DispatchPolicy& policy) {
  v1::Frequency best = v1::FREQUENCY_UNSPECIFIED;
  for (const v1::TouringRule& rule : policy.touring_rules()) {
    if (rule.destination() != v1::LEVEL_VILLAGE) continue;
    if (best == v1::FREQUENCY_UNSPECIFIED ||
        Rank(rule.frequency()) < Rank(best)) {
      best = rule.frequency();
    }
  }
  return best == v1::FREQUENCY_UNSPECIFIED ? v1::FREQUENCY_WEEKLY : best;
}

absl::CivilDay MinimumStayLastDay(absl::CivilDay start, int months) {
  const absl::CivilMonth target = absl::CivilMonth(start) + months;
  // The same day of the month, or the month's last day when it is shorter.
  const absl::CivilDay month_last = absl::CivilDay(target + 1) - 1;
  const absl::CivilDay same(target.year(), target.month(), start.day());
  const absl::CivilDay anniversary =
      same.month() == target.month() ? same : month_last + 1;
  return anniversary - 1;
}

bool IsShortStay(const DaySpan& stay, int months) {
  return stay.last < MinimumStayLastDay(stay.first, months);
}

v1::Level LevelOf(common::v1::Tier tier) {
  switch (tier) {
    case common::v1::TIER_COUNTY:
      return v1::LEVEL_COUNTY;
    case common::v1::TIER_TOWNSHIP:
      return v1::LEVEL_TOWNSHIP;
    case common::v1::TIER_VILLAGE:
      return v1::LEVEL_VILLAGE;
    default:
      return v1::LEVEL_UNSPECIFIED;
  }
}

}  // namespace cmc::dispatch
