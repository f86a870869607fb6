// The numerator and denominator expressions of indicators (pure,
// thread-safe): data element codes, decimal constants, + - * /, unary minus
// and parentheses, with the usual precedence.
//
//   CMC_ASSIGN_OR_RETURN(
//       Expression e,
//       ParseExpression("(A + B) / 2", "numerator",
//                       [](absl::string_view code) { return code != "X"; }));
//   e.Elements() == {"A", "B"};
//   Evaluate(e, [](const std::string& code) { return 4.0; }).value == 4.0;
#ifndef CMC_SERVICES_INDICATOR_EXPRESSION_H_
#define CMC_SERVICES_INDICATOR_EXPRESSION_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cmc::indicator {

// The longest expression accepted, in characters.
inline constexpr size_t kMaxExpressionLength = 1000;
// The deepest nesting accepted (parentheses and unary minus).
inline constexpr int kMaxExpressionDepth = 64;

struct ExpressionNode;

// A parsed expression; cheap to copy (shares its immutable tree).
class Expression {
 public:
  // The constant 1 (an empty denominator).
  Expression();
  explicit Expression(std::shared_ptr<const ExpressionNode> root,
                      std::vector<std::string> elements)
      : root_(std::move(root)), elements_(std::move(elements)) {}

  // Distinct element codes in order of first mention.
  const std::vector<std::string>& Elements() const { return elements_; }
  const ExpressionNode& root() const { return *root_; }

 private:
  std::shared_ptr<const ExpressionNode> root_;
  std::vector<std::string> elements_;
};

// Parses `text`. An empty (or blank) text is the constant 1. INVALID_ARGUMENT
// naming `field`, the message "at <offset>: <why>" (0-based character
// offset) for bad syntax, an element code for which `known` is false, a
// text longer than kMaxExpressionLength or nested deeper than
// kMaxExpressionDepth.
absl::StatusOr<Expression> ParseExpression(
    absl::string_view text, absl::string_view field,
    const std::function<bool(absl::string_view)>& known);

// The value of an expression, or why it has none.
struct Evaluation {
  bool has_value = false;
  double value = 0;
  // "division by zero at <offset>" when has_value is false.
  std::string no_value_reason;
};

// Evaluates `expression` with each element's value from `value_of`. A
// division by a zero divisor gives no value, never an infinity.
Evaluation Evaluate(const Expression& expression,
                    const std::function<double(const std::string&)>& value_of);

}  // namespace cmc::indicator

#endif  // CMC_SERVICES_INDICATOR_EXPRESSION_H_
