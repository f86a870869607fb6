// Grassroots service days (pure): the days a person spent on site, stationed
// or touring, by destination level; the credit toward an associate-senior
// title; and the subsidy. The reference county's rule (domain.md §4, the
// policy's defaults): 0.5 points for every full 24 days in a year, at most 2
// points; 240 days complete the annual assignment.
//
//   v1::PersonServiceDays days =
//       CountServiceDays(policy, "stf-1", assignments, visits, span, levels);
#ifndef CMC_SERVICES_DISPATCH_SERVICE_DAYS_H_
#define CMC_SERVICES_DISPATCH_SERVICE_DAYS_H_

#include <map>
#include <string>
#include <vector>

#include "cmc/dispatch/v1/dispatch.pb.h"
#include "services/dispatch/calendar.h"
#include "services/dispatch/facts.h"

namespace cmc::dispatch {

// Credit points in hundredths for `days` in one year under `credit`.
int CreditHundredths(int days, const v1::ServiceDayCredit& credit);

// True when `days` complete the year's assignment under `credit`.
bool AnnualAssignmentComplete(int days, const v1::ServiceDayCredit& credit);

// The days of `staff_id` on site within `span` (a year or a month, clipped by
// the caller to days that have passed): each day of its assignments, and the
// day of each DONE visit it was on the team of. A day counts once: at the
// stationing's level when stationed, else at the lowest level visited.
// `institution_levels` gives the level of visited and destination
// institutions (unknown ones count as LEVEL_TOWNSHIP). Credit, completion
// and subsidies follow `policy`; completion and credit are meaningful for a
// calendar year.
v1::PersonServiceDays CountServiceDays(
    const v1::DispatchPolicy& policy, const std::string& staff_id,
    const std::vector<AssignmentFact>& assignments,
    const std::vector<VisitFact>& visits, const DaySpan& span,
    const std::map<std::string, v1::Level>& institution_levels);

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_SERVICE_DAYS_H_
