// What the dispatch rules reason over, as plain values (no I/O): the
// institution service's villages, staff and postings, and this service's
// assignments, extensions, settlements and visits, each reduced to what the
// rules read. The handlers build them from the stores and the institution
// reader; the tests write them by hand.
#ifndef CMC_SERVICES_DISPATCH_FACTS_H_
#define CMC_SERVICES_DISPATCH_FACTS_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "cmc/dispatch/v1/dispatch.pb.h"
#include "cmc/institution/v1/institution.pb.h"
#include "services/dispatch/calendar.h"

namespace cmc::dispatch {

struct VillageFact {
  std::string id;
  std::string township_center_id;
  std::string village_clinic_id;  // "" when it has none
};

struct StaffFact {
  std::string id;
  std::string employer_id;
  institution::v1::Qualification qualification =
      institution::v1::QUALIFICATION_UNSPECIFIED;
  // ACTIVE in the institution service (it keeps no day-by-day status for
  // other services to read, so "active that day" is "active now").
  bool active = false;
};

struct PostingFact {
  std::string id;
  std::string staff_id;
  std::string to_institution_id;
  DaySpan span;
};

struct AssignmentFact {
  std::string id;
  std::string staff_id;
  std::string home_institution_id;
  // Exactly one is set.
  std::string institution_id;
  std::string village_id;
  // start_date to end_date (the early end when it ended early).
  DaySpan span;
};

struct ExtensionFact {
  std::string id;
  std::string village_id;
  std::string clinic_id;
  DaySpan span;
};

struct SettlementFact {
  std::string id;
  std::string village_id;
  DaySpan span;
};

struct VisitFact {
  std::string id;
  std::string plan_id;
  std::string organiser_id;
  v1::Level organiser_level = v1::LEVEL_UNSPECIFIED;
  // Exactly one is set.
  std::string village_id;
  std::string institution_id;
  // The actual date when DONE, else the planned date.
  absl::CivilDay day;
  v1::VisitStatus status = v1::VISIT_STATUS_UNSPECIFIED;
  std::vector<std::string> staff_ids;
};

// True when `visit` counts as touring on its day seen from `today`: DONE, or
// PLANNED on a day not yet past.
inline bool VisitCounts(const VisitFact& visit, absl::CivilDay today) {
  return visit.status == v1::VISIT_STATUS_DONE ||
         (visit.status == v1::VISIT_STATUS_PLANNED && visit.day >= today);
}

// True when `qualification` lets a person practise as a village's doctor
// (village doctor, practising or assistant physician).
bool IsVillageDoctorQualification(institution::v1::Qualification q);
// True for practising and assistant physicians (stationing, ROLE_PHYSICIAN).
bool IsPhysicianQualification(institution::v1::Qualification q);

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_FACTS_H_
