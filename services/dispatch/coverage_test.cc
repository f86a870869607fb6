#include "services/dispatch/coverage.h"

#include <gtest/gtest.h>

#include <string>

#include "common/validators/validators.h"

namespace cmc::dispatch {
namespace {

namespace inst = institution::v1;

absl::CivilDay Day(const char* text) { return *ParseCivilDate(text, "day"); }
DaySpan Span(const char* first, const char* last) {
  return {Day(first), Day(last)};
}

// Village vil-a has clinic ins-cla with village doctor stf-a (posted to the
// township center for March 2026); vil-b has no doctor of its own, and clinic
// ins-clb extends service to it in April; vil-c has no clinic and is a
// relocation settlement from May, with an extension it may not use;
// stf-nurse at ins-cla does not count. A physician is stationed in vil-b in
// June; visits go to vil-b in ISO week 2026W02 (the week spans the year's
// start) and vil-c.
CoverageFacts Facts() {
  CoverageFacts f;
  f.staff = {
      {"stf-a", "ins-cla", inst::QUALIFICATION_VILLAGE_DOCTOR, true},
      {"stf-nurse", "ins-cla", inst::QUALIFICATION_REGISTERED_NURSE, true},
      {"stf-b", "ins-county", inst::QUALIFICATION_ASSISTANT_PHYSICIAN, true},
      {"stf-left", "ins-clb", inst::QUALIFICATION_VILLAGE_DOCTOR, false},
      {"stf-t", "ins-town", inst::QUALIFICATION_PRACTISING_PHYSICIAN, true},
  };
  f.postings = {
      {"pst-1", "stf-a", "ins-town", Span("2026-03-01", "2026-03-31")}};
  f.extensions = {
      {"ext-1", "vil-b", "ins-cla", Span("2026-04-01", "2026-04-30")},
      {"ext-2", "vil-c", "ins-cla", Span("2026-05-01", "2026-05-31")},
      {"ext-3", "vil-b", "ins-cla", Span("2026-03-01", "2026-03-31")},
  };
  f.settlements = {{"rls-1", "vil-c", Span("2026-05-01", "2999-12-31")}};
  f.assignments = {
      {"asg-1", "stf-t", "ins-town", "", "vil-b",
       Span("2026-06-01", "2026-06-30")},
  };
  f.visits = {
      {"vis-1",
       "tpl-1",
       "ins-town",
       v1::LEVEL_TOWNSHIP,
       "vil-b",
       "",
       Day("2025-12-31"),
       v1::VISIT_STATUS_DONE,
       {"stf-t"}},
      {"vis-2",
       "tpl-1",
       "ins-town",
       v1::LEVEL_TOWNSHIP,
       "vil-b",
       "",
       Day("2026-02-04"),
       v1::VISIT_STATUS_MISSED,
       {"stf-t"}},
      {"vis-3",
       "tpl-1",
       "ins-town",
       v1::LEVEL_TOWNSHIP,
       "vil-b",
       "",
       Day("2026-02-11"),
       v1::VISIT_STATUS_PLANNED,
       {"stf-t"}},
      {"vis-4",
       "tpl-1",
       "ins-town",
       v1::LEVEL_TOWNSHIP,
       "vil-c",
       "",
       Day("2026-05-13"),
       v1::VISIT_STATUS_PLANNED,
       {"stf-t"}},
  };
  return f;
}

const VillageFact kA = {"vil-a", "ins-town", "ins-cla"};
const VillageFact kB = {"vil-b", "ins-town", "ins-clb"};
const VillageFact kC = {"vil-c", "ins-town", ""};

TEST(CoverageTest, EachKindOnItsBoundaries) {
  // "Today" is 2026-02-12: the planned vis-3 (02-11) is past and does not
  // count; vis-4 (05-13) is ahead and does.
  const CoverageModel model(Facts(), v1::FREQUENCY_WEEKLY, Day("2026-02-12"));
  const struct {
    const VillageFact* village;
    const char* day;
    v1::CoverageKind kind;
    const char* source;
    v1::BlankReason reason;
  } cases[] = {
      {&kA, "2026-02-28", v1::COVERAGE_KIND_RESIDENT_DOCTOR, "stf-a",
       v1::BLANK_REASON_UNSPECIFIED},
      // Posted away from the first to the last day of March.
      {&kA, "2026-03-01", v1::COVERAGE_KIND_BLANK, "",
       v1::BLANK_REASON_NOT_TOURED},
      {&kA, "2026-03-31", v1::COVERAGE_KIND_BLANK, "",
       v1::BLANK_REASON_NOT_TOURED},
      {&kA, "2026-04-01", v1::COVERAGE_KIND_RESIDENT_DOCTOR, "stf-a",
       v1::BLANK_REASON_UNSPECIFIED},
      // vil-b: its doctor left; touring in the ISO week of 2025-12-31
      // (Monday 2025-12-29 to Sunday 2026-01-04).
      {&kB, "2025-12-29", v1::COVERAGE_KIND_TOURING, "vis-1",
       v1::BLANK_REASON_UNSPECIFIED},
      {&kB, "2026-01-04", v1::COVERAGE_KIND_TOURING, "vis-1",
       v1::BLANK_REASON_UNSPECIFIED},
      {&kB, "2026-01-05", v1::COVERAGE_KIND_BLANK, "",
       v1::BLANK_REASON_NOT_TOURED},
      {&kB, "2025-12-28", v1::COVERAGE_KIND_BLANK, "",
       v1::BLANK_REASON_NOT_TOURED},
      {&kB, "2026-02-02", v1::COVERAGE_KIND_BLANK, "",
       v1::BLANK_REASON_VISIT_MISSED},
      // A planned visit whose day has passed unrecorded does not cover.
      {&kB, "2026-02-10", v1::COVERAGE_KIND_BLANK, "",
       v1::BLANK_REASON_NOT_TOURED},
      // The extension holds in April, but in March ins-cla's doctor was
      // posted away.
      {&kB, "2026-03-15", v1::COVERAGE_KIND_BLANK, "",
       v1::BLANK_REASON_EXTENSION_WITHOUT_DOCTOR},
      {&kB, "2026-04-01", v1::COVERAGE_KIND_NEIGHBOUR_EXTENSION, "ext-1",
       v1::BLANK_REASON_UNSPECIFIED},
      {&kB, "2026-04-30", v1::COVERAGE_KIND_NEIGHBOUR_EXTENSION, "ext-1",
       v1::BLANK_REASON_UNSPECIFIED},
      {&kB, "2026-05-01", v1::COVERAGE_KIND_BLANK, "",
       v1::BLANK_REASON_NOT_TOURED},
      // Stationed from the first to the last day of June.
      {&kB, "2026-05-31", v1::COVERAGE_KIND_BLANK, "",
       v1::BLANK_REASON_NOT_TOURED},
      {&kB, "2026-06-01", v1::COVERAGE_KIND_STATIONED_DOCTOR, "asg-1",
       v1::BLANK_REASON_UNSPECIFIED},
      {&kB, "2026-06-30", v1::COVERAGE_KIND_STATIONED_DOCTOR, "asg-1",
       v1::BLANK_REASON_UNSPECIFIED},
      {&kB, "2026-07-01", v1::COVERAGE_KIND_BLANK, "",
       v1::BLANK_REASON_NOT_TOURED},
      // vil-c: a settlement without a clinic from May; its extension does
      // not count, touring does.
      {&kC, "2026-04-30", v1::COVERAGE_KIND_BLANK, "",
       v1::BLANK_REASON_NOT_TOURED},
      {&kC, "2026-05-04", v1::COVERAGE_KIND_BLANK, "",
       v1::BLANK_REASON_SETTLEMENT_NOT_SERVED},
      {&kC, "2026-05-11", v1::COVERAGE_KIND_TOURING, "vis-4",
       v1::BLANK_REASON_UNSPECIFIED},
      {&kC, "2026-05-17", v1::COVERAGE_KIND_TOURING, "vis-4",
       v1::BLANK_REASON_UNSPECIFIED},
  };
  for (const auto& c : cases) {
    const DayCoverage got = model.Cover(*c.village, Day(c.day));
    EXPECT_EQ(got.kind, c.kind) << c.village->id << " " << c.day;
    EXPECT_EQ(got.source_id, c.source) << c.village->id << " " << c.day;
    EXPECT_EQ(got.blank_reason, c.reason) << c.village->id << " " << c.day;
  }
  EXPECT_TRUE(model.HasFixedCoverage(kB, Day("2026-06-15")));
  EXPECT_FALSE(model.HasFixedCoverage(kC, Day("2026-05-11")));
  EXPECT_EQ(model.PlaceOf("stf-a", Day("2026-03-10")), "ins-town");
  EXPECT_EQ(model.PlaceOf("stf-t", Day("2026-06-10")), "village:vil-b");
  EXPECT_EQ(model.PlaceOf("stf-x", Day("2026-06-10")), "");
}

TEST(CoverageTest, AnInactiveOrUnqualifiedPersonIsNoResidentDoctor) {
  CoverageFacts f;
  f.staff = {
      {"stf-1", "ins-cl", inst::QUALIFICATION_VILLAGE_DOCTOR, false},
      {"stf-2", "ins-cl", inst::QUALIFICATION_PHARMACIST, true},
  };
  const VillageFact v = {"vil-1", "ins-town", "ins-cl"};
  const CoverageModel model(f, v1::FREQUENCY_WEEKLY, Day("2026-01-01"));
  EXPECT_EQ(model.Cover(v, Day("2026-01-05")).kind, v1::COVERAGE_KIND_BLANK);
  f.staff[1].qualification = inst::QUALIFICATION_PRACTISING_PHYSICIAN;
  const CoverageModel fixed(f, v1::FREQUENCY_WEEKLY, Day("2026-01-01"));
  EXPECT_EQ(fixed.Cover(v, Day("2026-01-05")).source_id, "stf-2");
}

TEST(CoverageTest, MonthlyTouringCoversTheMonth) {
  CoverageFacts f;
  f.visits = {{"vis-1",
               "tpl-1",
               "ins-town",
               v1::LEVEL_TOWNSHIP,
               "vil-1",
               "",
               Day("2026-02-27"),
               v1::VISIT_STATUS_DONE,
               {"stf-1"}}};
  const VillageFact v = {"vil-1", "ins-town", ""};
  const CoverageModel model(f, v1::FREQUENCY_MONTHLY, Day("2026-03-15"));
  EXPECT_EQ(model.Cover(v, Day("2026-02-01")).kind, v1::COVERAGE_KIND_TOURING);
  EXPECT_EQ(model.Cover(v, Day("2026-02-28")).kind, v1::COVERAGE_KIND_TOURING);
  EXPECT_EQ(model.Cover(v, Day("2026-03-01")).kind, v1::COVERAGE_KIND_BLANK);
}

TEST(CoverageTest, RunsAndBlankSpotsWithSinceWhen) {
  const CoverageModel model(Facts(), v1::FREQUENCY_WEEKLY, Day("2026-02-12"));
  // June: stationed all month, then blank from July 1st.
  const v1::VillageCoverage runs =
      model.Runs(kB, Span("2026-06-29", "2026-07-02"));
  ASSERT_EQ(runs.spans_size(), 2);
  EXPECT_EQ(runs.spans(0).kind(), v1::COVERAGE_KIND_STATIONED_DOCTOR);
  EXPECT_EQ(runs.spans(0).first_day().value(), "2026-06-29");
  EXPECT_EQ(runs.spans(0).last_day().value(), "2026-06-30");
  EXPECT_EQ(runs.spans(1).kind(), v1::COVERAGE_KIND_BLANK);
  EXPECT_EQ(runs.spans(1).last_day().value(), "2026-07-02");
  EXPECT_EQ(runs.covered_days(), 2);
  EXPECT_EQ(runs.blank_days(), 2);

  // Asked about July 10-12, vil-b has been blank since July 1st.
  std::vector<v1::BlankSpot> spots =
      model.BlankSpots(kB, Span("2026-07-10", "2026-07-12"));
  ASSERT_EQ(spots.size(), 1u);
  EXPECT_EQ(spots[0].since().value(), "2026-07-01");
  EXPECT_FALSE(spots[0].since_at_least());
  EXPECT_EQ(spots[0].until().value(), "2026-07-12");
  EXPECT_EQ(spots[0].days(), 3);
  EXPECT_EQ(spots[0].reason(), v1::BLANK_REASON_NOT_TOURED);

  // Two runs in May: blank until the stationing starts.
  spots = model.BlankSpots(kB, Span("2026-04-29", "2026-06-02"));
  ASSERT_EQ(spots.size(), 1u);
  EXPECT_EQ(spots[0].since().value(), "2026-05-01");
  EXPECT_EQ(spots[0].until().value(), "2026-05-31");

  // A run older than the lookback says so.
  const VillageFact never = {"vil-x", "ins-town", ""};
  spots = model.BlankSpots(never, Span("2026-07-01", "2026-07-01"));
  ASSERT_EQ(spots.size(), 1u);
  EXPECT_TRUE(spots[0].since_at_least());
  EXPECT_EQ(spots[0].since().value(), "2025-05-27");  // 400 days before

  EXPECT_TRUE(model.BlankSpots(kA, Span("2026-04-01", "2026-04-30")).empty());
}

}  // namespace
}  // namespace cmc::dispatch
