#include "services/indicator/period.h"

#include <cstdio>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status.h"

namespace cmc::indicator {
namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2999;

// 1 (Monday) to 7 (Sunday).
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

// The Monday of ISO week 1 of `year`: the week holding 4 January.
absl::CivilDay IsoYearStart(int year) {
  const absl::CivilDay jan4(year, 1, 4);
  return jan4 - (IsoWeekday(jan4) - 1);
}

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Parses exactly `width` digits.
bool Number(absl::string_view s, size_t width, int* out) {
  if (s.size() != width || !AllDigits(s)) return false;
  return absl::SimpleAtoi(s, out);
}

absl::CivilDay LastOfMonth(int year, int month) {
  return absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1;
}

}  // namespace

ReportingPeriod ReportingPeriod::Day(absl::CivilDay day) {
  return ReportingPeriod(PeriodKind::kDay, day, day);
}

ReportingPeriod ReportingPeriod::Month(int year, int month) {
  return ReportingPeriod(PeriodKind::kMonth, absl::CivilDay(year, month, 1),
                         LastOfMonth(year, month));
}

ReportingPeriod ReportingPeriod::Quarter(int year, int quarter) {
  const int first_month = (quarter - 1) * 3 + 1;
  return ReportingPeriod(PeriodKind::kQuarter,
                         absl::CivilDay(year, first_month, 1),
                         LastOfMonth(year, first_month + 2));
}

ReportingPeriod ReportingPeriod::Year(int year) {
  return ReportingPeriod(PeriodKind::kYear, absl::CivilDay(year, 1, 1),
                         absl::CivilDay(year, 12, 31));
}

ReportingPeriod ReportingPeriod::Week(int year, int week) {
  const absl::CivilDay monday = IsoYearStart(year) + 7 * (week - 1);
  return ReportingPeriod(PeriodKind::kWeek, monday, monday + 6);
}

std::string ReportingPeriod::ToString() const {
  switch (kind_) {
    case PeriodKind::kDay:
      return absl::StrFormat("%04d-%02d-%02d", first_.year(), first_.month(),
                             first_.day());
    case PeriodKind::kMonth:
      return absl::StrFormat("%04d-%02d", first_.year(), first_.month());
    case PeriodKind::kQuarter:
      return absl::StrFormat("%04dQ%d", first_.year(),
                             (first_.month() - 1) / 3 + 1);
    case PeriodKind::kYear:
      return absl::StrFormat("%04d", first_.year());
    case PeriodKind::kWeek: {
      // The ISO year is the year of the week's Thursday.
      const absl::CivilDay thursday = first_ + 3;
      const int iso_year = static_cast<int>(thursday.year());
      const int week =
          static_cast<int>((first_ - IsoYearStart(iso_year)) / 7) + 1;
      return absl::StrFormat("%04dW%02d", iso_year, week);
    }
  }
  return "";
}

ReportingPeriod ReportingPeriod::Previous() const {
  switch (kind_) {
    case PeriodKind::kDay:
      return Day(first_ - 1);
    case PeriodKind::kWeek:
      return ReportingPeriod(PeriodKind::kWeek, first_ - 7, first_ - 1);
    case PeriodKind::kMonth: {
      const absl::CivilMonth prev = absl::CivilMonth(first_) - 1;
      return Month(static_cast<int>(prev.year()), prev.month());
    }
    case PeriodKind::kQuarter: {
      const absl::CivilMonth prev = absl::CivilMonth(first_) - 3;
      return Quarter(static_cast<int>(prev.year()), (prev.month() - 1) / 3 + 1);
    }
    case PeriodKind::kYear:
      return Year(static_cast<int>(first_.year()) - 1);
  }
  return *this;
}

int IsoWeeksInYear(int year) {
  return static_cast<int>((IsoYearStart(year + 1) - IsoYearStart(year)) / 7);
}

ReportingPeriod IsoWeekOf(absl::CivilDay day) {
  const absl::CivilDay monday = day - (IsoWeekday(day) - 1);
  const absl::CivilDay thursday = monday + 3;
  const int iso_year = static_cast<int>(thursday.year());
  return ReportingPeriod::Week(
      iso_year, static_cast<int>((monday - IsoYearStart(iso_year)) / 7) + 1);
}

absl::StatusOr<ReportingPeriod> ParsePeriod(absl::string_view text,
                                            absl::string_view field) {
  auto bad = [&](absl::string_view why) {
    return InvalidField(field, absl::StrCat(why, ": \"", text, "\""));
  };
  if (text.size() < 4) {
    return bad("not a period (2024, 2024Q1, 2024-03, 2024W09, 2024-03-05)");
  }
  int year = 0;
  if (!Number(text.substr(0, 4), 4, &year)) {
    return bad("not a period (2024, 2024Q1, 2024-03, 2024W09, 2024-03-05)");
  }
  if (year < kMinYear || year > kMaxYear) return bad("year outside 1900-2999");
  const absl::string_view rest = text.substr(4);
  if (rest.empty()) return ReportingPeriod::Year(year);
  int n = 0;
  if (rest[0] == 'Q' && Number(rest.substr(1), 1, &n)) {
    if (n < 1 || n > 4) return bad("quarter outside 1-4");
    return ReportingPeriod::Quarter(year, n);
  }
  if (rest[0] == 'W' && Number(rest.substr(1), 2, &n)) {
    if (n < 1 || n > IsoWeeksInYear(year)) {
      return bad(absl::StrCat("week outside 1-", IsoWeeksInYear(year)));
    }
    return ReportingPeriod::Week(year, n);
  }
  if (rest[0] == '-' && Number(rest.substr(1, 2), 2, &n)) {
    if (n < 1 || n > 12) return bad("month outside 1-12");
    if (rest.size() == 3) return ReportingPeriod::Month(year, n);
    int day = 0;
    if (rest.size() == 6 && rest[3] == '-' && Number(rest.substr(4), 2, &day)) {
      if (day < 1 || absl::CivilDay(year, n, day).day() != day) {
        return bad("no such day");
      }
      return ReportingPeriod::Day(absl::CivilDay(year, n, day));
    }
  }
  return bad("not a period (2024, 2024Q1, 2024-03, 2024W09, 2024-03-05)");
}

}  // namespace cmc::indicator
