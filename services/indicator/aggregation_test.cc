#include "services/indicator/aggregation.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace cmc::indicator {
namespace {

ReportingPeriod P(const std::string& text) { return *ParsePeriod(text); }

Observation O(const std::string& unit, const std::string& period,
              int64_t value) {
  return Observation{unit, P(period), value};
}

// county 320123 > com-1 > {ins-lead, ins-town}; com-2 > {ins-other}.
OrgTree Tree() {
  OrgTree tree;
  tree.Add("320123", "com-1");
  tree.Add("320123", "com-2");
  tree.Add("com-1", "ins-lead");
  tree.Add("com-1", "ins-town");
  tree.Add("com-2", "ins-other");
  return tree;
}

TEST(OrgTreeTest, SubtreeHoldsTheUnitAndEverythingBelow) {
  const OrgTree tree = Tree();
  EXPECT_EQ(tree.Subtree("320123"),
            (std::set<std::string>{"320123", "com-1", "com-2", "ins-lead",
                                   "ins-town", "ins-other"}));
  EXPECT_EQ(tree.Subtree("com-1"),
            (std::set<std::string>{"com-1", "ins-lead", "ins-town"}));
  EXPECT_EQ(tree.Subtree("ins-town"), (std::set<std::string>{"ins-town"}));
  EXPECT_EQ(tree.Subtree("unknown"), (std::set<std::string>{"unknown"}));
  EXPECT_EQ(tree.Children("com-1"),
            (std::vector<std::string>{"ins-lead", "ins-town"}));
  OrgTree cycle;
  cycle.Add("a", "b");
  cycle.Add("b", "a");
  EXPECT_EQ(cycle.Subtree("a"), (std::set<std::string>{"a", "b"}));
}

TEST(AggregationTest, SumAndLastOverTimeAndTree) {
  const std::vector<Observation> rows = {
      O("ins-lead", "2024-01", 10),     // 0
      O("ins-lead", "2024-02", 20),     // 1
      O("ins-town", "2024-01", 5),      // 2
      O("ins-town", "2024-03-15", 1),   // 3 a day
      O("com-1", "2024-02", 100),       // 4 reported at the community itself
      O("ins-other", "2024-02", 1000),  // 5 another community
      O("ins-lead", "2023-12", 7),      // 6 the year before
      O("ins-town", "2024-03", 9),      // 7 the month of the day above
  };
  const OrgTree tree = Tree();
  struct Case {
    v1::Aggregation aggregation;
    std::string unit;
    std::string period;
    bool has_data;
    int64_t value;
    std::vector<size_t> used;
  };
  const Case cases[] = {
      {v1::AGGREGATION_SUM, "ins-lead", "2024", true, 30, {0, 1}},
      {v1::AGGREGATION_SUM, "ins-lead", "2024Q1", true, 30, {0, 1}},
      {v1::AGGREGATION_SUM, "ins-lead", "2024-02", true, 20, {1}},
      {v1::AGGREGATION_SUM, "ins-lead", "2023", true, 7, {6}},
      {v1::AGGREGATION_SUM, "ins-lead", "2022", false, 0, {}},
      {v1::AGGREGATION_SUM, "com-1", "2024", true, 145, {0, 1, 2, 3, 4, 7}},
      {v1::AGGREGATION_SUM,
       "320123",
       "2024",
       true,
       1145,
       {0, 1, 2, 3, 4, 5, 7}},
      {v1::AGGREGATION_SUM, "com-2", "2024Q1", true, 1000, {5}},
      // A month never counts towards a week; a day does.
      {v1::AGGREGATION_SUM, "ins-town", "2024W11", true, 1, {3}},
      {v1::AGGREGATION_SUM, "ins-town", "2024W10", false, 0, {}},
      // LAST: per unit the latest period, then summed up the tree.
      {v1::AGGREGATION_LAST, "ins-lead", "2024", true, 20, {1}},
      {v1::AGGREGATION_LAST, "ins-lead", "2024-01", true, 10, {0}},
      // 2024-03 and 2024-03-15: the month ends later.
      {v1::AGGREGATION_LAST, "ins-town", "2024Q1", true, 9, {7}},
      {v1::AGGREGATION_LAST, "com-1", "2024", true, 129, {1, 4, 7}},
      {v1::AGGREGATION_LAST, "320123", "2024", true, 1129, {1, 4, 5, 7}},
      {v1::AGGREGATION_LAST, "320123", "2023Q4", true, 7, {6}},
  };
  for (const Case& c : cases) {
    const ElementTotal t = AggregateElement(c.aggregation, rows,
                                            tree.Subtree(c.unit), P(c.period));
    EXPECT_EQ(t.has_data, c.has_data) << c.unit << " " << c.period;
    EXPECT_EQ(t.value, c.value) << c.unit << " " << c.period;
    EXPECT_EQ(t.used, c.used) << c.unit << " " << c.period;
  }
}

TEST(AggregationTest, LastPrefersTheDayOnTheMonthsLastDay) {
  const std::vector<Observation> rows = {O("ins-1", "2024-03", 50),
                                         O("ins-1", "2024-03-31", 51),
                                         O("ins-1", "2024-03-30", 49)};
  const ElementTotal t =
      AggregateElement(v1::AGGREGATION_LAST, rows, {"ins-1"}, P("2024"));
  EXPECT_EQ(t.value, 51);
  EXPECT_EQ(t.used, std::vector<size_t>{1});
}

IndicatorFormula Formula(const std::string& num, const std::string& den,
                         double factor) {
  auto known = [](absl::string_view) { return true; };
  IndicatorFormula f;
  f.numerator = *ParseExpression(num, "numerator", known);
  f.denominator = *ParseExpression(den, "denominator", known);
  f.factor = factor;
  return f;
}

ElementTotals Totals(std::initializer_list<std::pair<std::string, int64_t>> v) {
  ElementTotals totals;
  for (const auto& [code, value] : v) totals[code] = {true, value, {}};
  return totals;
}

TEST(AggregationTest, RatiosAreComputedFromSummedParts) {
  // Two institutions: 9/10 and 1/90. Averaging ratios would give 45.6%;
  // the rule gives (9 + 1) / (10 + 90) = 10%.
  const std::vector<Observation> num = {O("ins-a", "2024-01", 9),
                                        O("ins-b", "2024-01", 1)};
  const std::vector<Observation> den = {O("ins-a", "2024-01", 10),
                                        O("ins-b", "2024-01", 90)};
  OrgTree tree;
  tree.Add("com-1", "ins-a");
  tree.Add("com-1", "ins-b");
  ElementTotals totals;
  totals["N"] = AggregateElement(v1::AGGREGATION_SUM, num,
                                 tree.Subtree("com-1"), P("2024"));
  totals["D"] = AggregateElement(v1::AGGREGATION_SUM, den,
                                 tree.Subtree("com-1"), P("2024"));
  const IndicatorResult r =
      ComputeIndicator(Formula("N", "D", 100), totals, nullptr);
  ASSERT_TRUE(r.has_value);
  EXPECT_DOUBLE_EQ(r.numerator, 10);
  EXPECT_DOUBLE_EQ(r.denominator, 100);
  EXPECT_DOUBLE_EQ(r.value, 10);
}

TEST(AggregationTest, IndicatorValuesTargetsAndMissingValues) {
  v1::Target at_least_90;
  at_least_90.set_value(90);
  at_least_90.set_comparison(v1::COMPARISON_GREATER_OR_EQUAL);
  v1::Target below_5;
  below_5.set_value(5);
  below_5.set_comparison(v1::COMPARISON_LESS);
  struct Case {
    std::string name;
    IndicatorFormula formula;
    ElementTotals totals;
    bool has_value;
    double value;
    v1::TargetStatus status;
    std::string reason;
  };
  auto with = [](IndicatorFormula f, const v1::Target& t) {
    f.target = t;
    return f;
  };
  const Case cases[] = {
      {"met", with(Formula("N", "D", 100), at_least_90),
       Totals({{"N", 90}, {"D", 100}}), true, 90, v1::TARGET_STATUS_MET, ""},
      {"not met", with(Formula("N", "D", 100), at_least_90),
       Totals({{"N", 89}, {"D", 100}}), true, 89, v1::TARGET_STATUS_NOT_MET,
       ""},
      {"lower is better", with(Formula("N", "D", 100), below_5),
       Totals({{"N", 4}, {"D", 100}}), true, 4, v1::TARGET_STATUS_MET, ""},
      {"at the bound, strict", with(Formula("N", "D", 100), below_5),
       Totals({{"N", 5}, {"D", 100}}), true, 5, v1::TARGET_STATUS_NOT_MET, ""},
      {"no target", Formula("N", "D", 100), Totals({{"N", 1}, {"D", 4}}), true,
       25, v1::TARGET_STATUS_NO_TARGET, ""},
      {"per 10,000", Formula("GP", "POP", 10000),
       Totals({{"GP", 30}, {"POP", 100000}}), true, 3,
       v1::TARGET_STATUS_NO_TARGET, ""},
      {"a count", Formula("DOWN_OUT + DOWN_IN", "", 1),
       Totals({{"DOWN_OUT", 7}, {"DOWN_IN", 5}}), true, 12,
       v1::TARGET_STATUS_NO_TARGET, ""},
      {"missing element counts 0", Formula("A + B", "D", 1),
       Totals({{"A", 3}, {"D", 3}}), true, 1, v1::TARGET_STATUS_NO_TARGET, ""},
      {"zero denominator", with(Formula("N", "D", 100), at_least_90),
       Totals({{"N", 5}, {"D", 0}}), false, 0, v1::TARGET_STATUS_NO_VALUE,
       "denominator is 0"},
      {"no data", Formula("N", "D", 100), Totals({}), false, 0,
       v1::TARGET_STATUS_NO_VALUE, "no data"},
      {"division inside", Formula("N / Z", "D", 1),
       Totals({{"N", 5}, {"Z", 0}, {"D", 1}}), false, 0,
       v1::TARGET_STATUS_NO_VALUE, "numerator: division by zero at 2"},
      {"level 3 share, field study 2021", Formula("SURG_L3", "SURG_TOTAL", 100),
       Totals({{"SURG_L3", 1149}, {"SURG_TOTAL", 9475}}), true,
       100.0 * 1149 / 9475, v1::TARGET_STATUS_NO_TARGET, ""},
  };
  for (const Case& c : cases) {
    const IndicatorResult r = ComputeIndicator(c.formula, c.totals, nullptr);
    EXPECT_EQ(r.has_value, c.has_value) << c.name;
    EXPECT_DOUBLE_EQ(r.value, c.value) << c.name;
    EXPECT_EQ(r.status, c.status) << c.name;
    EXPECT_EQ(r.no_value_reason, c.reason) << c.name;
  }
}

TEST(AggregationTest, GrowthAgainstThePreviousPeriod) {
  IndicatorFormula cost = Formula("COST", "CASES", 100);
  cost.growth = true;
  const ElementTotals now = Totals({{"COST", 1100}, {"CASES", 100}});
  const ElementTotals before = Totals({{"COST", 1000}, {"CASES", 100}});
  const ElementTotals zero = Totals({{"COST", 0}, {"CASES", 100}});
  const ElementTotals none = Totals({});

  IndicatorResult r = ComputeIndicator(cost, now, &before);
  ASSERT_TRUE(r.has_value);
  EXPECT_DOUBLE_EQ(r.value, 10);  // 11 -> 10 per case: +10%

  r = ComputeIndicator(cost, now, &zero);
  EXPECT_FALSE(r.has_value);
  EXPECT_EQ(r.no_value_reason, "previous period: value is 0");
  r = ComputeIndicator(cost, now, &none);
  EXPECT_FALSE(r.has_value);
  EXPECT_EQ(r.no_value_reason, "previous period: no data");
  r = ComputeIndicator(cost, now, nullptr);
  EXPECT_FALSE(r.has_value);
}

}  // namespace
}  // namespace cmc::indicator
