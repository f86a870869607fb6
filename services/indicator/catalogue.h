// Checks of data elements and indicator sets, and the versioning of
// definitions (pure, thread-safe). Errors are INVALID_ARGUMENT naming the
// field as written in indicator.proto.
#ifndef CMC_SERVICES_INDICATOR_CATALOGUE_H_
#define CMC_SERVICES_INDICATOR_CATALOGUE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cmc/indicator/v1/indicator.pb.h"
#include "services/indicator/aggregation.h"

namespace cmc::indicator {

// The code of the default set, used when a request names none.
inline constexpr char kDefaultSetCode[] = "CN_CMC_MONITORING";
// The most indicators a set may hold.
inline constexpr int kMaxIndicatorsPerSet = 200;

// 1-64 characters of [A-Z0-9_], starting with a letter.
bool IsCode(absl::string_view code);

// Checks a data element to define (fields "element.*").
absl::Status CheckDataElement(const v1::DataElement& element);

// Checks a set to save (fields "set.*") with `known` telling which element
// codes exist; expressions name the position of an error.
absl::Status CheckIndicatorSet(
    const v1::IndicatorSet& set,
    const std::function<bool(absl::string_view)>& known);

// The computable form of a definition already checked (or stored).
// INVALID_ARGUMENT "<field>.numerator" / ".denominator" when an expression
// does not parse with `known`.
absl::StatusOr<IndicatorFormula> FormulaOf(
    const v1::IndicatorDefinition& definition,
    const std::function<bool(absl::string_view)>& known,
    absl::string_view field = "definition");

// Sets the version of each definition of `next` (to be saved as
// `new_version`): a definition equal in content to the one of the same code
// in `previous` keeps that one's version; any other gets `new_version`.
void AssignDefinitionVersions(const v1::IndicatorSet* previous,
                              int64_t new_version, v1::IndicatorSet* next);

}  // namespace cmc::indicator

#endif  // CMC_SERVICES_INDICATOR_CATALOGUE_H_
