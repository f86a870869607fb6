#include "services/dispatch/calendar.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace cmc::dispatch {

DaySpan DaySpan::Intersect(const DaySpan& other) const {
  return {std::max(first, other.first), std::min(last, other.last)};
}

int IsoWeekday(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return 1;
    case absl::Weekday::tuesday:
      return 2;
    case absl::Weekday::wednesday:
      return 3;
    case absl::Weekday::thursday:
      return 4;
    case absl::Weekday::friday:
      return 5;
    case absl::Weekday::saturday:
      return 6;
    case absl::Weekday::sunday:
      return 7;
  }
  return 1;
}

absl::CivilDay IsoWeekStart(absl::CivilDay day) {
  return day - (IsoWeekday(day) - 1);
}

std::string IsoWeekLabel(absl::CivilDay day) {
  // The ISO year is the year of the week's Thursday; week 1 holds January 4.
  const absl::CivilDay thursday = IsoWeekStart(day) + 3;
  const int week = (absl::GetYearDay(thursday) - 1) / 7 + 1;
  return absl::StrFormat("%04dW%02d", thursday.year(), week);
}

FrequencyPeriod PeriodOf(v1::Frequency frequency, absl::CivilDay day) {
  switch (frequency) {
    case v1::FREQUENCY_MONTHLY: {
      const absl::CivilMonth month(day);
      return {absl::StrFormat("%04d-%02d", month.year(), month.month()),
              {absl::CivilDay(month), absl::CivilDay(month + 1) - 1}};
    }
    case v1::FREQUENCY_QUARTERLY: {
      const int quarter = (day.month() - 1) / 3;
      const absl::CivilMonth first(day.year(), quarter * 3 + 1);
      return {absl::StrFormat("%04dQ%d", day.year(), quarter + 1),
              {absl::CivilDay(first), absl::CivilDay(first + 3) - 1}};
    }
    default: {
      const absl::CivilDay monday = IsoWeekStart(day);
      return {IsoWeekLabel(day), {monday, monday + 6}};
    }
  }
}

std::vector<FrequencyPeriod> PeriodsMeeting(v1::Frequency frequency,
                                            const DaySpan& span) {
  std::vector<FrequencyPeriod> periods;
  for (absl::CivilDay day = span.first; day <= span.last;) {
    FrequencyPeriod period = PeriodOf(frequency, day);
    day = period.days.last + 1;
    period.days = period.days.Intersect(span);
    periods.push_back(std::move(period));
  }
  return periods;
}

}  // namespace cmc::dispatch
