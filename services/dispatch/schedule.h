// One person, one place a day (pure): visits, stationings and postings of a
// person are checked together before a new one is stored.
//
//   std::optional<Booking> clash = FindClash(existing_of_person, proposed);
//   if (clash) return ClashError("assignment.start_date", *clash);
//
// The rules: a stationing clashes with any other stationing on a shared day;
// with a posting unless the posting is to the stationing's destination (the
// same placement recorded in the institution service); a visit clashes with
// visits of another plan on its day, and with a stationing or posting that
// day unless the person is placed at the visit's organiser (a physician
// stationed at a township center tours for it). Postings among themselves are
// the institution service's business.
#ifndef CMC_SERVICES_DISPATCH_SCHEDULE_H_
#define CMC_SERVICES_DISPATCH_SCHEDULE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/dispatch/calendar.h"

namespace cmc::dispatch {

struct Booking {
  enum class Kind { kVisit, kStationing, kPosting };
  Kind kind = Kind::kVisit;
  std::string id;  // visit, assignment or posting id
  std::string staff_id;
  DaySpan span;  // one day for a visit
  // Stationing: the destination institution ("" for a village); posting: the
  // host; visit: "".
  std::string place_institution_id;
  // Visits: the plan and its organiser.
  std::string plan_id;
  std::string organiser_id;
};

// The first booking of `existing` (in the given order) that `proposed`
// clashes with; nullopt when none. Bookings of other persons, and a booking
// with the proposed one's own id (an update), are ignored.
std::optional<Booking> FindClash(const std::vector<Booking>& existing,
                                 const Booking& proposed);

// FAILED_PRECONDITION naming `field`, the message naming the clashing record
// and its days, with ErrorInfo SCHEDULE_CLASH ("clashes_with" = its id).
absl::Status ClashError(absl::string_view field, const Booking& clash);

// How many visits of `staff_id` fall on `day` in `existing`, `except_id`
// (an updated visit) left out: against the policy's visits per team and day.
int VisitsOnDay(const std::vector<Booking>& existing,
                const std::string& staff_id, absl::CivilDay day,
                const std::string& except_id);

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_SCHEDULE_H_
