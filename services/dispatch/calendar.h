// The calendar of touring rules (pure, thread-safe): spans of civil days, ISO
// weeks, calendar months and quarters, and the periods of a frequency that
// meet a span.
//
//   const DaySpan q = {absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3,
//   31)}; for (const FrequencyPeriod& week : PeriodsMeeting(kWeekly, q)) ...
//   IsoWeekLabel(absl::CivilDay(2026, 1, 1)) == "2026W01"
#ifndef CMC_SERVICES_DISPATCH_CALENDAR_H_
#define CMC_SERVICES_DISPATCH_CALENDAR_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "cmc/dispatch/v1/dispatch.pb.h"

namespace cmc::dispatch {

// Consecutive civil days, both ends inclusive. An open-ended record has
// last = kOpenEnd.
struct DaySpan {
  absl::CivilDay first;
  absl::CivilDay last;

  bool Contains(absl::CivilDay day) const {
    return first <= day && day <= last;
  }
  bool Overlaps(const DaySpan& other) const {
    return first <= other.last && other.first <= last;
  }
  // Days in the span (0 when last < first).
  int Days() const {
    return last < first ? 0 : static_cast<int>(last - first) + 1;
  }
  // The days both spans hold; Days() == 0 when none.
  DaySpan Intersect(const DaySpan& other) const;
  bool operator==(const DaySpan& other) const {
    return first == other.first && last == other.last;
  }
};

// The last day of an open-ended record.
inline const absl::CivilDay kOpenEnd(2999, 12, 31);

// The Monday of `day`'s ISO week.
absl::CivilDay IsoWeekStart(absl::CivilDay day);
// `day`'s ISO week as "YYYYWww" (the ISO week-numbering year: 2025-12-29 is
// "2026W01").
std::string IsoWeekLabel(absl::CivilDay day);
// 1 (Monday) to 7 (Sunday).
int IsoWeekday(absl::CivilDay day);

// One period of a frequency: its label ("2026W09", "2026-03", "2026Q1") and
// its days.
struct FrequencyPeriod {
  std::string label;
  DaySpan days;
};

// The whole period of `frequency` that contains `day`.
FrequencyPeriod PeriodOf(v1::Frequency frequency, absl::CivilDay day);

// The periods of `frequency` that meet `span`, in order, each clipped to
// `span` (its label unchanged).
std::vector<FrequencyPeriod> PeriodsMeeting(v1::Frequency frequency,
                                            const DaySpan& span);

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_CALENDAR_H_
