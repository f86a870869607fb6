#include "services/indicator/aggregation.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace cmc::indicator {

void OrgTree::Add(const std::string& parent, const std::string& child) {
  children_[parent].insert(child);
}

std::set<std::string> OrgTree::Subtree(const std::string& unit) const {
  std::set<std::string> seen{unit};
  std::vector<std::string> todo{unit};
  while (!todo.empty()) {
    const std::string next = std::move(todo.back());
    todo.pop_back();
    auto it = children_.find(next);
    if (it == children_.end()) continue;
    for (const std::string& child : it->second) {
      // A unit reached twice (a malformed tree) is counted once.
      if (seen.insert(child).second) todo.push_back(child);
    }
  }
  return seen;
}

std::vector<std::string> OrgTree::Children(const std::string& unit) const {
  auto it = children_.find(unit);
  if (it == children_.end()) return {};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

ElementTotal AggregateElement(v1::Aggregation aggregation,
                              const std::vector<Observation>& observations,
                              const std::set<std::string>& subtree,
                              const ReportingPeriod& period) {
  ElementTotal total;
  if (aggregation == v1::AGGREGATION_LAST) {
    // Per org unit, the index of the latest observation so far.
    std::map<std::string, size_t> latest;
    for (size_t i = 0; i < observations.size(); ++i) {
      const Observation& o = observations[i];
      if (!subtree.count(o.org_unit) || !o.period.Within(period)) continue;
      auto [it, inserted] = latest.emplace(o.org_unit, i);
      if (inserted) continue;
      const ReportingPeriod& best = observations[it->second].period;
      if (o.period.last_day() > best.last_day() ||
          (o.period.last_day() == best.last_day() &&
           o.period.first_day() > best.first_day())) {
        it->second = i;
      }
    }
    for (const auto& [unit, i] : latest) {
      total.has_data = true;
      total.value += observations[i].value;
      total.used.push_back(i);
    }
    std::sort(total.used.begin(), total.used.end());
    return total;
  }
  for (size_t i = 0; i < observations.size(); ++i) {
    const Observation& o = observations[i];
    if (!subtree.count(o.org_unit) || !o.period.Within(period)) continue;
    total.has_data = true;
    total.value += o.value;
    total.used.push_back(i);
  }
  return total;
}

v1::TargetStatus CompareWithTarget(double value,
                                   const std::optional<v1::Target>& target) {
  if (!target.has_value()) return v1::TARGET_STATUS_NO_TARGET;
  bool met = false;
  switch (target->comparison()) {
    case v1::COMPARISON_GREATER_OR_EQUAL:
      met = value >= target->value();
      break;
    case v1::COMPARISON_GREATER:
      met = value > target->value();
      break;
    case v1::COMPARISON_LESS_OR_EQUAL:
      met = value <= target->value();
      break;
    case v1::COMPARISON_LESS:
      met = value < target->value();
      break;
    default:
      return v1::TARGET_STATUS_NO_TARGET;
  }
  return met ? v1::TARGET_STATUS_MET : v1::TARGET_STATUS_NOT_MET;
}

namespace {

// The ratio numerator / denominator (without the factor), or why none.
IndicatorResult Ratio(const IndicatorFormula& formula,
                      const ElementTotals& totals) {
  IndicatorResult r;
  bool names_elements = false;
  bool any_data = false;
  for (const Expression* e : {&formula.numerator, &formula.denominator}) {
    for (const std::string& code : e->Elements()) {
      names_elements = true;
      auto it = totals.find(code);
      if (it != totals.end() && it->second.has_data) any_data = true;
    }
  }
  if (names_elements && !any_data) {
    r.no_value_reason = "no data";
    return r;
  }
  auto value_of = [&](const std::string& code) -> double {
    auto it = totals.find(code);
    return it == totals.end() ? 0.0 : static_cast<double>(it->second.value);
  };
  const Evaluation num = Evaluate(formula.numerator, value_of);
  const Evaluation den = Evaluate(formula.denominator, value_of);
  if (!num.has_value) {
    r.no_value_reason = "numerator: " + num.no_value_reason;
    return r;
  }
  if (!den.has_value) {
    r.no_value_reason = "denominator: " + den.no_value_reason;
    return r;
  }
  r.numerator = num.value;
  r.denominator = den.value;
  if (den.value == 0) {
    r.no_value_reason = "denominator is 0";
    return r;
  }
  r.has_value = true;
  r.value = num.value / den.value;
  return r;
}

}  // namespace

IndicatorResult ComputeIndicator(const IndicatorFormula& formula,
                                 const ElementTotals& current,
                                 const ElementTotals* previous) {
  IndicatorResult r = Ratio(formula, current);
  if (r.has_value && formula.growth) {
    if (previous == nullptr) {
      r.has_value = false;
      r.no_value_reason = "previous period: no data";
    } else {
      const IndicatorResult before = Ratio(formula, *previous);
      if (!before.has_value || before.value == 0) {
        r.has_value = false;
        r.no_value_reason = before.has_value
                                ? "previous period: value is 0"
                                : "previous period: " + before.no_value_reason;
      } else {
        r.value = (r.value - before.value) / before.value;
      }
    }
  }
  if (!r.has_value) {
    r.value = 0;
    r.status = v1::TARGET_STATUS_NO_VALUE;
    return r;
  }
  r.value *= formula.factor;
  r.status = CompareWithTarget(r.value, formula.target);
  return r;
}

}  // namespace cmc::indicator
