#include "services/institution/institution_rules.h"

#include <gtest/gtest.h>

#include <string>

#include "common/status.h"

namespace cmc::institution {
namespace {

using common::v1::TIER_COUNTY;
using common::v1::TIER_TOWNSHIP;
using common::v1::TIER_UNSPECIFIED;
using common::v1::TIER_VILLAGE;

struct KindCase {
  const char* kind;
  Tier tier;
  bool leads;
};

// The whole accepted table of institution.proto.
constexpr KindCase kKnownKinds[] = {
    {"A100", TIER_COUNTY, true},    {"A210", TIER_COUNTY, true},
    {"G100", TIER_COUNTY, true},    {"J100", TIER_COUNTY, false},
    {"K100", TIER_COUNTY, false},   {"B100", TIER_TOWNSHIP, false},
    {"C100", TIER_TOWNSHIP, false}, {"C210", TIER_TOWNSHIP, false},
    {"C220", TIER_TOWNSHIP, false}, {"B200", TIER_VILLAGE, false},
    {"D600", TIER_VILLAGE, false},
};

TEST(TierOfKindTest, KnownKindsMapToTheirTier) {
  for (const KindCase& c : kKnownKinds) {
    SCOPED_TRACE(c.kind);
    absl::StatusOr<Tier> tier = TierOfKind(c.kind, "institution.kind");
    ASSERT_TRUE(tier.ok()) << tier.status();
    EXPECT_EQ(*tier, c.tier);
    EXPECT_EQ(IsLeadHospitalKind(c.kind), c.leads);
  }
}

TEST(TierOfKindTest, UnknownKindsAreRejectedNamingTheField) {
  const char* const cases[] = {"",     "a100", "A10",  "A1000", "A200",
                               "C200", "D100", "Z999", " A100", "A100 "};
  for (const char* kind : cases) {
    SCOPED_TRACE(kind);
    absl::StatusOr<Tier> tier = TierOfKind(kind, "institution.kind");
    ASSERT_FALSE(tier.ok());
    EXPECT_EQ(tier.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(BadField(tier.status()), "institution.kind");
    EXPECT_FALSE(IsLeadHospitalKind(kind));
  }
}

TEST(CheckKindAndTierTest, EveryKindAgainstEveryTier) {
  const Tier tiers[] = {TIER_UNSPECIFIED, TIER_COUNTY, TIER_TOWNSHIP,
                        TIER_VILLAGE, static_cast<Tier>(9)};
  for (const KindCase& c : kKnownKinds) {
    for (Tier tier : tiers) {
      SCOPED_TRACE(std::string(c.kind) + " tier " + std::to_string(tier));
      const absl::Status status =
          CheckKindAndTier(c.kind, tier, "k", "institution.tier");
      if (tier == c.tier) {
        EXPECT_TRUE(status.ok()) << status;
      } else {
        EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
        EXPECT_EQ(BadField(status), "institution.tier");
      }
    }
  }
  EXPECT_EQ(BadField(CheckKindAndTier("X999", TIER_COUNTY, "institution.kind",
                                      "institution.tier")),
            "institution.kind");
}

TEST(CheckParentTierTest, ParentMustBeOfAHigherTier) {
  struct Case {
    Tier child;
    Tier parent;
    bool ok;
  };
  const Case cases[] = {
      {TIER_VILLAGE, TIER_TOWNSHIP, true},
      {TIER_VILLAGE, TIER_COUNTY, true},
      {TIER_TOWNSHIP, TIER_COUNTY, true},
      {TIER_VILLAGE, TIER_VILLAGE, false},
      {TIER_TOWNSHIP, TIER_TOWNSHIP, false},
      {TIER_TOWNSHIP, TIER_VILLAGE, false},
      {TIER_COUNTY, TIER_COUNTY, false},
      {TIER_COUNTY, TIER_TOWNSHIP, false},
      {TIER_COUNTY, TIER_VILLAGE, false},
      {TIER_UNSPECIFIED, TIER_COUNTY, false},
      {TIER_VILLAGE, TIER_UNSPECIFIED, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.child) + " under " +
                 std::to_string(c.parent));
    const absl::Status status = CheckParentTier(c.child, c.parent, "p");
    EXPECT_EQ(status.ok(), c.ok) << status;
    if (!c.ok) {
      EXPECT_EQ(BadField(status), "p");
    }
  }
}

TEST(CheckDivisionInCountyTest, InsideOutsideAndMalformed) {
  struct Case {
    const char* division;
    const char* county;
    bool ok;
  };
  const Case cases[] = {
      {"360426000000", "360426", true},   // the county itself
      {"360426100000", "360426", true},   // a town
      {"360426100201", "360426", true},   // a village
      {"360427100201", "360426", false},  // the neighbouring county
      {"360426100201", "360427", false},
      {"36042610020", "360426", false},  // 11 digits
      {"360426100201", "36042", false},
      {"360426900201", "360426", false},  // township part out of range
      {"990426100201", "990426", false},  // no such province
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.division) + " in " + c.county);
    const absl::Status status = CheckDivisionInCounty(
        c.division, c.county, "institution.division_code");
    EXPECT_EQ(status.ok(), c.ok) << status;
    if (!c.ok) {
      EXPECT_EQ(BadField(status), "institution.division_code");
    }
  }
}

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

TEST(SpansTest, OverlapIsInclusiveAndOpenEndsReachForever) {
  const DaySpan jan{Day(2024, 1, 1), Day(2024, 1, 31)};
  const DaySpan feb{Day(2024, 2, 1), Day(2024, 2, 29)};
  const DaySpan from_feb{Day(2024, 2, 1), std::nullopt};
  const DaySpan from_2023{Day(2023, 1, 1), std::nullopt};
  const DaySpan jan31{Day(2024, 1, 31), Day(2024, 1, 31)};
  struct Case {
    const char* name;
    DaySpan a;
    DaySpan b;
    bool overlap;
  };
  const Case cases[] = {
      {"adjacent months", jan, feb, false},
      {"same span", jan, jan, true},
      {"one shared last day", jan, jan31, true},
      {"open after closed, disjoint", jan, from_feb, false},
      {"open covering closed", from_2023, feb, true},
      {"two open spans", from_feb, from_2023, true},
      {"closed before open start", DaySpan{Day(2022, 1, 1), Day(2022, 12, 31)},
       from_2023, false},
      {"closed ending on open start", DaySpan{Day(2022, 1, 1), Day(2023, 1, 1)},
       from_2023, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(SpansOverlap(c.a, c.b), c.overlap);
    EXPECT_EQ(SpansOverlap(c.b, c.a), c.overlap) << "symmetric";
  }
}

TEST(SpansTest, HoldsOnBothEndsAndOpenEnd) {
  const DaySpan jan{Day(2024, 1, 1), Day(2024, 1, 31)};
  EXPECT_FALSE(SpanHolds(jan, Day(2023, 12, 31)));
  EXPECT_TRUE(SpanHolds(jan, Day(2024, 1, 1)));
  EXPECT_TRUE(SpanHolds(jan, Day(2024, 1, 31)));
  EXPECT_FALSE(SpanHolds(jan, Day(2024, 2, 1)));
  EXPECT_TRUE(
      SpanHolds(DaySpan{Day(2024, 1, 1), std::nullopt}, Day(2999, 12, 31)));
}

TEST(FindOverlapTest, NamesTheFirstClashingMembership) {
  const std::vector<DaySpan> existing = {
      {Day(2020, 1, 1), Day(2020, 12, 31)},
      {Day(2022, 1, 1), Day(2022, 6, 30)},
      {Day(2023, 1, 1), std::nullopt},
  };
  EXPECT_EQ(FindOverlap(existing, {Day(2021, 1, 1), Day(2021, 12, 31)}),
            std::nullopt);
  EXPECT_EQ(FindOverlap(existing, {Day(2022, 7, 1), Day(2022, 12, 31)}),
            std::nullopt);
  EXPECT_EQ(FindOverlap(existing, {Day(2020, 6, 1), Day(2022, 1, 1)}), 0u);
  EXPECT_EQ(FindOverlap(existing, {Day(2022, 6, 30), std::nullopt}), 1u);
  EXPECT_EQ(FindOverlap(existing, {Day(2030, 1, 1), std::nullopt}), 2u);
  EXPECT_EQ(FindOverlap({}, {Day(2030, 1, 1), std::nullopt}), std::nullopt);
}

TEST(ValidateDisplayNameTest, LengthInCharactersAndBlankness) {
  std::string cjk100;
  for (int i = 0; i < 100; ++i) cjk100 += "院";
  struct Case {
    std::string name;
    bool ok;
  };
  const Case cases[] = {
      {"某县人民医院", true},
      {"乡镇卫生院", true},
      {"𠀀村卫生室", true},  // beyond the BMP, four bytes in UTF-8
      {cjk100, true},
      {cjk100 + "院", false},
      {std::string(100, 'a'), true},
      {std::string(101, 'a'), false},
      {"", false},
      {"   ", false},
      {"\t\n", false},
      {" 某县医院 ", true},  // kept exactly as given
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status status = ValidateDisplayName(c.name, "community.name");
    EXPECT_EQ(status.ok(), c.ok) << status;
    if (!c.ok) {
      EXPECT_EQ(BadField(status), "community.name");
    }
  }
}

TEST(ValidateCodesTest, CommunityCodeAndRequestId) {
  struct Case {
    std::string text;
    bool community_code_ok;
    bool request_id_ok;
  };
  const Case cases[] = {
      {"YGT-360426-01", true, true},
      {"A", true, true},
      {std::string(32, 'A'), true, true},
      {std::string(33, 'A'), false, true},
      {std::string(64, 'a'), false, true},
      {std::string(65, 'a'), false, false},
      {"ygt-01", false, true},
      {"3f2504e0-4f89-41d3-9a0c-0305e82c3301", false, true},
      {"req:2024.01_a", false, true},
      {"", false, false},
      {"YGT 01", false, false},
      {"医共体", false, false},
      {"a/b", false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const absl::Status code = ValidateCommunityCode(c.text, "community.code");
    EXPECT_EQ(code.ok(), c.community_code_ok) << code;
    if (!code.ok()) {
      EXPECT_EQ(BadField(code), "community.code");
    }
    const absl::Status request = ValidateRequestId(c.text, "request_id");
    EXPECT_EQ(request.ok(), c.request_id_ok) << request;
    if (!request.ok()) {
      EXPECT_EQ(BadField(request), "request_id");
    }
  }
}

}  // namespace
}  // namespace cmc::institution
