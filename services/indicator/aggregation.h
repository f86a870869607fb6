// Aggregation of data values over time and up the org tree, and the
// indicator arithmetic on top of it (pure, thread-safe). The rule of
// domain.md §6 (as in DHIS2): numerators and denominators are summed up the
// tree and over time first, then divided; ratios are never averaged.
//
//   OrgTree tree;
//   tree.Add("com-1", "ins-1");
//   std::vector<Observation> rows = ...;            // the subtree's values
//   ElementTotal visits = AggregateElement(AGGREGATION_SUM, rows,
//                                          tree.Subtree("com-1"), year);
//   IndicatorResult r = ComputeIndicator(formula, totals_of_period, nullptr);
#ifndef CMC_SERVICES_INDICATOR_AGGREGATION_H_
#define CMC_SERVICES_INDICATOR_AGGREGATION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cmc/indicator/v1/indicator.pb.h"
#include "services/indicator/expression.h"
#include "services/indicator/period.h"

namespace cmc::indicator {

// The org tree as parent -> children edges between org unit keys (an
// institution id, a community id or a division code).
class OrgTree {
 public:
  void Add(const std::string& parent, const std::string& child);
  // The unit itself and everything below it.
  std::set<std::string> Subtree(const std::string& unit) const;
  // The direct children, ordered.
  std::vector<std::string> Children(const std::string& unit) const;

 private:
  std::map<std::string, std::set<std::string>> children_;
};

// One stored data value of one element.
struct Observation {
  std::string org_unit;
  ReportingPeriod period;
  int64_t value = 0;
};

// One element aggregated over an org subtree and a period.
struct ElementTotal {
  // False when no observation lies in the subtree and period.
  bool has_data = false;
  int64_t value = 0;
  // Indexes (into the observations given) of the values that make it.
  std::vector<size_t> used;
};

// Aggregates one element's `observations` over the units in `subtree` and
// the days of `period`: an observation counts when its unit is in `subtree`
// and its period lies wholly inside `period`. SUM adds every such value.
// LAST takes, per org unit, the value of the latest period (latest last day;
// on a tie the shorter period, a day before its month) and adds those.
ElementTotal AggregateElement(v1::Aggregation aggregation,
                              const std::vector<Observation>& observations,
                              const std::set<std::string>& subtree,
                              const ReportingPeriod& period);

// An indicator definition in computable form.
struct IndicatorFormula {
  Expression numerator;
  Expression denominator;  // Expression() for 1
  double factor = 1;
  bool growth = false;
  std::optional<v1::Target> target;
};

// One computed indicator cell.
struct IndicatorResult {
  double numerator = 0;
  double denominator = 0;
  bool has_value = false;
  double value = 0;
  std::string no_value_reason;
  v1::TargetStatus status = v1::TARGET_STATUS_NO_VALUE;
};

// The aggregated element totals of one cell, by element code.
using ElementTotals = std::map<std::string, ElementTotal>;

// numerator / denominator x factor over `current`; an element missing from
// the totals counts 0. No value when the expressions name elements and none
// has data ("no data"), when the denominator is 0 ("denominator is 0") or an
// expression divides by zero. With formula.growth, the value is
// (r - r_prev) / r_prev x factor where r_prev is the ratio over `previous`
// (no value when `previous` is null, has no value, or is 0). The status
// compares the value with the target.
IndicatorResult ComputeIndicator(const IndicatorFormula& formula,
                                 const ElementTotals& current,
                                 const ElementTotals* previous);

// value <comparison> target: MET or NOT_MET (NO_TARGET without a target).
v1::TargetStatus CompareWithTarget(double value,
                                   const std::optional<v1::Target>& target);

}  // namespace cmc::indicator

#endif  // CMC_SERVICES_INDICATOR_AGGREGATION_H_
