#include "services/indicator/expression.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace cmc::indicator {
namespace {

const std::map<std::string, double>& Values() {
  static const auto* values = new std::map<std::string, double>{
      {"A", 6}, {"B", 3}, {"C", 0}, {"VISITS_TOTAL", 100}, {"X_2", 2}};
  return *values;
}

bool Known(absl::string_view code) {
  return Values().count(std::string(code)) > 0;
}

double ValueOf(const std::string& code) { return Values().at(code); }

TEST(ExpressionTest, EvaluatesWithPrecedenceAndParentheses) {
  struct Case {
    std::string text;
    double value;
    std::vector<std::string> elements;
  };
  const Case cases[] = {
      {"A", 6, {"A"}},
      {"A + B", 9, {"A", "B"}},
      {"A - B - 1", 2, {"A", "B"}},  // left-associative
      {"A / B / 2", 1, {"A", "B"}},  // left-associative
      {"A + B * 2", 12, {"A", "B"}},
      {"(A + B) * 2", 18, {"A", "B"}},
      {"A*B+A", 24, {"A", "B"}},  // A once
      {"-A + 10", 4, {"A"}},
      {"--A", 6, {"A"}},
      {"A * -B", -18, {"A", "B"}},
      {"0.5 * A", 3, {"A"}},
      {"10000", 10000, {}},
      {"  VISITS_TOTAL  ", 100, {"VISITS_TOTAL"}},
      {"((((X_2))))", 2, {"X_2"}},
      {"B - A", -3, {"B", "A"}},
      {"C * A", 0, {"C", "A"}},
      {"", 1, {}},  // an empty denominator is 1
      {"   ", 1, {}},
  };
  for (const Case& c : cases) {
    auto e = ParseExpression(c.text, "numerator", Known);
    ASSERT_TRUE(e.ok()) << c.text << ": " << e.status();
    EXPECT_EQ(e->Elements(), c.elements) << c.text;
    const Evaluation v = Evaluate(*e, ValueOf);
    ASSERT_TRUE(v.has_value) << c.text;
    EXPECT_DOUBLE_EQ(v.value, c.value) << c.text;
  }
}

TEST(ExpressionTest, DivisionByZeroGivesNoValueNamingThePosition) {
  struct Case {
    std::string text;
    std::string reason;
  };
  const Case cases[] = {
      {"A / C", "division by zero at 2"},
      {"A / (B - 3)", "division by zero at 2"},
      {"1 + A / 0", "division by zero at 6"},
      {"(A / C) * 0", "division by zero at 3"},
      {"A / B / C", "division by zero at 6"},
  };
  for (const Case& c : cases) {
    auto e = ParseExpression(c.text, "numerator", Known);
    ASSERT_TRUE(e.ok()) << c.text << ": " << e.status();
    const Evaluation v = Evaluate(*e, ValueOf);
    EXPECT_FALSE(v.has_value) << c.text;
    EXPECT_EQ(v.no_value_reason, c.reason) << c.text;
    EXPECT_EQ(v.value, 0) << c.text;
  }
}

TEST(ExpressionTest, ErrorsNameTheFieldAndPosition) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"A + VISTS",
       "set.indicators[1].numerator: at 4: unknown data element "
       "\"VISTS\""},
      {"A +",
       "set.indicators[1].numerator: at 3: unexpected end; expected a "
       "number, an element or ("},
      {"A B",
       "set.indicators[1].numerator: at 2: unexpected \"B\"; expected "
       "an operator"},
      {"(A + B",
       "set.indicators[1].numerator: at 6: expected ) to close ( "
       "at 0"},
      {"A + B)",
       "set.indicators[1].numerator: at 5: unexpected \")\"; "
       "expected an operator"},
      {"A * * B",
       "set.indicators[1].numerator: at 4: unexpected \"*\"; "
       "expected a number, an element or ("},
      {"1.",
       "set.indicators[1].numerator: at 2: expected a digit after the "
       "decimal point"},
      {"2A", "set.indicators[1].numerator: at 1: a number runs into a name"},
      {"A % B",
       "set.indicators[1].numerator: at 2: unexpected \"%\"; "
       "expected an operator"},
      {"()",
       "set.indicators[1].numerator: at 1: unexpected \")\"; expected "
       "a number, an element or ("},
      {"+A",
       "set.indicators[1].numerator: at 0: unexpected \"+\"; expected "
       "a number, an element or ("},
  };
  for (const Case& c : cases) {
    auto e = ParseExpression(c.text, "set.indicators[1].numerator", Known);
    ASSERT_FALSE(e.ok()) << c.text;
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(e.status().message(), c.message) << c.text;
  }
}

TEST(ExpressionTest, BoundsLengthAndDepth) {
  const std::string longest(kMaxExpressionLength - 1, ' ');
  EXPECT_TRUE(ParseExpression(longest + "A", "n", Known).ok());
  auto too_long = ParseExpression(longest + "AB", "n", Known);
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);

  const std::string deep = std::string(kMaxExpressionDepth, '(') + "A" +
                           std::string(kMaxExpressionDepth, ')');
  auto e = ParseExpression(deep, "n", Known);
  EXPECT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("nested deeper than"), std::string::npos);
  const std::string ok = std::string(kMaxExpressionDepth - 1, '(') + "A" +
                         std::string(kMaxExpressionDepth - 1, ')');
  EXPECT_TRUE(ParseExpression(ok, "n", Known).ok());
  // Unary minus counts towards the depth too; none of this overflows the
  // stack.
  EXPECT_FALSE(ParseExpression(std::string(900, '-') + "A", "n", Known).ok());
}

}  // namespace
}  // namespace cmc::indicator
