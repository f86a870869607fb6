#include "services/institution/history_rules.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::institution {

HistoryStep NextHistoryStep(const std::optional<OpenVersion>& open,
                            absl::CivilDay day) {
  if (!open.has_value()) return HistoryStep::kOpenFirst;
  if (open->same_values) return HistoryStep::kKeep;
  if (open->valid_from == day) return HistoryStep::kReplaceOpen;
  if (open->valid_from > day) return HistoryStep::kRefuse;
  return HistoryStep::kCloseAndOpen;
}

absl::StatusOr<absl::CivilDay> EffectiveDay(
    bool has_effective_date, const common::v1::CivilDate& effective_date,
    absl::CivilDay today, absl::string_view field) {
  if (!has_effective_date) return today;
  CMC_ASSIGN_OR_RETURN(const absl::CivilDay day,
                       ParseCivilDate(effective_date.value(), field));
  if (day > today) {
    return InvalidField(field,
                        absl::StrCat(FormatCivilDate(day), " is after today (",
                                     FormatCivilDate(today), ")"));
  }
  return day;
}

bool ReadsHistory(absl::CivilDay as_of, absl::CivilDay today) {
  return as_of < today;
}

}  // namespace cmc::institution
