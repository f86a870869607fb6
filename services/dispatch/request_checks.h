// Checks of dispatch requests that need no data (pure, thread-safe). Each
// error is INVALID_ARGUMENT naming the field by its path in the request,
// exactly as written in dispatch.proto ("assignment.start_date",
// "visit.team[1].staff_id").
#ifndef CMC_SERVICES_DISPATCH_REQUEST_CHECKS_H_
#define CMC_SERVICES_DISPATCH_REQUEST_CHECKS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "cmc/common/v1/types.pb.h"
#include "cmc/dispatch/v1/dispatch.pb.h"
#include "services/dispatch/calendar.h"

namespace cmc::dispatch {

// The longest span a plan, a report or a list filter may cover.
inline constexpr int kMaxSpanDays = 400;
// The longest stationing.
inline constexpr int kMaxStationingDays = 1100;

// OK when `value` is 1-64 characters of [A-Za-z0-9._:-] (request ids and the
// ids CMC services mint); `required` false accepts "".
absl::Status CheckId(absl::string_view value, absl::string_view field,
                     bool required = true);

// OK when `text` has `min_chars`-`max_chars` characters (code points); with
// `min_chars` > 0 a blank text is "required".
absl::Status CheckText(absl::string_view text, absl::string_view field,
                       int min_chars, int max_chars);

// The day of a required CivilDate.
absl::StatusOr<absl::CivilDay> RequiredDay(const common::v1::CivilDate& date,
                                           absl::string_view field);
// The day of an optional CivilDate (nullopt when empty).
absl::StatusOr<std::optional<absl::CivilDay>> OptionalDay(
    const common::v1::CivilDate& date, absl::string_view field);

// [first, last] from two required dates: last not before first, at most
// `max_days` days (named on `last_field`).
absl::StatusOr<DaySpan> RequiredSpan(const common::v1::CivilDate& first,
                                     const common::v1::CivilDate& last,
                                     absl::string_view first_field,
                                     absl::string_view last_field,
                                     int max_days);

// The days of a reporting period ("2026", "2026Q1", "2026-03", "2026W09"),
// at most kMaxSpanDays.
absl::StatusOr<DaySpan> PeriodSpan(const common::v1::Period& period,
                                   absl::string_view field);

// A list of touring services: at least one, each a known value, each once.
absl::Status CheckServices(const google::protobuf::RepeatedField<int>& services,
                           absl::string_view field);

// The request's page and version fields.
absl::Status CheckVersion(int64_t version, absl::string_view field);

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_REQUEST_CHECKS_H_
