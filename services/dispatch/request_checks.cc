#include "services/dispatch/request_checks.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::dispatch {
namespace {

int CharCount(absl::string_view text) {
  int count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

bool Blank(absl::string_view text) {
  for (unsigned char c : text) {
    if (!absl::ascii_isspace(c)) return false;
  }
  return true;
}

}  // namespace

absl::Status CheckId(absl::string_view value, absl::string_view field,
                     bool required) {
  if (value.empty()) {
    return required ? InvalidField(field, "required") : absl::OkStatus();
  }
  if (value.size() > 64) return InvalidField(field, "at most 64 characters");
  for (char c : value) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != ':' && c != '-') {
      return InvalidField(field, "only A-Z, a-z, 0-9 and . _ : -");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckText(absl::string_view text, absl::string_view field,
                       int min_chars, int max_chars) {
  const int count = CharCount(text);
  if (min_chars > 0 && (count == 0 || Blank(text))) {
    return InvalidField(field, "required");
  }
  if (count < min_chars || count > max_chars) {
    return InvalidField(field, absl::StrCat("must be ", min_chars, "-",
                                            max_chars, " characters"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> RequiredDay(const common::v1::CivilDate& date,
                                           absl::string_view field) {
  if (date.value().empty()) return InvalidField(field, "required");
  return ParseCivilDate(date.value(), field);
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDay(
    const common::v1::CivilDate& date, absl::string_view field) {
  if (date.value().empty()) return std::optional<absl::CivilDay>();
  CMC_ASSIGN_OR_RETURN(const absl::CivilDay day,
                       ParseCivilDate(date.value(), field));
  return std::optional<absl::CivilDay>(day);
}

absl::StatusOr<DaySpan> RequiredSpan(const common::v1::CivilDate& first,
                                     const common::v1::CivilDate& last,
                                     absl::string_view first_field,
                                     absl::string_view last_field,
                                     int max_days) {
  CMC_ASSIGN_OR_RETURN(const absl::CivilDay from,
                       RequiredDay(first, first_field));
  CMC_ASSIGN_OR_RETURN(const absl::CivilDay to, RequiredDay(last, last_field));
  if (to < from) return InvalidField(last_field, "before the first day");
  const DaySpan span = {from, to};
  if (span.Days() > max_days) {
    return InvalidField(last_field,
                        absl::StrCat("at most ", max_days, " days"));
  }
  return span;
}

absl::StatusOr<DaySpan> PeriodSpan(const common::v1::Period& period,
                                   absl::string_view field) {
  if (period.value().empty()) return InvalidField(field, "required");
  CMC_ASSIGN_OR_RETURN(const PeriodRange range,
                       ParsePeriod(period.value(), field));
  return DaySpan{range.first, range.last};
}

absl::Status CheckServices(const google::protobuf::RepeatedField<int>& services,
                           absl::string_view field) {
  if (services.empty()) return InvalidField(field, "at least one");
  std::set<int> seen;
  for (int s : services) {
    if (s == v1::TOURING_SERVICE_UNSPECIFIED ||
        !v1::TouringService_IsValid(s) || !seen.insert(s).second) {
      return InvalidField(field, "known services, each once");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckVersion(int64_t version, absl::string_view field) {
  if (version < 1) return InvalidField(field, "must be >= 1");
  return absl::OkStatus();
}

}  // namespace cmc::dispatch
