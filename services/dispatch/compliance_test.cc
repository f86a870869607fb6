#include "services/dispatch/compliance.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/validators/validators.h"
#include "services/dispatch/policy.h"

namespace cmc::dispatch {
namespace {

namespace inst = institution::v1;

absl::CivilDay Day(const char* text) { return *ParseCivilDate(text, "day"); }

// Community com-1: township centers ins-t1 (villages vil-1 with a resident
// doctor, vil-2 without) and ins-t2 (vil-3 without). March 2026 is checked
// (ISO weeks 2026W09 to W14).
ComplianceFacts Facts() {
  ComplianceFacts f;
  f.community_id = "com-1";
  f.villages = {{"vil-1", "ins-t1", "ins-c1"},
                {"vil-2", "ins-t1", ""},
                {"vil-3", "ins-t2", ""}};
  f.township_center_ids = {"ins-t1", "ins-t2"};
  f.tiers = {{"ins-county", common::v1::TIER_COUNTY},
             {"ins-t1", common::v1::TIER_TOWNSHIP}};
  f.coverage.staff = {
      {"stf-1", "ins-c1", inst::QUALIFICATION_VILLAGE_DOCTOR, true}};
  // ins-t1 visits vil-2 every week but the one of March 16; ins-t2 never
  // visits vil-3, but a county team does once (which serves both rules).
  for (const char* day :
       {"2026-03-02", "2026-03-09", "2026-03-23", "2026-03-30"}) {
    f.coverage.visits.push_back({absl::StrCat("vis-", day),
                                 "tpl-1",
                                 "ins-t1",
                                 v1::LEVEL_TOWNSHIP,
                                 "vil-2",
                                 "",
                                 Day(day),
                                 v1::VISIT_STATUS_DONE,
                                 {"stf-t"}});
  }
  // Sunday 2026-03-01 belongs to week 2026W09.
  f.coverage.visits.push_back({"vis-county",
                               "tpl-2",
                               "ins-county",
                               v1::LEVEL_COUNTY,
                               "vil-3",
                               "",
                               Day("2026-03-01"),
                               v1::VISIT_STATUS_DONE,
                               {"stf-c"}});
  // A physician from the county hospital at ins-t1 until March 20; one from
  // a township at ins-t2 (does not count).
  f.coverage.assignments = {
      {"asg-1",
       "stf-c2",
       "ins-county",
       "ins-t1",
       "",
       {Day("2025-10-01"), Day("2026-03-20")}},
      {"asg-2",
       "stf-t2",
       "ins-t1",
       "ins-t2",
       "",
       {Day("2026-01-01"), Day("2026-12-31")}},
  };
  return f;
}

TEST(ComplianceTest, EachRuleMetOrNotWithFailingVillagesAndWeeks) {
  const v1::ComplianceReport report = CheckCompliance(
      NationalDefaultPolicy(), Facts(), {Day("2026-03-01"), Day("2026-03-31")},
      Day("2026-04-01"));
  ASSERT_EQ(report.rules_size(), 3);
  // City -> county: not judged here.
  EXPECT_FALSE(report.rules(0).evaluated());
  EXPECT_FALSE(report.rules(0).note().empty());
  // County -> township areas monthly: the county visit to vil-3 serves
  // ins-t2's area; ins-t1's area had none.
  const v1::RuleCompliance& county = report.rules(1);
  EXPECT_TRUE(county.evaluated());
  EXPECT_FALSE(county.met());
  EXPECT_EQ(county.required(), 2);
  EXPECT_EQ(county.satisfied(), 1);
  ASSERT_EQ(county.failures_size(), 1);
  EXPECT_EQ(county.failures(0).destination_id(), "ins-t1");
  EXPECT_EQ(county.failures(0).period().value(), "2026-03");
  // Township -> villages without a fixed doctor weekly: vil-1 has its
  // doctor (not required); vil-2 misses W09 (only Sunday March 1st) and W12;
  // vil-3 is met only in W09 (by the county team).
  const v1::RuleCompliance& weekly = report.rules(2);
  EXPECT_FALSE(weekly.met());
  EXPECT_EQ(weekly.required(), 12);  // 2 villages x 6 weeks meeting March
  EXPECT_EQ(weekly.satisfied(), 5);
  std::vector<std::string> failures;
  for (const v1::RuleFailure& f : weekly.failures()) {
    failures.push_back(
        absl::StrCat(f.destination_id(), " ", f.period().value()));
  }
  EXPECT_EQ(failures, (std::vector<std::string>{
                          "vil-2 2026W09", "vil-2 2026W12", "vil-3 2026W10",
                          "vil-3 2026W11", "vil-3 2026W12", "vil-3 2026W13",
                          "vil-3 2026W14"}));
  // ins-t1 lacks a county physician from March 21; ins-t2 all month.
  ASSERT_EQ(report.township_centers_lacking_stationed_physician_size(), 2);
  const v1::StationingGap& t1 =
      report.township_centers_lacking_stationed_physician(0);
  EXPECT_EQ(t1.township_center_id(), "ins-t1");
  EXPECT_EQ(t1.days(), 11);
  ASSERT_EQ(t1.gaps_size(), 1);
  EXPECT_EQ(t1.gaps(0).first_day().value(), "2026-03-21");
  EXPECT_EQ(t1.gaps(0).last_day().value(), "2026-03-31");
  EXPECT_EQ(report.township_centers_lacking_stationed_physician(1).days(), 31);
  EXPECT_FALSE(report.compliant());
}

TEST(ComplianceTest, AllMetIsCompliant) {
  ComplianceFacts f = Facts();
  f.villages.resize(1);  // only vil-1, which has its doctor
  f.township_center_ids = {"ins-t1"};
  f.coverage.assignments[0].span.last = Day("2026-12-31");
  f.coverage.visits.push_back({"vis-c1",
                               "tpl-2",
                               "ins-county",
                               v1::LEVEL_COUNTY,
                               "",
                               "ins-t1",
                               Day("2026-03-10"),
                               v1::VISIT_STATUS_DONE,
                               {"stf-c"}});
  const v1::ComplianceReport report = CheckCompliance(
      NationalDefaultPolicy(), f, {Day("2026-03-01"), Day("2026-03-31")},
      Day("2026-04-01"));
  EXPECT_TRUE(report.rules(1).met());
  EXPECT_TRUE(report.rules(2).met());
  EXPECT_EQ(report.rules(2).required(), 0);
  EXPECT_EQ(report.township_centers_lacking_stationed_physician_size(), 0);
  EXPECT_TRUE(report.compliant());
}

TEST(ComplianceTest, PlannedVisitsCountOnlyAhead) {
  ComplianceFacts f = Facts();
  for (VisitFact& v : f.coverage.visits) v.status = v1::VISIT_STATUS_PLANNED;
  const DaySpan march = {Day("2026-03-01"), Day("2026-03-31")};
  // Seen from March 15th, the planned visits before it are not counted.
  const v1::ComplianceReport report =
      CheckCompliance(NationalDefaultPolicy(), f, march, Day("2026-03-15"));
  EXPECT_EQ(report.rules(2).satisfied(), 2);  // vil-2 in W13 and W14
}

}  // namespace
}  // namespace cmc::dispatch
