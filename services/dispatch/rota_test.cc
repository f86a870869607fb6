#include "services/dispatch/rota.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/validators/validators.h"

namespace cmc::dispatch {
namespace {

absl::CivilDay Day(const char* text) { return *ParseCivilDate(text, "day"); }

// `weeks` ISO weeks from Monday 2026-04-06, Monday to Friday.
std::vector<RotaWeek> Weeks(int weeks) {
  std::vector<RotaWeek> out;
  for (int w = 0; w < weeks; ++w) {
    RotaWeek week;
    const absl::CivilDay monday = Day("2026-04-06") + 7 * w;
    week.label = absl::StrCat("2026W", 15 + w);
    for (int d = 0; d < 5; ++d) week.days.push_back(monday + d);
    out.push_back(std::move(week));
  }
  return out;
}

std::set<absl::CivilDay> AllDays(const std::vector<RotaWeek>& weeks) {
  std::set<absl::CivilDay> days;
  for (const RotaWeek& w : weeks) days.insert(w.days.begin(), w.days.end());
  return days;
}

// `villages` villages of `organiser` needing a visit every week, and
// `persons` physicians available every working day.
RotaProblem Problem(const std::string& organiser, int villages, int persons,
                    int weeks) {
  RotaProblem p;
  p.weeks = Weeks(weeks);
  for (int w = 0; w < weeks; ++w) {
    for (int v = 0; v < villages; ++v) {
      p.needs.push_back({absl::StrCat(organiser, "-vil-", v), organiser, w});
    }
  }
  for (int s = 0; s < persons; ++s) {
    p.persons.push_back(
        {absl::StrCat(organiser, "-stf-", s), organiser, AllDays(p.weeks)});
  }
  p.organiser_names[organiser] = absl::StrCat("Town ", organiser);
  p.time_limit = absl::Seconds(5);
  return p;
}

// Every rule a rota must keep: each need at most once, on a working day of
// its week, by team_size available persons of its organiser, nobody over
// the daily limit, loads equal to the visits.
void ExpectSound(const RotaProblem& p, const RotaSolution& s) {
  std::map<std::string, const RotaPerson*> persons;
  for (const RotaPerson& r : p.persons) persons[r.staff_id] = &r;
  std::set<std::pair<std::string, std::string>> served;
  std::map<std::pair<std::string, absl::CivilDay>, int> per_day;
  std::map<std::string, int> loads;
  for (const RotaSolution::Visit& v : s.visits) {
    EXPECT_TRUE(served.insert({v.village_id, v.week}).second)
        << v.village_id << " twice in " << v.week;
    ASSERT_EQ(static_cast<int>(v.staff_ids.size()), p.team_size);
    bool in_week = false;
    for (const RotaWeek& w : p.weeks) {
      if (w.label == v.week) {
        in_week =
            std::find(w.days.begin(), w.days.end(), v.day) != w.days.end();
      }
    }
    EXPECT_TRUE(in_week) << v.village_id << " " << v.week;
    for (const std::string& staff : v.staff_ids) {
      const RotaPerson* person = persons.at(staff);
      EXPECT_EQ(person->organiser_id, v.organiser_id);
      EXPECT_TRUE(person->available.count(v.day)) << staff;
      const int on_day = ++per_day[std::make_pair(staff, v.day)];
      EXPECT_LE(on_day, p.max_visits_per_day) << staff;
      ++loads[staff];
    }
  }
  for (const auto& [staff, load] : s.loads) {
    EXPECT_EQ(load, loads[staff]) << staff;
  }
  EXPECT_EQ(s.visits.size() + s.uncovered.size(), p.needs.size());
}

std::pair<int, int> MinMax(const RotaSolution& s) {
  int low = 1 << 30, high = 0;
  for (const auto& [staff, load] : s.loads) {
    low = std::min(low, load);
    high = std::max(high, load);
  }
  return {low, high};
}

TEST(RotaTest, FeasibleCoversEveryVillageWeekAndBalancesTheLoad) {
  // 31 villages a week, 3 physicians, 4 visits a day: 60 slots a week.
  const RotaProblem p = Problem("ins-t1", 31, 3, 4);
  absl::StatusOr<RotaSolution> s = SolveRota(p);
  ASSERT_TRUE(s.ok()) << s.status();
  ExpectSound(p, *s);
  EXPECT_TRUE(s->uncovered.empty());
  EXPECT_EQ(s->visits.size(), 124u);
  EXPECT_TRUE(s->optimal);
  // 124 visits over 3 persons: 41, 41, 42.
  EXPECT_EQ(MinMax(*s), std::make_pair(41, 42));
}

TEST(RotaTest, InfeasibleNamesVillagesWeeksAndTheBindingReason) {
  // 31 villages, 2 physicians who can tour only Monday and Tuesday of the
  // first week: 16 slots.
  RotaProblem p = Problem("ins-t1", 31, 2, 2);
  for (RotaPerson& person : p.persons) {
    person.available = {Day("2026-04-06"), Day("2026-04-07")};
  }
  absl::StatusOr<RotaSolution> s = SolveRota(p);
  ASSERT_TRUE(s.ok()) << s.status();
  ExpectSound(p, *s);
  EXPECT_EQ(s->visits.size(), 16u);
  ASSERT_EQ(s->uncovered.size(), 31u - 16u + 31u);
  std::map<std::string, int> by_week;
  for (const RotaSolution::Uncovered& u : s->uncovered) ++by_week[u.week];
  EXPECT_EQ(by_week["2026W15"], 15);
  EXPECT_EQ(by_week["2026W16"], 31);
  for (const RotaSolution::Uncovered& u : s->uncovered) {
    if (u.week == "2026W15") {
      EXPECT_EQ(u.reason,
                "township Town ins-t1: 2 available physicians (4 person-days) "
                "for 31 villages needing weekly visits in 2026W15, at most 4 "
                "a day: room for 16 team visits");
    } else {
      EXPECT_EQ(u.reason,
                "township Town ins-t1: no physician available in 2026W16 for "
                "31 villages needing weekly visits");
    }
  }
}

TEST(RotaTest, NeverDoubleBooksAcrossOrganisersOrOverTheDailyLimit) {
  RotaProblem p = Problem("ins-t1", 9, 2, 2);
  const RotaProblem q = Problem("ins-t2", 5, 1, 2);
  p.needs.insert(p.needs.end(), q.needs.begin(), q.needs.end());
  p.persons.insert(p.persons.end(), q.persons.begin(), q.persons.end());
  p.max_visits_per_day = 1;
  // One physician of ins-t1 is away the whole first week.
  p.persons[0].available.clear();
  for (absl::CivilDay d : p.weeks[1].days) p.persons[0].available.insert(d);
  absl::StatusOr<RotaSolution> s = SolveRota(p);
  ASSERT_TRUE(s.ok()) << s.status();
  ExpectSound(p, *s);
  // ins-t1, week 1: 5 slots for 9 villages; week 2: 10 slots.
  int uncovered_t1 = 0;
  for (const RotaSolution::Uncovered& u : s->uncovered) {
    EXPECT_EQ(u.organiser_id, "ins-t1");
    EXPECT_EQ(u.week, "2026W15");
    ++uncovered_t1;
  }
  EXPECT_EQ(uncovered_t1, 4);
}

TEST(RotaTest, TeamsVisitTogether) {
  RotaProblem p = Problem("ins-t1", 6, 4, 1);
  p.team_size = 2;
  p.max_visits_per_day = 1;
  absl::StatusOr<RotaSolution> s = SolveRota(p);
  ASSERT_TRUE(s.ok()) << s.status();
  ExpectSound(p, *s);
  EXPECT_TRUE(s->uncovered.empty());
  EXPECT_EQ(MinMax(*s), std::make_pair(3, 3));
  // With only one physician on each day no team can form.
  for (size_t i = 0; i < p.persons.size(); ++i) {
    p.persons[i].available = {p.weeks[0].days[i]};
  }
  s = SolveRota(p);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->uncovered.size(), 6u);
  EXPECT_EQ(s->uncovered[0].reason,
            "township Town ins-t1: never 2 physicians available on one working "
            "day of 2026W15 (teams of 2)");
}

TEST(RotaTest, RejectsAnInconsistentProblem) {
  RotaProblem p = Problem("ins-t1", 1, 1, 1);
  p.needs[0].week = 3;
  EXPECT_EQ(SolveRota(p).status().code(), absl::StatusCode::kInvalidArgument);
  p = Problem("ins-t1", 1, 1, 1);
  p.team_size = 0;
  EXPECT_EQ(SolveRota(p).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cmc::dispatch
