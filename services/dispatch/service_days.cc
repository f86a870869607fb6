#include "services/dispatch/service_days.h"

#include <algorithm>

namespace cmc::dispatch {
namespace {

v1::Level LevelOfPlace(const std::string& institution_id,
                       const std::string& village_id,
                       const std::map<std::string, v1::Level>& levels) {
  if (!village_id.empty()) return v1::LEVEL_VILLAGE;
  auto it = levels.find(institution_id);
  return it == levels.end() ? v1::LEVEL_TOWNSHIP : it->second;
}

int64_t SubsidyPerDay(const v1::DispatchPolicy& policy, v1::Level level) {
  for (const v1::DaySubsidy& s : policy.subsidies()) {
    if (s.destination() == level) return s.per_day().fen();
  }
  return 0;
}

}  // namespace

int CreditHundredths(int days, const v1::ServiceDayCredit& credit) {
  if (credit.days_per_step() <= 0 || days <= 0) return 0;
  const int steps = days / credit.days_per_step();
  return std::min(steps * credit.points_per_step_hundredths(),
                  credit.cap_hundredths());
}

bool AnnualAssignmentComplete(int days, const v1::ServiceDayCredit& credit) {
  return credit.annual_assignment_days() > 0 &&
         days >= credit.annual_assignment_days();
}

v1::PersonServiceDays CountServiceDays(
    const v1::DispatchPolicy& policy, const std::string& staff_id,
    const std::vector<AssignmentFact>& assignments,
    const std::vector<VisitFact>& visits, const DaySpan& span,
    const std::map<std::string, v1::Level>& institution_levels) {
  // The level of each day on site; stationing first, then visits (a lower
  // level, i.e. a larger Level value, wins among visits).
  std::map<absl::CivilDay, v1::Level> stationed;
  for (const AssignmentFact& a : assignments) {
    if (a.staff_id != staff_id) continue;
    const DaySpan days = a.span.Intersect(span);
    const v1::Level level =
        LevelOfPlace(a.institution_id, a.village_id, institution_levels);
    for (absl::CivilDay d = days.first; d <= days.last; ++d) {
      stationed.emplace(d, level);
    }
  }
  std::map<absl::CivilDay, v1::Level> touring;
  for (const VisitFact& v : visits) {
    if (v.status != v1::VISIT_STATUS_DONE || !span.Contains(v.day) ||
        std::find(v.staff_ids.begin(), v.staff_ids.end(), staff_id) ==
            v.staff_ids.end() ||
        stationed.count(v.day)) {
      continue;
    }
    const v1::Level level =
        LevelOfPlace(v.institution_id, v.village_id, institution_levels);
    v1::Level& slot = touring[v.day];
    slot = std::max(slot, level);
  }
  std::map<v1::Level, int> by_level;
  for (const auto& [day, level] : stationed) ++by_level[level];
  for (const auto& [day, level] : touring) ++by_level[level];

  v1::PersonServiceDays out;
  out.set_staff_id(staff_id);
  int total = 0;
  int64_t subsidy = 0;
  for (const auto& [level, days] : by_level) {
    v1::DaysAtLevel* at = out.add_by_destination();
    at->set_destination(level);
    at->set_days(days);
    at->mutable_subsidy()->set_fen(days * SubsidyPerDay(policy, level));
    total += days;
    subsidy += at->subsidy().fen();
  }
  out.set_total_days(total);
  out.set_credit_hundredths(
      CreditHundredths(total, policy.service_day_credit()));
  out.set_annual_assignment_complete(
      AnnualAssignmentComplete(total, policy.service_day_credit()));
  out.mutable_subsidy()->set_fen(subsidy);
  return out;
}

}  // namespace cmc::dispatch
