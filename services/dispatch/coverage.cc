#include "services/dispatch/coverage.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/validators/validators.h"

namespace cmc::dispatch {

namespace inst = institution::v1;

bool IsVillageDoctorQualification(inst::Qualification q) {
  return q == inst::QUALIFICATION_VILLAGE_DOCTOR || IsPhysicianQualification(q);
}

bool IsPhysicianQualification(inst::Qualification q) {
  return q == inst::QUALIFICATION_PRACTISING_PHYSICIAN ||
         q == inst::QUALIFICATION_ASSISTANT_PHYSICIAN;
}

CoverageModel::CoverageModel(CoverageFacts facts,
                             v1::Frequency touring_frequency,
                             absl::CivilDay today)
    : facts_(std::move(facts)), frequency_(touring_frequency), today_(today) {
  for (const StaffFact& s : facts_.staff) {
    staff_[s.id] = &s;
    candidates_[s.employer_id].push_back(&s);
  }
  for (const PostingFact& p : facts_.postings) {
    postings_of_[p.staff_id].push_back(&p);
    auto it = staff_.find(p.staff_id);
    if (it != staff_.end())
      candidates_[p.to_institution_id].push_back(it->second);
  }
  for (const AssignmentFact& a : facts_.assignments) {
    assignments_of_[a.staff_id].push_back(&a);
    if (!a.village_id.empty()) stationed_in_[a.village_id].push_back(&a);
    auto it = staff_.find(a.staff_id);
    if (!a.institution_id.empty() && it != staff_.end()) {
      candidates_[a.institution_id].push_back(it->second);
    }
  }
  for (const ExtensionFact& e : facts_.extensions) {
    extensions_to_[e.village_id].push_back(&e);
  }
  for (const SettlementFact& s : facts_.settlements) {
    settlements_[s.village_id].push_back(&s);
  }
  for (const VisitFact& v : facts_.visits) {
    if (!v.village_id.empty()) visits_to_[v.village_id].push_back(&v);
  }
  // Deterministic answers: the lowest id wins where several cover.
  const auto by_id = [](const auto* a, const auto* b) { return a->id < b->id; };
  for (auto& [id, list] : candidates_) {
    std::sort(list.begin(), list.end(), by_id);
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  for (auto& [id, list] : stationed_in_)
    std::sort(list.begin(), list.end(), by_id);
  for (auto& [id, list] : extensions_to_)
    std::sort(list.begin(), list.end(), by_id);
  for (auto& [id, list] : visits_to_)
    std::sort(list.begin(), list.end(), by_id);
}

std::string CoverageModel::PlaceOf(const std::string& staff_id,
                                   absl::CivilDay day) const {
  auto assignments = assignments_of_.find(staff_id);
  if (assignments != assignments_of_.end()) {
    for (const AssignmentFact* a : assignments->second) {
      if (!a->span.Contains(day)) continue;
      return a->institution_id.empty() ? absl::StrCat("village:", a->village_id)
                                       : a->institution_id;
    }
  }
  auto postings = postings_of_.find(staff_id);
  if (postings != postings_of_.end()) {
    for (const PostingFact* p : postings->second) {
      if (p->span.Contains(day)) return p->to_institution_id;
    }
  }
  auto staff = staff_.find(staff_id);
  return staff == staff_.end() ? "" : staff->second->employer_id;
}

std::string CoverageModel::DoctorAt(const std::string& institution_id,
                                    absl::CivilDay day) const {
  if (institution_id.empty()) return "";
  auto it = candidates_.find(institution_id);
  if (it == candidates_.end()) return "";
  for (const StaffFact* s : it->second) {
    if (s->active && IsVillageDoctorQualification(s->qualification) &&
        PlaceOf(s->id, day) == institution_id) {
      return s->id;
    }
  }
  return "";
}

bool CoverageModel::IsSettlement(const VillageFact& village,
                                 absl::CivilDay day) const {
  auto it = settlements_.find(village.id);
  if (it == settlements_.end()) return false;
  return std::any_of(
      it->second.begin(), it->second.end(),
      [&](const SettlementFact* s) { return s->span.Contains(day); });
}

bool CoverageModel::HasFixedCoverage(const VillageFact& village,
                                     absl::CivilDay day) const {
  const v1::CoverageKind kind = Cover(village, day).kind;
  return kind == v1::COVERAGE_KIND_RESIDENT_DOCTOR ||
         kind == v1::COVERAGE_KIND_NEIGHBOUR_EXTENSION ||
         kind == v1::COVERAGE_KIND_STATIONED_DOCTOR;
}

DayCoverage CoverageModel::Cover(const VillageFact& village,
                                 absl::CivilDay day) const {
  const bool settlement_without_clinic =
      village.village_clinic_id.empty() && IsSettlement(village, day);
  bool extension_without_doctor = false;
  if (!settlement_without_clinic) {
    const std::string resident = DoctorAt(village.village_clinic_id, day);
    if (!resident.empty()) {
      return {v1::COVERAGE_KIND_RESIDENT_DOCTOR, resident,
              v1::BLANK_REASON_UNSPECIFIED};
    }
    auto extensions = extensions_to_.find(village.id);
    if (extensions != extensions_to_.end()) {
      for (const ExtensionFact* e : extensions->second) {
        if (!e->span.Contains(day)) continue;
        if (!DoctorAt(e->clinic_id, day).empty()) {
          return {v1::COVERAGE_KIND_NEIGHBOUR_EXTENSION, e->id,
                  v1::BLANK_REASON_UNSPECIFIED};
        }
        extension_without_doctor = true;
      }
    }
  }
  auto stationed = stationed_in_.find(village.id);
  if (stationed != stationed_in_.end()) {
    for (const AssignmentFact* a : stationed->second) {
      if (a->span.Contains(day)) {
        return {v1::COVERAGE_KIND_STATIONED_DOCTOR, a->id,
                v1::BLANK_REASON_UNSPECIFIED};
      }
    }
  }
  bool missed = false;
  auto visits = visits_to_.find(village.id);
  if (visits != visits_to_.end()) {
    const DaySpan period = PeriodOf(frequency_, day).days;
    for (const VisitFact* v : visits->second) {
      if (!period.Contains(v->day)) continue;
      if (VisitCounts(*v, today_)) {
        return {v1::COVERAGE_KIND_TOURING, v->id, v1::BLANK_REASON_UNSPECIFIED};
      }
      missed = missed || v->status == v1::VISIT_STATUS_MISSED;
    }
  }
  v1::BlankReason reason = v1::BLANK_REASON_NOT_TOURED;
  if (settlement_without_clinic) {
    reason = v1::BLANK_REASON_SETTLEMENT_NOT_SERVED;
  } else if (missed) {
    reason = v1::BLANK_REASON_VISIT_MISSED;
  } else if (extension_without_doctor) {
    reason = v1::BLANK_REASON_EXTENSION_WITHOUT_DOCTOR;
  }
  return {v1::COVERAGE_KIND_BLANK, "", reason};
}

v1::VillageCoverage CoverageModel::Runs(const VillageFact& village,
                                        const DaySpan& span) const {
  v1::VillageCoverage out;
  out.set_village_id(village.id);
  out.set_township_center_id(village.township_center_id);
  v1::CoverageSpan* run = nullptr;
  DayCoverage previous;
  for (absl::CivilDay day = span.first; day <= span.last; ++day) {
    const DayCoverage c = Cover(village, day);
    if (c.kind == v1::COVERAGE_KIND_BLANK) {
      out.set_blank_days(out.blank_days() + 1);
    } else {
      out.set_covered_days(out.covered_days() + 1);
    }
    if (IsSettlement(village, day)) out.set_relocation_settlement(true);
    if (run != nullptr && c == previous) {
      run->mutable_last_day()->set_value(FormatCivilDate(day));
      continue;
    }
    run = out.add_spans();
    run->mutable_first_day()->set_value(FormatCivilDate(day));
    run->mutable_last_day()->set_value(FormatCivilDate(day));
    run->set_kind(c.kind);
    run->set_source_id(c.source_id);
    run->set_blank_reason(c.blank_reason);
    previous = c;
  }
  return out;
}

std::vector<v1::BlankSpot> CoverageModel::BlankSpots(
    const VillageFact& village, const DaySpan& span) const {
  std::vector<v1::BlankSpot> spots;
  const absl::CivilDay horizon = span.first - kBlankLookbackDays;
  // The run that reaches into the span from before it.
  absl::CivilDay run_start = span.first;
  bool in_run = false;
  if (Cover(village, span.first).kind == v1::COVERAGE_KIND_BLANK) {
    in_run = true;
    while (run_start > horizon &&
           Cover(village, run_start - 1).kind == v1::COVERAGE_KIND_BLANK) {
      --run_start;
    }
  }
  v1::BlankSpot spot;
  for (absl::CivilDay day = span.first; day <= span.last + 1; ++day) {
    const bool blank =
        day <= span.last && Cover(village, day).kind == v1::COVERAGE_KIND_BLANK;
    if (blank && !in_run) {
      in_run = true;
      run_start = day;
    }
    if (blank) {
      spot.set_days(spot.days() + 1);
      spot.set_reason(Cover(village, day).blank_reason);
      spot.mutable_until()->set_value(FormatCivilDate(day));
      continue;
    }
    if (in_run) {
      spot.set_village_id(village.id);
      spot.mutable_since()->set_value(FormatCivilDate(run_start));
      spot.set_since_at_least(run_start == horizon);
      spots.push_back(spot);
      spot.Clear();
      in_run = false;
    }
  }
  return spots;
}

}  // namespace cmc::dispatch
