// Effective-dated history of the facts read on a past day (pure,
// thread-safe): how a write moves a resource's versions, and which of the
// stored versions or the current row a read on a day uses. The SQL lives in
// mysql_history.cc; migrations/0005_history.sql describes the tables.
//
//   switch (NextHistoryStep(open, today)) { ... }
#ifndef CMC_SERVICES_INSTITUTION_HISTORY_RULES_H_
#define CMC_SERVICES_INSTITUTION_HISTORY_RULES_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "cmc/common/v1/types.pb.h"

namespace cmc::institution {

// The open (current) version of a resource's history as stored.
struct OpenVersion {
  absl::CivilDay valid_from;
  // Whether it holds the values the write is about to store.
  bool same_values = false;
};

// What a write that stores a resource's values as holding from `day` (today,
// or an earlier effective date) does to its history.
enum class HistoryStep {
  // No version yet (a registration): open the first version from `day`.
  kOpenFirst,
  // The values did not change: nothing to write.
  kKeep,
  // The open version began on `day`: its values are replaced in place, so
  // one day has one version.
  kReplaceOpen,
  // Close the open version on the day before `day`, open one from `day`.
  kCloseAndOpen,
  // The open version began after `day`: the change cannot take effect
  // before the current values did (FAILED_PRECONDITION for the caller).
  kRefuse,
};

HistoryStep NextHistoryStep(const std::optional<OpenVersion>& open,
                            absl::CivilDay day);

// The day an update takes effect in the history: `effective_date` when set
// (UpdateInstitutionRequest / UpdateStaffRequest.effective_date), else
// `today`. INVALID_ARGUMENT naming `field` when malformed or after today.
absl::StatusOr<absl::CivilDay> EffectiveDay(
    bool has_effective_date, const common::v1::CivilDate& effective_date,
    absl::CivilDay today, absl::string_view field);

// Whether a read "as of `as_of`" must use the stored versions: only for a
// day before `today`. Today and later read the current rows, which the open
// versions equal.
bool ReadsHistory(absl::CivilDay as_of, absl::CivilDay today);

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_HISTORY_RULES_H_
