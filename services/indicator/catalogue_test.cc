#include "services/indicator/catalogue.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "common/status.h"
#include "services/indicator/org_unit.h"

namespace cmc::indicator {
namespace {

bool Known(absl::string_view code) { return code == "N" || code == "D"; }

v1::IndicatorSet ValidSet() {
  v1::IndicatorSet set;
  set.set_code("PROVINCE_JS");
  set.set_name_zh("江苏省指标");
  set.set_name_en("Jiangsu indicators");
  v1::IndicatorDefinition* d = set.add_indicators();
  d->set_code("SHARE");
  d->set_name_zh("占比");
  d->set_name_en("Share");
  d->set_numerator("N");
  d->set_denominator("D");
  d->set_factor(100);
  d->set_direction(v1::DIRECTION_HIGHER_IS_BETTER);
  return set;
}

TEST(CatalogueTest, SetChecksNameTheField) {
  struct Case {
    std::string name;
    std::function<void(v1::IndicatorSet&)> change;
    std::string field;  // "" when valid
  };
  const Case cases[] = {
      {"valid", [](v1::IndicatorSet&) {}, ""},
      {"code", [](v1::IndicatorSet& s) { s.set_code("js"); }, "set.code"},
      {"name_zh", [](v1::IndicatorSet& s) { s.set_name_zh(""); },
       "set.name_zh"},
      {"name_en",
       [](v1::IndicatorSet& s) { s.set_name_en(std::string(101, 'x')); },
       "set.name_en"},
      {"100 Chinese characters are fine",
       [](v1::IndicatorSet& s) {
         std::string name;
         for (int i = 0; i < 100; ++i) name += "指";
         s.set_name_zh(name);
       },
       ""},
      {"no indicators", [](v1::IndicatorSet& s) { s.clear_indicators(); },
       "set.indicators"},
      {"code twice",
       [](v1::IndicatorSet& s) { *s.add_indicators() = s.indicators(0); },
       "set.indicators[1].code"},
      {"definition code",
       [](v1::IndicatorSet& s) { s.mutable_indicators(0)->set_code("1X"); },
       "set.indicators[0].code"},
      {"unknown element",
       [](v1::IndicatorSet& s) {
         s.mutable_indicators(0)->set_numerator("N + X");
       },
       "set.indicators[0].numerator"},
      {"bad denominator",
       [](v1::IndicatorSet& s) {
         s.mutable_indicators(0)->set_denominator("(D");
       },
       "set.indicators[0].denominator"},
      {"factor",
       [](v1::IndicatorSet& s) { s.mutable_indicators(0)->set_factor(0); },
       "set.indicators[0].factor"},
      {"direction",
       [](v1::IndicatorSet& s) {
         s.mutable_indicators(0)->set_direction(v1::DIRECTION_UNSPECIFIED);
       },
       "set.indicators[0].direction"},
      {"comparison",
       [](v1::IndicatorSet& s) {
         s.mutable_indicators(0)->mutable_target()->set_value(90);
       },
       "set.indicators[0].target.comparison"},
      {"version", [](v1::IndicatorSet& s) { s.set_version(-1); },
       "set.version"},
  };
  for (const Case& c : cases) {
    v1::IndicatorSet set = ValidSet();
    c.change(set);
    const absl::Status status = CheckIndicatorSet(set, Known);
    if (c.field.empty()) {
      EXPECT_TRUE(status.ok()) << c.name << ": " << status;
      continue;
    }
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(BadField(status), c.field) << c.name << ": " << status;
  }
  v1::IndicatorSet unknown = ValidSet();
  unknown.mutable_indicators(0)->set_numerator("N + X");
  EXPECT_EQ(CheckIndicatorSet(unknown, Known).message(),
            "set.indicators[0].numerator: at 4: unknown data element \"X\"");
}

TEST(CatalogueTest, ElementChecksNameTheField) {
  v1::DataElement valid;
  valid.set_code("VISITS");
  valid.set_name_zh("诊疗人次");
  valid.set_name_en("Visits");
  valid.set_value_type(v1::VALUE_TYPE_COUNT);
  valid.set_aggregation(v1::AGGREGATION_SUM);
  valid.set_source(v1::VALUE_SOURCE_REPORTED);
  struct Case {
    std::function<void(v1::DataElement&)> change;
    std::string field;
  };
  const Case cases[] = {
      {[](v1::DataElement&) {}, ""},
      {[](v1::DataElement& e) { e.set_code("visits"); }, "element.code"},
      {[](v1::DataElement& e) { e.set_code(std::string(65, 'A')); },
       "element.code"},
      {[](v1::DataElement& e) { e.set_name_zh(""); }, "element.name_zh"},
      {[](v1::DataElement& e) { e.set_name_en(""); }, "element.name_en"},
      {[](v1::DataElement& e) { e.clear_value_type(); }, "element.value_type"},
      {[](v1::DataElement& e) { e.clear_aggregation(); },
       "element.aggregation"},
      {[](v1::DataElement& e) { e.clear_source(); }, "element.source"},
  };
  for (const Case& c : cases) {
    v1::DataElement e = valid;
    c.change(e);
    const absl::Status status = CheckDataElement(e);
    EXPECT_EQ(BadField(status), c.field) << status;
    EXPECT_EQ(status.ok(), c.field.empty()) << status;
  }
}

TEST(CatalogueTest, DefinitionVersionsChangeOnlyWithContent) {
  v1::IndicatorSet v1set = ValidSet();
  AssignDefinitionVersions(nullptr, 1, &v1set);
  EXPECT_EQ(v1set.indicators(0).version(), 1);

  v1::IndicatorSet v2set = ValidSet();
  v1::IndicatorDefinition* added = v2set.add_indicators();
  *added = v2set.indicators(0);
  added->set_code("OTHER");
  AssignDefinitionVersions(&v1set, 2, &v2set);
  EXPECT_EQ(v2set.indicators(0).version(), 1);  // unchanged
  EXPECT_EQ(v2set.indicators(1).version(), 2);  // new

  v1::IndicatorSet v3set = v2set;
  v3set.mutable_indicators(0)->mutable_target()->set_value(50);
  v3set.mutable_indicators(0)->mutable_target()->set_comparison(
      v1::COMPARISON_GREATER_OR_EQUAL);
  AssignDefinitionVersions(&v2set, 3, &v3set);
  EXPECT_EQ(v3set.indicators(0).version(), 3);  // target changed
  EXPECT_EQ(v3set.indicators(1).version(), 2);
}

TEST(OrgUnitTest, ParsesAndPlacesUnits) {
  struct Case {
    std::function<void(v1::OrgUnit&)> set;
    std::string field;  // "" when valid
    v1::OrgLevel level;
  };
  const Case cases[] = {
      {[](v1::OrgUnit& u) { u.set_institution_id("ins-1"); }, "",
       v1::ORG_LEVEL_INSTITUTION},
      {[](v1::OrgUnit& u) { u.set_community_id("com-1"); }, "",
       v1::ORG_LEVEL_COMMUNITY},
      {[](v1::OrgUnit& u) { u.set_division_code("320123"); }, "",
       v1::ORG_LEVEL_COUNTY},
      {[](v1::OrgUnit& u) { u.set_division_code("320100"); }, "",
       v1::ORG_LEVEL_PREFECTURE},
      {[](v1::OrgUnit& u) { u.set_division_code("320000"); }, "",
       v1::ORG_LEVEL_PROVINCE},
      {[](v1::OrgUnit&) {}, "rows[0].org_unit", {}},
      {[](v1::OrgUnit& u) { u.set_institution_id("ins 1"); },
       "rows[0].org_unit.institution_id",
       {}},
      {[](v1::OrgUnit& u) { u.set_community_id(""); },
       "rows[0].org_unit.community_id",
       {}},
      {[](v1::OrgUnit& u) { u.set_division_code("32012"); },
       "rows[0].org_unit.division_code",
       {}},
      {[](v1::OrgUnit& u) { u.set_division_code("000000"); },
       "rows[0].org_unit.division_code",
       {}},
      {[](v1::OrgUnit& u) { u.set_division_code("99012a"); },
       "rows[0].org_unit.division_code",
       {}},
  };
  for (const Case& c : cases) {
    v1::OrgUnit unit;
    c.set(unit);
    auto key = ParseOrgUnit(unit, "rows[0].org_unit");
    if (!c.field.empty()) {
      EXPECT_EQ(BadField(key.status()), c.field) << key.status();
      continue;
    }
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(LevelOf(*key), c.level);
    EXPECT_EQ(ToProto(*key).SerializeAsString(), unit.SerializeAsString());
  }
  EXPECT_TRUE(DivisionWithin("320123", "320000"));
  EXPECT_TRUE(DivisionWithin("320123", "320100"));
  EXPECT_FALSE(DivisionWithin("320223", "320100"));
  EXPECT_FALSE(DivisionWithin("330123", "320000"));
  EXPECT_TRUE(DivisionWithin("320123", "320123"));
  EXPECT_FALSE(DivisionWithin("320124", "320123"));
}

}  // namespace
}  // namespace cmc::indicator
