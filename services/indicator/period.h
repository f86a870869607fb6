// Reporting periods of the indicator service (pure, thread-safe): parsing the
// text forms, their first and last days, containment, the previous period of
// the same length.
//
//   CMC_ASSIGN_OR_RETURN(ReportingPeriod q, ParsePeriod("2024Q1"));
//   q.first_day() == absl::CivilDay(2024, 1, 1);
//   ParsePeriod("2024-03")->Within(q) == true;
//   q.Previous().ToString() == "2023Q4";
#ifndef CMC_SERVICES_INDICATOR_PERIOD_H_
#define CMC_SERVICES_INDICATOR_PERIOD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace cmc::indicator {

enum class PeriodKind { kDay, kWeek, kMonth, kQuarter, kYear };

// One period: a year "2024", a quarter "2024Q1", a month "2024-03", an ISO 8601
// week "2024W09" (Monday to Sunday, in the ISO week-numbering year) or a day
// "2024-03-05". Years 1900-2999.
class ReportingPeriod {
 public:
  static ReportingPeriod Day(absl::CivilDay day);
  static ReportingPeriod Month(int year, int month);
  static ReportingPeriod Quarter(int year, int quarter);
  static ReportingPeriod Year(int year);
  // ISO week `week` (1-53) of ISO year `year`; the caller checks the week
  // exists (ParsePeriod does).
  static ReportingPeriod Week(int year, int week);

  PeriodKind kind() const { return kind_; }
  absl::CivilDay first_day() const { return first_; }
  absl::CivilDay last_day() const { return last_; }
  // Days in the period.
  int Days() const { return static_cast<int>(last_ - first_) + 1; }

  // The canonical text form.
  std::string ToString() const;
  // True when every day of this period lies inside `outer`.
  bool Within(const ReportingPeriod& outer) const {
    return outer.first_ <= first_ && last_ <= outer.last_;
  }
  // The period of the same kind just before this one (2024Q1 -> 2023Q4,
  // 2024W01 -> 2023W52).
  ReportingPeriod Previous() const;
  // Data values are stored for days and months only.
  bool IsDataPeriod() const {
    return kind_ == PeriodKind::kDay || kind_ == PeriodKind::kMonth;
  }

  bool operator==(const ReportingPeriod& o) const {
    return kind_ == o.kind_ && first_ == o.first_;
  }
  bool operator!=(const ReportingPeriod& o) const { return !(*this == o); }

 private:
  ReportingPeriod(PeriodKind kind, absl::CivilDay first, absl::CivilDay last)
      : kind_(kind), first_(first), last_(last) {}

  PeriodKind kind_;
  absl::CivilDay first_;
  absl::CivilDay last_;
};

// Parses one of the text forms above. INVALID_ARGUMENT naming `field` for
// anything else (a month 13, a week 53 of a year that has 52, 2023-02-29).
absl::StatusOr<ReportingPeriod> ParsePeriod(absl::string_view text,
                                            absl::string_view field = "period");

// The number of ISO weeks (52 or 53) of ISO year `year`.
int IsoWeeksInYear(int year);

// The ISO week that holds `day`.
ReportingPeriod IsoWeekOf(absl::CivilDay day);

}  // namespace cmc::indicator

#endif  // CMC_SERVICES_INDICATOR_PERIOD_H_
