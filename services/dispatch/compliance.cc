#include "services/dispatch/compliance.h"

#include <set>
#include <utility>

#include "common/validators/validators.h"
#include "services/dispatch/policy.h"

namespace cmc::dispatch {
namespace {

// A destination of a rule: the id reported, and whether a visit reaches it.
struct Destination {
  std::string id;
  // For LEVEL_VILLAGE: the village (to ask whether it needs touring).
  const VillageFact* village = nullptr;
  std::set<std::string> places;  // village and institution ids that count
  bool whole_community = false;
};

std::vector<Destination> DestinationsOf(v1::Level level,
                                        const ComplianceFacts& facts) {
  std::vector<Destination> out;
  switch (level) {
    case v1::LEVEL_COUNTY:
      out.push_back({facts.community_id, nullptr, {}, true});
      break;
    case v1::LEVEL_TOWNSHIP:
      for (const std::string& center : facts.township_center_ids) {
        Destination d{center, nullptr, {center}, false};
        for (const VillageFact& v : facts.villages) {
          if (v.township_center_id == center) d.places.insert(v.id);
        }
        out.push_back(std::move(d));
      }
      break;
    default:
      for (const VillageFact& v : facts.villages) {
        out.push_back({v.id, &v, {v.id}, false});
      }
  }
  return out;
}

bool Reaches(const VisitFact& visit, const Destination& d) {
  if (d.whole_community) return true;
  return d.places.count(visit.village_id.empty() ? visit.institution_id
                                                 : visit.village_id) > 0;
}

v1::RuleCompliance CheckRule(const v1::TouringRule& rule,
                             const ComplianceFacts& facts,
                             const CoverageModel& model, const DaySpan& span,
                             absl::CivilDay today) {
  v1::RuleCompliance out;
  *out.mutable_rule() = rule;
  if (rule.organiser() == v1::LEVEL_CITY) {
    out.set_evaluated(false);
    out.set_note(
        "city hospitals are not members of the community: their tours are "
        "not recorded by this service");
    return out;
  }
  out.set_evaluated(true);
  std::vector<const VisitFact*> visits;
  for (const VisitFact& v : facts.coverage.visits) {
    // "At least": organisers of a higher level (a smaller Level) count too.
    if (v.organiser_level != v1::LEVEL_UNSPECIFIED &&
        v.organiser_level <= rule.organiser() && VisitCounts(v, today)) {
      visits.push_back(&v);
    }
  }
  const std::vector<FrequencyPeriod> periods =
      PeriodsMeeting(rule.frequency(), span);
  for (const Destination& d : DestinationsOf(rule.destination(), facts)) {
    for (const FrequencyPeriod& period : periods) {
      if (rule.only_villages_without_fixed_doctor() && d.village != nullptr) {
        bool needs = false;
        for (absl::CivilDay day = period.days.first;
             !needs && day <= period.days.last; ++day) {
          needs = !model.HasFixedCoverage(*d.village, day);
        }
        if (!needs) continue;
      }
      out.set_required(out.required() + 1);
      bool met = false;
      for (const VisitFact* v : visits) {
        if (period.days.Contains(v->day) && Reaches(*v, d)) {
          met = true;
          break;
        }
      }
      if (met) {
        out.set_satisfied(out.satisfied() + 1);
        continue;
      }
      v1::RuleFailure* failure = out.add_failures();
      failure->set_destination_id(d.id);
      failure->mutable_period()->set_value(period.label);
    }
  }
  out.set_met(out.failures_size() == 0);
  return out;
}

// True when a physician from a county-tier institution is stationed at
// `center` on `day`.
bool HasStationedPhysician(const ComplianceFacts& facts,
                           const std::string& center, absl::CivilDay day) {
  for (const AssignmentFact& a : facts.coverage.assignments) {
    if (a.institution_id != center || !a.span.Contains(day)) continue;
    auto tier = facts.tiers.find(a.home_institution_id);
    if (tier != facts.tiers.end() && tier->second == common::v1::TIER_COUNTY) {
      return true;
    }
  }
  return false;
}

}  // namespace

v1::ComplianceReport CheckCompliance(const v1::DispatchPolicy& policy,
                                     const ComplianceFacts& facts,
                                     const DaySpan& span,
                                     absl::CivilDay today) {
  const CoverageModel model(facts.coverage, VillageTouringFrequency(policy),
                            today);
  v1::ComplianceReport report;
  bool compliant = true;
  for (const v1::TouringRule& rule : policy.touring_rules()) {
    *report.add_rules() = CheckRule(rule, facts, model, span, today);
    const v1::RuleCompliance& result = report.rules(report.rules_size() - 1);
    compliant = compliant && (!result.evaluated() || result.met());
  }
  if (policy.township_center_needs_stationed_physician()) {
    for (const std::string& center : facts.township_center_ids) {
      v1::StationingGap gap;
      gap.set_township_center_id(center);
      v1::CoverageSpan* run = nullptr;
      for (absl::CivilDay day = span.first; day <= span.last; ++day) {
        if (HasStationedPhysician(facts, center, day)) {
          run = nullptr;
          continue;
        }
        gap.set_days(gap.days() + 1);
        if (run == nullptr) {
          run = gap.add_gaps();
          run->set_kind(v1::COVERAGE_KIND_BLANK);
          run->mutable_first_day()->set_value(FormatCivilDate(day));
        }
        run->mutable_last_day()->set_value(FormatCivilDate(day));
      }
      if (gap.days() > 0) {
        *report.add_township_centers_lacking_stationed_physician() =
            std::move(gap);
        compliant = false;
      }
    }
  }
  report.set_compliant(compliant);
  return report;
}

}  // namespace cmc::dispatch
