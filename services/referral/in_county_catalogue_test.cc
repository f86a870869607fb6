#include "services/referral/in_county_catalogue.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "common/service/paging.h"
#include "common/status.h"
#include "services/referral/referral_rules.h"

namespace cmc::referral {
namespace {

using v1::InCountyCondition;
using v1::Referral;

InCountyCondition Entry(const std::string& code, bool down_suited = false) {
  InCountyCondition entry;
  entry.set_icd10_code(code);
  entry.set_display_name("condition " + code);
  entry.set_lowest_tier(common::v1::TIER_TOWNSHIP);
  entry.set_down_referral_suited(down_suited);
  entry.set_version(1);
  return entry;
}

TEST(CandidateCodesTest, EveryWellFormedPrefixShortestFirst) {
  struct Case {
    const char* code;
    const char* candidates;
  };
  const Case cases[] = {
      {"I10", "I10"},
      {"J18.900", "J18,J18.9,J18.90,J18.900"},
      {"I10.x00x002",
       "I10,I10.x,I10.x0,I10.x00,I10.x00x,I10.x00x0,"
       "I10.x00x00,I10.x00x002"},
      {"E1", ""},
      {"", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(absl::StrJoin(CandidateCodes(c.code), ","), c.candidates)
        << c.code;
  }
}

TEST(LongestMatchTest, LongestPrefixWins) {
  const std::vector<InCountyCondition> catalogue = {
      Entry("I10"), Entry("J18"), Entry("J18.9"), Entry("J18.90"),
      Entry("E11.9")};
  struct Case {
    const char* diagnosis;
    const char* match;  // "" for none
  };
  const Case cases[] = {
      {"I10", "I10"},        {"I10.x00x002", "I10"},
      {"J18.000", "J18"},    {"J18.9", "J18.9"},
      {"J18.900", "J18.90"}, {"E11.900", "E11.9"},
      {"E11.000", ""},       {"E11", ""},
      {"K35.800", ""},
  };
  for (const Case& c : cases) {
    const std::optional<InCountyCondition> match =
        LongestMatch(catalogue, c.diagnosis);
    EXPECT_EQ(match.has_value() ? match->icd10_code() : "", c.match)
        << c.diagnosis;
  }
}

Referral External(const std::string& justification) {
  Referral referral;
  referral.mutable_to_external_hospital()->set_name("省人民医院");
  referral.mutable_diagnosis()->set_icd10_code("I10.x00x002");
  referral.set_out_of_county_justification(justification);
  return referral;
}

TEST(ApplyInCountyRuleTest, OutOfCountyMatchesNeedAJustification) {
  Referral in_county;
  in_county.set_to_institution_id("ins-county");
  in_county.mutable_diagnosis()->set_icd10_code("I10");
  struct Case {
    const char* name;
    Referral referral;
    std::optional<InCountyCondition> match;
    bool ok;
    bool records_match;
  };
  const Case cases[] = {
      {"external, match, justified", External("需要心脏介入，县内无条件"),
       Entry("I10"), true, true},
      {"external, match, no justification", External(""), Entry("I10"), false,
       false},
      {"external, match, blank justification", External(" \n\t"), Entry("I10"),
       false, false},
      {"external, no match", External(""), std::nullopt, true, false},
      {"in county, match", in_county, Entry("I10"), true, false},
  };
  for (const Case& c : cases) {
    Referral referral = c.referral;
    const absl::Status status = ApplyInCountyRule(c.match, &referral);
    EXPECT_EQ(status.ok(), c.ok) << c.name << ": " << status;
    if (!c.ok) {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
      EXPECT_EQ(BadField(status), "referral.out_of_county_justification")
          << c.name;
    }
    EXPECT_EQ(referral.has_in_county_condition(), c.records_match) << c.name;
    if (c.records_match) {
      EXPECT_EQ(referral.in_county_condition().icd10_code(),
                c.match->icd10_code());
    }
  }
}

TEST(CheckUpsertRequestTest, NamesTheBadField) {
  struct Case {
    const char* name;
    void (*spoil)(v1::UpsertInCountyConditionRequest&);
    const char* field;  // "" for OK
  };
  const Case cases[] = {
      {"good", [](auto&) {}, ""},
      {"prefix with a dot",
       [](auto& r) { r.mutable_condition()->set_icd10_code("J18.9"); }, ""},
      {"no code", [](auto& r) { r.mutable_condition()->clear_icd10_code(); },
       "condition.icd10_code"},
      {"lower-case code",
       [](auto& r) { r.mutable_condition()->set_icd10_code("i10"); },
       "condition.icd10_code"},
      {"two characters",
       [](auto& r) { r.mutable_condition()->set_icd10_code("I1"); },
       "condition.icd10_code"},
      {"dangling dot",
       [](auto& r) { r.mutable_condition()->set_icd10_code("I10."); },
       "condition.icd10_code"},
      {"blank name",
       [](auto& r) { r.mutable_condition()->set_display_name("  "); },
       "condition.display_name"},
      {"no tier",
       [](auto& r) {
         r.mutable_condition()->set_lowest_tier(common::v1::TIER_UNSPECIFIED);
       },
       "condition.lowest_tier"},
      {"negative version", [](auto& r) { r.set_expected_version(-1); },
       "expected_version"},
  };
  for (const Case& c : cases) {
    v1::UpsertInCountyConditionRequest request;
    *request.mutable_condition() = Entry("I10");
    c.spoil(request);
    const absl::Status status = CheckUpsertRequest(request);
    if (std::string(c.field).empty()) {
      EXPECT_TRUE(status.ok()) << c.name << ": " << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
      EXPECT_EQ(BadField(status), c.field) << c.name;
    }
  }
}

TEST(CheckUpsertVersionTest, CreateReplaceAndConflicts) {
  struct Case {
    std::optional<int64_t> existing;
    std::optional<int64_t> expected;
    absl::StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {std::nullopt, std::nullopt, absl::StatusCode::kOk, ""},
      {3, std::nullopt, absl::StatusCode::kOk, ""},
      {std::nullopt, 0, absl::StatusCode::kOk, ""},
      {3, 0, absl::StatusCode::kAlreadyExists, "condition.icd10_code"},
      {3, 3, absl::StatusCode::kOk, ""},
      {3, 2, absl::StatusCode::kAborted, "expected_version"},
      {std::nullopt, 2, absl::StatusCode::kNotFound, "condition.icd10_code"},
  };
  for (const Case& c : cases) {
    const absl::Status status = CheckUpsertVersion(c.existing, c.expected);
    EXPECT_EQ(status.code(), c.code)
        << c.existing.value_or(-1) << " / " << c.expected.value_or(-1);
    EXPECT_EQ(BadField(status), c.field);
  }
}

TEST(ConditionListTest, FiltersAndPageTokens) {
  v1::ListInCountyConditionsRequest request;
  request.set_code_prefix("E11");
  request.set_down_referral_suited_only(true);
  absl::StatusOr<ConditionFilter> filter = ParseConditionList(request);
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->code_prefix, "E11");
  EXPECT_TRUE(filter->down_referral_suited_only);
  EXPECT_EQ(filter->limit, 50);

  request.mutable_page()->set_page_token(
      NextPageToken(QueryFingerprint(request), "E11.9"));
  filter = ParseConditionList(request);
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->after_code, "E11.9");

  v1::ListInCountyConditionsRequest other = request;
  other.set_code_prefix("I");
  EXPECT_EQ(BadField(ParseConditionList(other).status()), "page.page_token");
  other = request;
  other.mutable_page()->set_page_token("not a token");
  EXPECT_EQ(BadField(ParseConditionList(other).status()), "page.page_token");
  other = request;
  other.set_code_prefix("E11%");
  EXPECT_EQ(BadField(ParseConditionList(other).status()), "code_prefix");
  other = request;
  other.mutable_page()->set_page_size(1001);
  EXPECT_EQ(BadField(ParseConditionList(other).status()), "page.page_size");
}

// An UP referral from ins-village received by ins-county at `created`.
Referral Up(const std::string& code, v1::ReferralStatus status,
            int64_t created = 1000) {
  Referral up;
  up.set_direction(v1::REFERRAL_DIRECTION_UP);
  up.set_from_institution_id("ins-village");
  up.set_to_institution_id("ins-county");
  up.set_receiving_institution_id("ins-county");
  up.set_status(status);
  up.mutable_patient()->set_resident_id("360426199101010071");
  up.mutable_diagnosis()->set_icd10_code(code);
  up.mutable_create_time()->set_seconds(created);
  return up;
}

Referral DownBack(v1::ReferralStatus status, int64_t created,
                  const std::string& to = "ins-village") {
  Referral down;
  down.set_direction(v1::REFERRAL_DIRECTION_DOWN);
  down.set_from_institution_id("ins-county");
  down.set_to_institution_id(to);
  down.set_receiving_institution_id(to);
  down.set_status(status);
  down.mutable_patient()->set_resident_id("360426199101010071");
  down.mutable_create_time()->set_seconds(created);
  return down;
}

TEST(SuggestDownReferralTest, StableMatchedPatientsWithoutADownReferralBack) {
  const std::vector<InCountyCondition> catalogue = {
      Entry("I10", /*down_suited=*/true), Entry("I10.x00x002", false),
      Entry("I63", false), Entry("E11", true)};
  Referral with_final = Up("R51", v1::REFERRAL_STATUS_COMPLETED);
  with_final.mutable_outcome()->mutable_diagnosis()->set_icd10_code("E11.900");
  Referral down_the_wrong_way = Up("I10", v1::REFERRAL_STATUS_COMPLETED);
  down_the_wrong_way.set_direction(v1::REFERRAL_DIRECTION_DOWN);
  struct Case {
    const char* name;
    Referral up;
    std::vector<Referral> downs;
    const char* suggested;  // the matched entry's code, "" for none
  };
  const Case cases[] = {
      {"in progress, suited",
       Up("I10", v1::REFERRAL_STATUS_IN_PROGRESS),
       {},
       "I10"},
      {"completed, suited by prefix",
       Up("I10.x00x001", v1::REFERRAL_STATUS_COMPLETED),
       {},
       "I10"},
      {"longer entry not suited wins",
       Up("I10.x00x002", v1::REFERRAL_STATUS_COMPLETED),
       {},
       ""},
      {"not suited", Up("I63.900", v1::REFERRAL_STATUS_COMPLETED), {}, ""},
      {"no entry", Up("K35.800", v1::REFERRAL_STATUS_COMPLETED), {}, ""},
      {"final diagnosis decides", with_final, {}, "E11"},
      {"still requested", Up("I10", v1::REFERRAL_STATUS_ACCEPTED), {}, ""},
      {"a down referral", down_the_wrong_way, {}, ""},
      {"already sent back",
       Up("I10", v1::REFERRAL_STATUS_COMPLETED),
       {DownBack(v1::REFERRAL_STATUS_REQUESTED, 2000)},
       ""},
      {"sent back and completed",
       Up("I10", v1::REFERRAL_STATUS_COMPLETED),
       {DownBack(v1::REFERRAL_STATUS_COMPLETED, 2000)},
       ""},
      {"sent back but rejected",
       Up("I10", v1::REFERRAL_STATUS_COMPLETED),
       {DownBack(v1::REFERRAL_STATUS_REJECTED, 2000)},
       "I10"},
      {"an older down referral does not count",
       Up("I10", v1::REFERRAL_STATUS_COMPLETED),
       {DownBack(v1::REFERRAL_STATUS_COMPLETED, 500)},
       "I10"},
      {"sent elsewhere does not count",
       Up("I10", v1::REFERRAL_STATUS_COMPLETED),
       {DownBack(v1::REFERRAL_STATUS_COMPLETED, 2000, "ins-town")},
       "I10"},
  };
  for (const Case& c : cases) {
    const std::optional<v1::DownReferralSuggestion> suggestion =
        SuggestDownReferral(c.up, "ins-county", catalogue, c.downs);
    EXPECT_EQ(
        suggestion.has_value() ? suggestion->condition().icd10_code() : "",
        c.suggested)
        << c.name;
    if (suggestion.has_value()) {
      EXPECT_EQ(suggestion->suggested_to_institution_id(), "ins-village");
      EXPECT_EQ(suggestion->up_referral().SerializeAsString(),
                c.up.SerializeAsString());
    }
  }
  EXPECT_FALSE(SuggestDownReferral(Up("I10", v1::REFERRAL_STATUS_COMPLETED),
                                   "ins-town", catalogue, {})
                   .has_value())
      << "only the receiving institution gets the suggestion";
}

}  // namespace
}  // namespace cmc::referral
