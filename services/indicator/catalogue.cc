#include "services/indicator/catalogue.h"

#include <map>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace cmc::indicator {
namespace {

// Length in characters (UTF-8 code points).
size_t Utf8Length(absl::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

absl::Status CheckName(absl::string_view name, absl::string_view field) {
  const size_t n = Utf8Length(name);
  if (n < 1 || n > 100) return InvalidField(field, "must be 1-100 characters");
  return absl::OkStatus();
}

bool SameContent(v1::IndicatorDefinition a, v1::IndicatorDefinition b) {
  a.clear_version();
  b.clear_version();
  return a.SerializeAsString() == b.SerializeAsString();
}

}  // namespace

bool IsCode(absl::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  if (!absl::ascii_isupper(static_cast<unsigned char>(code[0]))) return false;
  for (char c : code) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

absl::Status CheckDataElement(const v1::DataElement& element) {
  if (!IsCode(element.code())) {
    return InvalidField("element.code",
                        "must be 1-64 characters of [A-Z0-9_] starting with "
                        "a letter");
  }
  CMC_RETURN_IF_ERROR(CheckName(element.name_zh(), "element.name_zh"));
  CMC_RETURN_IF_ERROR(CheckName(element.name_en(), "element.name_en"));
  if (!v1::ValueType_IsValid(element.value_type()) ||
      element.value_type() == v1::VALUE_TYPE_UNSPECIFIED) {
    return InvalidField("element.value_type", "missing");
  }
  if (!v1::Aggregation_IsValid(element.aggregation()) ||
      element.aggregation() == v1::AGGREGATION_UNSPECIFIED) {
    return InvalidField("element.aggregation", "missing");
  }
  if (!v1::ValueSource_IsValid(element.source()) ||
      element.source() == v1::VALUE_SOURCE_UNSPECIFIED) {
    return InvalidField("element.source", "missing");
  }
  return absl::OkStatus();
}

absl::StatusOr<IndicatorFormula> FormulaOf(
    const v1::IndicatorDefinition& definition,
    const std::function<bool(absl::string_view)>& known,
    absl::string_view field) {
  IndicatorFormula formula;
  CMC_ASSIGN_OR_RETURN(
      formula.numerator,
      ParseExpression(definition.numerator(), absl::StrCat(field, ".numerator"),
                      known));
  CMC_ASSIGN_OR_RETURN(
      formula.denominator,
      ParseExpression(definition.denominator(),
                      absl::StrCat(field, ".denominator"), known));
  formula.factor = definition.factor();
  formula.growth = definition.growth();
  if (definition.has_target()) formula.target = definition.target();
  return formula;
}

absl::Status CheckIndicatorSet(
    const v1::IndicatorSet& set,
    const std::function<bool(absl::string_view)>& known) {
  if (!IsCode(set.code())) {
    return InvalidField("set.code",
                        "must be 1-64 characters of [A-Z0-9_] starting with "
                        "a letter");
  }
  if (set.version() < 0) return InvalidField("set.version", "negative");
  CMC_RETURN_IF_ERROR(CheckName(set.name_zh(), "set.name_zh"));
  CMC_RETURN_IF_ERROR(CheckName(set.name_en(), "set.name_en"));
  if (set.indicators().empty() ||
      set.indicators_size() > kMaxIndicatorsPerSet) {
    return InvalidField(
        "set.indicators",
        absl::StrCat("must hold 1-", kMaxIndicatorsPerSet, " definitions"));
  }
  std::set<std::string> codes;
  for (int i = 0; i < set.indicators_size(); ++i) {
    const v1::IndicatorDefinition& d = set.indicators(i);
    const std::string field = absl::StrCat("set.indicators[", i, "]");
    if (!IsCode(d.code())) {
      return InvalidField(absl::StrCat(field, ".code"),
                          "must be 1-64 characters of [A-Z0-9_] starting "
                          "with a letter");
    }
    if (!codes.insert(d.code()).second) {
      return InvalidField(
          absl::StrCat(field, ".code"),
          absl::StrCat("\"", d.code(), "\" is in the set twice"));
    }
    CMC_RETURN_IF_ERROR(
        CheckName(d.name_zh(), absl::StrCat(field, ".name_zh")));
    CMC_RETURN_IF_ERROR(
        CheckName(d.name_en(), absl::StrCat(field, ".name_en")));
    CMC_RETURN_IF_ERROR(FormulaOf(d, known, field).status());
    if (!(d.factor() > 0) || d.factor() > 1e9) {
      return InvalidField(absl::StrCat(field, ".factor"),
                          "must be positive (100 for a percentage)");
    }
    if (!v1::Direction_IsValid(d.direction()) ||
        d.direction() == v1::DIRECTION_UNSPECIFIED) {
      return InvalidField(absl::StrCat(field, ".direction"), "missing");
    }
    if (d.has_target() &&
        (!v1::Comparison_IsValid(d.target().comparison()) ||
         d.target().comparison() == v1::COMPARISON_UNSPECIFIED)) {
      return InvalidField(absl::StrCat(field, ".target.comparison"), "missing");
    }
  }
  return absl::OkStatus();
}

void AssignDefinitionVersions(const v1::IndicatorSet* previous,
                              int64_t new_version, v1::IndicatorSet* next) {
  std::map<std::string, const v1::IndicatorDefinition*> before;
  if (previous != nullptr) {
    for (const auto& d : previous->indicators()) before[d.code()] = &d;
  }
  for (v1::IndicatorDefinition& d : *next->mutable_indicators()) {
    auto it = before.find(d.code());
    d.set_version(it != before.end() && SameContent(*it->second, d)
                      ? it->second->version()
                      : new_version);
  }
}

}  // namespace cmc::indicator
