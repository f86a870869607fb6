// How a village is covered on a day (pure, thread-safe once built): by its
// resident doctor, a neighbouring clinic's extension, a stationed doctor or
// touring at the required frequency, looked for in that order; else it is a
// blank spot, with the reason. A relocation settlement without a clinic is
// covered only by the last two.
//
//   const CoverageModel model(facts, VillageTouringFrequency(policy), today);
//   DayCoverage c = model.Cover(village, absl::CivilDay(2026, 3, 2));
//   v1::VillageCoverage runs = model.Runs(village, span);
//   std::vector<v1::BlankSpot> spots = model.BlankSpots(village, span);
#ifndef CMC_SERVICES_DISPATCH_COVERAGE_H_
#define CMC_SERVICES_DISPATCH_COVERAGE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "cmc/dispatch/v1/dispatch.pb.h"
#include "services/dispatch/calendar.h"
#include "services/dispatch/facts.h"

namespace cmc::dispatch {

// Everything coverage reads, for the villages asked about and the days
// around them.
struct CoverageFacts {
  std::vector<StaffFact> staff;
  std::vector<PostingFact> postings;
  std::vector<AssignmentFact> assignments;
  std::vector<ExtensionFact> extensions;
  std::vector<SettlementFact> settlements;
  std::vector<VisitFact> visits;
};

// One village on one day.
struct DayCoverage {
  v1::CoverageKind kind = v1::COVERAGE_KIND_BLANK;
  // The staff member, extension, assignment or visit; "" for a blank.
  std::string source_id;
  v1::BlankReason blank_reason = v1::BLANK_REASON_UNSPECIFIED;

  bool operator==(const DayCoverage& other) const {
    return kind == other.kind && source_id == other.source_id &&
           blank_reason == other.blank_reason;
  }
};

// How far before an asked span a blank spot's start is looked for.
inline constexpr int kBlankLookbackDays = 400;

class CoverageModel {
 public:
  // `touring_frequency`: a visit covers the days of its period (ISO week,
  // month, quarter). `today`: planned visits before it no longer count.
  CoverageModel(CoverageFacts facts, v1::Frequency touring_frequency,
                absl::CivilDay today);

  DayCoverage Cover(const VillageFact& village, absl::CivilDay day) const;

  // True when `village` is covered on `day` without touring (resident doctor,
  // extension or stationed doctor): what the weekly touring rule asks about.
  bool HasFixedCoverage(const VillageFact& village, absl::CivilDay day) const;

  // True when `village` is recorded as a relocation settlement on `day`.
  bool IsSettlement(const VillageFact& village, absl::CivilDay day) const;

  // Every day of `span` as runs of equal coverage, with covered and blank
  // day counts; village_id and township_center_id filled, name left empty.
  v1::VillageCoverage Runs(const VillageFact& village,
                           const DaySpan& span) const;

  // The blank runs that reach into `span`, each with the day it started
  // (looked for up to kBlankLookbackDays before span.first).
  std::vector<v1::BlankSpot> BlankSpots(const VillageFact& village,
                                        const DaySpan& span) const;

  // Where `staff_id` works on `day`: the institution (or "village:<id>") of
  // a stationing, else the host of a posting, else the employer; "" for an
  // unknown person.
  std::string PlaceOf(const std::string& staff_id, absl::CivilDay day) const;

 private:
  // A staff member of `institution_id` qualified as a village doctor and
  // working there on `day`; "" when none.
  std::string DoctorAt(const std::string& institution_id,
                       absl::CivilDay day) const;

  CoverageFacts facts_;
  v1::Frequency frequency_;
  absl::CivilDay today_;
  std::map<std::string, const StaffFact*> staff_;
  // Staff who might work at an institution: employees, and those posted or
  // stationed there.
  std::map<std::string, std::vector<const StaffFact*>> candidates_;
  std::map<std::string, std::vector<const PostingFact*>> postings_of_;
  std::map<std::string, std::vector<const AssignmentFact*>> assignments_of_;
  std::map<std::string, std::vector<const AssignmentFact*>> stationed_in_;
  std::map<std::string, std::vector<const ExtensionFact*>> extensions_to_;
  std::map<std::string, std::vector<const SettlementFact*>> settlements_;
  std::map<std::string, std::vector<const VisitFact*>> visits_to_;
};

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_COVERAGE_H_
