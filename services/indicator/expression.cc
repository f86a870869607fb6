#include "services/indicator/expression.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace cmc::indicator {

struct ExpressionNode {
  enum class Kind {
    kNumber,
    kElement,
    kNegate,
    kAdd,
    kSubtract,
    kMultiply,
    kDivide
  };
  Kind kind = Kind::kNumber;
  // Offset of the node's token (the operator for binary nodes).
  size_t position = 0;
  double number = 0;
  std::string element;
  std::unique_ptr<ExpressionNode> left;
  std::unique_ptr<ExpressionNode> right;
};

namespace {

using Node = ExpressionNode;
using NodePtr = std::unique_ptr<Node>;

bool IsIdentStart(char c) {
  return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool IsIdentPart(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
}
bool IsDigit(char c) {
  return absl::ascii_isdigit(static_cast<unsigned char>(c));
}

// A recursive-descent parser over the grammar
//   sum     := product (('+' | '-') product)*
//   product := unary (('*' | '/') unary)*
//   unary   := '-' unary | primary
//   primary := number | element | '(' sum ')'
class Parser {
 public:
  Parser(absl::string_view text,
         const std::function<bool(absl::string_view)>& known)
      : text_(text), known_(known) {}

  absl::StatusOr<NodePtr> ParseAll() {
    auto root = Sum(0);
    if (!root.ok()) return root;
    SkipSpace();
    if (pos_ < text_.size()) {
      return Error(pos_, absl::StrCat("unexpected \"", text_.substr(pos_, 1),
                                      "\"; expected an operator"));
    }
    return root;
  }

  std::vector<std::string> TakeElements() { return std::move(elements_); }

 private:
  absl::Status Error(size_t at, absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("at ", at, ": ", why));
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }

  static NodePtr Binary(Node::Kind kind, size_t at, NodePtr l, NodePtr r) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->position = at;
    node->left = std::move(l);
    node->right = std::move(r);
    return node;
  }

  absl::StatusOr<NodePtr> Sum(int depth) {
    auto left = Product(depth);
    if (!left.ok()) return left;
    NodePtr node = *std::move(left);
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size() || (text_[pos_] != '+' && text_[pos_] != '-')) {
        return node;
      }
      const size_t at = pos_;
      const Node::Kind kind =
          text_[pos_] == '+' ? Node::Kind::kAdd : Node::Kind::kSubtract;
      ++pos_;
      auto right = Product(depth);
      if (!right.ok()) return right;
      node = Binary(kind, at, std::move(node), *std::move(right));
    }
  }

  absl::StatusOr<NodePtr> Product(int depth) {
    auto left = Unary(depth);
    if (!left.ok()) return left;
    NodePtr node = *std::move(left);
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size() || (text_[pos_] != '*' && text_[pos_] != '/')) {
        return node;
      }
      const size_t at = pos_;
      const Node::Kind kind =
          text_[pos_] == '*' ? Node::Kind::kMultiply : Node::Kind::kDivide;
      ++pos_;
      auto right = Unary(depth);
      if (!right.ok()) return right;
      node = Binary(kind, at, std::move(node), *std::move(right));
    }
  }

  absl::StatusOr<NodePtr> Unary(int depth) {
    SkipSpace();
    if (depth >= kMaxExpressionDepth) {
      return Error(pos_,
                   absl::StrCat("nested deeper than ", kMaxExpressionDepth));
    }
    if (pos_ < text_.size() && text_[pos_] == '-') {
      const size_t at = pos_++;
      auto operand = Unary(depth + 1);
      if (!operand.ok()) return operand;
      auto node = std::make_unique<Node>();
      node->kind = Node::Kind::kNegate;
      node->position = at;
      node->left = *std::move(operand);
      return node;
    }
    return Primary(depth);
  }

  absl::StatusOr<NodePtr> Primary(int depth) {
    SkipSpace();
    if (pos_ >= text_.size()) {
      return Error(pos_, "unexpected end; expected a number, an element or (");
    }
    const size_t at = pos_;
    const char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      auto inner = Sum(depth + 1);
      if (!inner.ok()) return inner;
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ')') {
        return Error(pos_, absl::StrCat("expected ) to close ( at ", at));
      }
      ++pos_;
      return inner;
    }
    if (IsDigit(c)) return Number(at);
    if (IsIdentStart(c)) {
      while (pos_ < text_.size() && IsIdentPart(text_[pos_])) ++pos_;
      const absl::string_view code = text_.substr(at, pos_ - at);
      if (!known_(code)) {
        return Error(at, absl::StrCat("unknown data element \"", code, "\""));
      }
      auto node = std::make_unique<Node>();
      node->kind = Node::Kind::kElement;
      node->position = at;
      node->element = std::string(code);
      if (std::find(elements_.begin(), elements_.end(), node->element) ==
          elements_.end()) {
        elements_.push_back(node->element);
      }
      return node;
    }
    return Error(at, absl::StrCat("unexpected \"", text_.substr(at, 1),
                                  "\"; expected a number, an element or ("));
  }

  absl::StatusOr<NodePtr> Number(size_t at) {
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) {
        return Error(pos_, "expected a digit after the decimal point");
      }
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && IsIdentStart(text_[pos_])) {
      return Error(pos_, "a number runs into a name");
    }
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kNumber;
    node->position = at;
    node->number =
        std::strtod(std::string(text_.substr(at, pos_ - at)).c_str(), nullptr);
    return node;
  }

  absl::string_view text_;
  const std::function<bool(absl::string_view)>& known_;
  size_t pos_ = 0;
  std::vector<std::string> elements_;
};

struct Evaluator {
  const std::function<double(const std::string&)>& value_of;
  Evaluation result{true, 0, ""};

  double Eval(const Node& node) {
    if (!result.has_value) return 0;
    switch (node.kind) {
      case Node::Kind::kNumber:
        return node.number;
      case Node::Kind::kElement:
        return value_of(node.element);
      case Node::Kind::kNegate:
        return -Eval(*node.left);
      case Node::Kind::kAdd:
        return Eval(*node.left) + Eval(*node.right);
      case Node::Kind::kSubtract:
        return Eval(*node.left) - Eval(*node.right);
      case Node::Kind::kMultiply:
        return Eval(*node.left) * Eval(*node.right);
      case Node::Kind::kDivide: {
        const double numerator = Eval(*node.left);
        const double divisor = Eval(*node.right);
        if (!result.has_value) return 0;
        if (divisor == 0) {
          result.has_value = false;
          result.no_value_reason =
              absl::StrCat("division by zero at ", node.position);
          return 0;
        }
        return numerator / divisor;
      }
    }
    return 0;
  }
};

std::shared_ptr<const Node> One() {
  static const std::shared_ptr<const Node>* one = [] {
    auto node = std::make_shared<Node>();
    node->number = 1;
    return new std::shared_ptr<const Node>(std::move(node));
  }();
  return *one;
}

}  // namespace

Expression::Expression() : root_(One()) {}

absl::StatusOr<Expression> ParseExpression(
    absl::string_view text, absl::string_view field,
    const std::function<bool(absl::string_view)>& known) {
  if (text.size() > kMaxExpressionLength) {
    return InvalidField(
        field,
        absl::StrCat("longer than ", kMaxExpressionLength, " characters"));
  }
  if (absl::StripAsciiWhitespace(text).empty()) return Expression();
  Parser parser(text, known);
  absl::StatusOr<NodePtr> root = parser.ParseAll();
  if (!root.ok()) return InvalidField(field, root.status().message());
  return Expression(std::shared_ptr<const Node>(*std::move(root)),
                    parser.TakeElements());
}

Evaluation Evaluate(const Expression& expression,
                    const std::function<double(const std::string&)>& value_of) {
  Evaluator evaluator{value_of};
  const double value = evaluator.Eval(expression.root());
  if (evaluator.result.has_value) evaluator.result.value = value;
  return evaluator.result;
}

}  // namespace cmc::indicator
