#include "services/dispatch/rota.h"

#include <CbcModel.hpp>
#include <CbcSolver.hpp>
#include <CoinMessageHandler.hpp>
#include <CoinPackedMatrix.hpp>
#include <OsiClpSolverInterface.hpp>
#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/validators/validators.h"

namespace cmc::dispatch {
namespace {

// A mixed-integer program under construction: columns with bounds, costs and
// integrality, rows with bounds, and the matrix as triplets.
class Program {
 public:
  int AddColumn(double lower, double upper, double cost, bool integer) {
    col_lower_.push_back(lower);
    col_upper_.push_back(upper);
    cost_.push_back(cost);
    integer_.push_back(integer);
    return static_cast<int>(cost_.size()) - 1;
  }
  int AddRow(double lower, double upper) {
    row_lower_.push_back(lower);
    row_upper_.push_back(upper);
    return static_cast<int>(row_lower_.size()) - 1;
  }
  void Set(int row, int column, double value) {
    rows_.push_back(row);
    columns_.push_back(column);
    values_.push_back(value);
  }
  int columns() const { return static_cast<int>(cost_.size()); }

  // Solves within `limit`, `start` (a feasible point) when nothing better is
  // found; `network` when the matrix is a network's (an integral LP). The
  // best point found, and whether it is proven optimal.
  std::pair<std::vector<double>, bool> Solve(const std::vector<double>& start,
                                             absl::Duration limit,
                                             bool network) const {
    CoinPackedMatrix matrix(
        /*colordered=*/true, rows_.data(), columns_.data(), values_.data(),
        static_cast<CoinBigIndex>(values_.size()));
    // Trailing rows or columns without elements are not seen in the triples.
    matrix.setDimensions(static_cast<int>(row_lower_.size()), columns());
    OsiClpSolverInterface solver;
    solver.messageHandler()->setLogLevel(0);
    solver.loadProblem(matrix, col_lower_.data(), col_upper_.data(),
                       cost_.data(), row_lower_.data(), row_upper_.data());
    for (int c = 0; c < columns(); ++c) {
      if (integer_[c]) solver.setInteger(c);
    }
    CbcModel model(solver);
    model.setLogLevel(0);
    model.messageHandler()->setLogLevel(0);
    const double seconds = std::max(0.05, absl::ToDoubleSeconds(limit));
    if (network) {
      // The LP optimum is integral: plain branch and bound stops at the
      // root.
      double start_cost = 0;
      for (int c = 0; c < columns(); ++c) start_cost += cost_[c] * start[c];
      model.setBestSolution(start.data(), columns(), start_cost, true);
      model.setMaximumSeconds(seconds);
      model.branchAndBound();
    } else {
      // Teams make it a real integer program: CBC's standard solve
      // (presolve, cut generators, heuristics such as the feasibility
      // pump), as its command line runs it; the parameter block keeps it
      // reentrant.
      CbcSolverUsefulData data;
      data.noPrinting_ = true;
      CbcMain0(model, data);
      const std::string limit_text = absl::StrCat(seconds);
      const char* argv[] = {"cmc-dispatch",     "-log",   "0",    "-sec",
                            limit_text.c_str(), "-solve", "-quit"};
      CbcMain1(
          7, argv, model, [](CbcModel*, int) { return 0; }, data);
    }
    const double* best = model.bestSolution();
    std::vector<double> point =
        best == nullptr ? start : std::vector<double>(best, best + columns());
    return {std::move(point), model.isProvenOptimal()};
  }

 private:
  std::vector<double> col_lower_, col_upper_, cost_;
  std::vector<bool> integer_;
  std::vector<double> row_lower_, row_upper_;
  std::vector<int> rows_, columns_;
  std::vector<double> values_;
};

struct Assignment {
  int need;  // index into the organiser's needs
  int person;
  absl::CivilDay day;
};

std::string NameOf(const RotaProblem& problem, const std::string& id) {
  auto it = problem.organiser_names.find(id);
  return it == problem.organiser_names.end() ? id : it->second;
}

// Why needs of `organiser` in week `week` stay uncovered: the binding
// constraint, in the terms the county plans in.
std::string Reason(const RotaProblem& problem, const std::string& organiser,
                   int week, const std::vector<const RotaPerson*>& persons,
                   int needs_in_week) {
  const RotaWeek& w = problem.weeks[week];
  int available = 0;
  int person_days = 0;
  int best_day = 0;
  std::map<absl::CivilDay, int> per_day;
  for (const RotaPerson* p : persons) {
    int days = 0;
    for (absl::CivilDay d : w.days) {
      if (p->available.count(d)) {
        ++days;
        best_day = std::max(best_day, ++per_day[d]);
      }
    }
    person_days += days;
    if (days > 0) ++available;
  }
  const std::string name = NameOf(problem, organiser);
  const int k = problem.team_size;
  const int m = problem.max_visits_per_day;
  if (available == 0) {
    return absl::StrCat("township ", name, ": no physician available in ",
                        w.label, " for ", needs_in_week, " villages needing ",
                        problem.frequency_word, " visits");
  }
  if (best_day < k) {
    return absl::StrCat("township ", name, ": never ", k,
                        " physicians available on one working day of ", w.label,
                        " (teams of ", k, ")");
  }
  const int capacity = person_days * m / k;
  return absl::StrCat(
      "township ", name, ": ", available, " available physicians (",
      person_days, " person-days) for ", needs_in_week, " villages needing ",
      problem.frequency_word, " visits in ", w.label, ", at most ", m,
      " a day: room for ", capacity, " team visits");
}

// The persons of each (need, day) visited, by one organiser's program.
using Teams =
    std::map<std::pair<int, absl::CivilDay>, std::vector<std::string>>;

// The cost of a need left uncovered: more than any covered need can add.
double UncoveredWeight(int k, int most_visits) {
  return static_cast<double>(k) * (most_visits + 1) + 1;
}

// Visits each person could make over the period: days available times m,
// at most the number of needs.
int MostVisits(const RotaProblem& problem, const RotaPerson& person, int n) {
  int days = 0;
  for (const RotaWeek& w : problem.weeks) {
    for (absl::CivilDay d : w.days) days += person.available.count(d);
  }
  return std::min(days * problem.max_visits_per_day, n);
}

// Teams of k > 1 persons: x[i,s,d] person s in the team of need i on day d,
// y[i,d] the team visits need i on day d (see rota.h); a real integer
// program.
Teams SolveTeams(const RotaProblem& problem,
                 const std::vector<const RotaPerson*>& persons,
                 const std::vector<int>& need_ids, absl::Duration limit,
                 bool* optimal) {
  const int k = problem.team_size;
  const int m = problem.max_visits_per_day;
  const int n = static_cast<int>(need_ids.size());
  Program program;
  std::vector<int> need_row(n);
  for (int i = 0; i < n; ++i) need_row[i] = program.AddRow(1, 1);
  std::map<std::pair<int, absl::CivilDay>, int> person_day_row;
  std::vector<int> load_row(persons.size());
  for (size_t s = 0; s < persons.size(); ++s) {
    load_row[s] = program.AddRow(0, 0);
  }
  // x and y columns.
  std::vector<Assignment> x_of;  // by column, for x columns
  std::vector<int> x_columns;
  std::map<std::pair<int, absl::CivilDay>, int> team_row;  // (need, day)
  for (int i = 0; i < n; ++i) {
    const RotaWeek& week = problem.weeks[problem.needs[need_ids[i]].week];
    for (absl::CivilDay d : week.days) {
      std::vector<int> people;
      for (size_t s = 0; s < persons.size(); ++s) {
        if (persons[s]->available.count(d)) people.push_back(s);
      }
      if (static_cast<int>(people.size()) < k) continue;
      int link = -1;
      if (k > 1) {
        const int y = program.AddColumn(0, 1, 0, true);
        link = program.AddRow(0, 0);
        program.Set(link, y, -k);
        program.Set(need_row[i], y, 1);
      }
      for (int s : people) {
        const int x = program.AddColumn(0, 1, 0, true);
        x_columns.push_back(x);
        x_of.push_back({i, s, d});
        if (k > 1) {
          program.Set(link, x, 1);
        } else {
          program.Set(need_row[i], x, 1);
        }
        auto [it, fresh] = person_day_row.try_emplace({s, d}, -1);
        if (fresh) it->second = program.AddRow(0, m);
        program.Set(it->second, x, 1);
        program.Set(load_row[s], x, 1);
      }
    }
  }
  // z columns: the j-th visit of each person costs j.
  int most = 0;
  std::vector<int> first_z(persons.size());
  std::vector<int> z_count(persons.size());
  for (size_t s = 0; s < persons.size(); ++s) {
    z_count[s] = MostVisits(problem, *persons[s], n);
    most = std::max(most, z_count[s]);
    first_z[s] = program.columns();
    for (int j = 1; j <= z_count[s]; ++j) {
      const int z = program.AddColumn(0, 1, j, false);
      program.Set(load_row[s], z, -1);
    }
  }
  const double weight = UncoveredWeight(k, most);
  std::vector<int> u(n);
  for (int i = 0; i < n; ++i) {
    u[i] = program.AddColumn(0, 1, weight, false);
    program.Set(need_row[i], u[i], 1);
  }
  std::vector<double> start(program.columns(), 0.0);
  for (int i = 0; i < n; ++i) start[u[i]] = 1;
  auto [point, proven] = program.Solve(start, limit, /*network=*/false);
  *optimal = *optimal && proven;
  Teams teams;
  for (size_t c = 0; c < x_columns.size(); ++c) {
    if (point[x_columns[c]] < 0.5) continue;
    const Assignment& a = x_of[c];
    teams[{a.need, a.day}].push_back(persons[a.person]->staff_id);
  }
  return teams;
}

// Teams of one person (team_size 1) as a min-cost flow, so the program stays
// small however many people an organiser has: a need flows to one working day
// of its week (a[i,d]); a day's visits flow to the people available that day
// (b[s,d], at most m each); each person's visits flow out through the load
// columns z (the j-th costs j) or the need stays uncovered (u, cost W):
//   need i:    sum_d a[i,d] + u[i] = 1
//   day d:     sum_i a[i,d] - sum_s b[s,d] = 0
//   person s:  sum_d b[s,d] - sum_j z[s,j] = 0
// Every column has at most one entry in the need rows and one of the other
// sign pattern in the day and person rows, so the matrix is totally
// unimodular and the LP optimum integral. Any pairing of a day's visits with
// that day's b counts is a rota: every need of the day may go to every person
// available that day.
Teams SolveSingles(const RotaProblem& problem,
                   const std::vector<const RotaPerson*>& persons,
                   const std::vector<int>& need_ids, absl::Duration limit,
                   bool* optimal) {
  const int m = problem.max_visits_per_day;
  const int n = static_cast<int>(need_ids.size());
  Program program;
  std::vector<int> need_row(n);
  for (int i = 0; i < n; ++i) need_row[i] = program.AddRow(1, 1);
  std::vector<int> load_row(persons.size());
  for (size_t s = 0; s < persons.size(); ++s) {
    load_row[s] = program.AddRow(0, 0);
  }
  // Days with someone available, their rows and b columns.
  std::map<absl::CivilDay, int> day_row;
  std::map<absl::CivilDay, std::vector<std::pair<int, int>>> b_of;  // (s, col)
  for (const RotaWeek& week : problem.weeks) {
    for (absl::CivilDay d : week.days) {
      for (size_t s = 0; s < persons.size(); ++s) {
        if (!persons[s]->available.count(d)) continue;
        auto [it, fresh] = day_row.try_emplace(d, -1);
        if (fresh) it->second = program.AddRow(0, 0);
        const int b = program.AddColumn(0, m, 0, true);
        program.Set(it->second, b, -1);
        program.Set(load_row[s], b, 1);
        b_of[d].push_back({static_cast<int>(s), b});
      }
    }
  }
  std::vector<std::pair<int, absl::CivilDay>> a_of;  // by a column
  std::vector<int> a_columns;
  for (int i = 0; i < n; ++i) {
    const RotaWeek& week = problem.weeks[problem.needs[need_ids[i]].week];
    for (absl::CivilDay d : week.days) {
      auto row = day_row.find(d);
      if (row == day_row.end()) continue;
      const int a = program.AddColumn(0, 1, 0, true);
      program.Set(need_row[i], a, 1);
      program.Set(row->second, a, 1);
      a_columns.push_back(a);
      a_of.push_back({i, d});
    }
  }
  int most = 0;
  for (size_t s = 0; s < persons.size(); ++s) {
    const int count = MostVisits(problem, *persons[s], n);
    most = std::max(most, count);
    for (int j = 1; j <= count; ++j) {
      const int z = program.AddColumn(0, 1, j, false);
      program.Set(load_row[s], z, -1);
    }
  }
  std::vector<int> u(n);
  for (int i = 0; i < n; ++i) {
    u[i] = program.AddColumn(0, 1, UncoveredWeight(1, most), false);
    program.Set(need_row[i], u[i], 1);
  }
  std::vector<double> start(program.columns(), 0.0);
  for (int i = 0; i < n; ++i) start[u[i]] = 1;
  auto [point, proven] = program.Solve(start, limit, /*network=*/true);
  *optimal = proven;

  // Each day's visits, paired in order with that day's people.
  std::map<absl::CivilDay, std::vector<int>> visits_on;
  for (size_t c = 0; c < a_columns.size(); ++c) {
    if (point[a_columns[c]] >= 0.5) {
      visits_on[a_of[c].second].push_back(a_of[c].first);
    }
  }
  Teams teams;
  for (const auto& [day, needs] : visits_on) {
    size_t next = 0;
    for (const auto& [person, column] : b_of[day]) {
      const int count = static_cast<int>(point[column] + 0.5);
      for (int j = 0; j < count && next < needs.size(); ++j) {
        teams[{needs[next++], day}].push_back(persons[person]->staff_id);
      }
    }
  }
  return teams;
}

// Solves one organiser's part into `out`.
void SolveOrganiser(const RotaProblem& problem, const std::string& organiser,
                    const std::vector<int>& need_ids, absl::Duration limit,
                    RotaSolution* out) {
  std::vector<const RotaPerson*> persons;
  for (const RotaPerson& p : problem.persons) {
    if (p.organiser_id == organiser) persons.push_back(&p);
  }
  const int k = problem.team_size;
  const int n = static_cast<int>(need_ids.size());
  Teams teams;
  if (k == 1) {
    bool optimal = true;
    teams = SolveSingles(problem, persons, need_ids, limit, &optimal);
    out->optimal = out->optimal && optimal;
  } else {
    teams = SolveTeams(problem, persons, need_ids, limit, &out->optimal);
  }
  for (const auto& [key, staff] : teams) {
    for (const std::string& id : staff) ++out->loads[id];
  }
  std::vector<bool> covered(n, false);
  for (auto& [key, staff] : teams) {
    const RotaNeed& need = problem.needs[need_ids[key.first]];
    std::sort(staff.begin(), staff.end());
    covered[key.first] = true;
    out->visits.push_back({need.village_id, organiser, key.second,
                           problem.weeks[need.week].label, std::move(staff)});
  }
  std::map<int, int> needs_in_week;
  for (int i = 0; i < n; ++i) ++needs_in_week[problem.needs[need_ids[i]].week];
  for (int i = 0; i < n; ++i) {
    if (covered[i]) continue;
    const RotaNeed& need = problem.needs[need_ids[i]];
    out->uncovered.push_back({need.village_id, organiser,
                              problem.weeks[need.week].label,
                              Reason(problem, organiser, need.week, persons,
                                     needs_in_week[need.week])});
  }
}

}  // namespace

absl::StatusOr<RotaSolution> SolveRota(const RotaProblem& problem) {
  if (problem.team_size < 1 || problem.max_visits_per_day < 1) {
    return absl::InvalidArgumentError(
        "team_size and max_visits_per_day must be at least 1");
  }
  std::map<std::string, std::vector<int>> by_organiser;
  for (size_t i = 0; i < problem.needs.size(); ++i) {
    const RotaNeed& need = problem.needs[i];
    if (need.week < 0 || need.week >= static_cast<int>(problem.weeks.size())) {
      return absl::InvalidArgumentError(
          absl::StrCat("need ", i, " names week ", need.week));
    }
    by_organiser[need.organiser_id].push_back(static_cast<int>(i));
  }
  RotaSolution solution;
  for (const RotaPerson& p : problem.persons) solution.loads[p.staff_id] = 0;
  const absl::Duration share =
      problem.time_limit / std::max<size_t>(1, by_organiser.size());
  for (const auto& [organiser, needs] : by_organiser) {
    SolveOrganiser(problem, organiser, needs, share, &solution);
  }
  std::sort(solution.visits.begin(), solution.visits.end(),
            [](const RotaSolution::Visit& a, const RotaSolution::Visit& b) {
              return std::tie(a.organiser_id, a.day, a.village_id) <
                     std::tie(b.organiser_id, b.day, b.village_id);
            });
  // Uncovered needs in the order of the needs.
  std::map<std::pair<std::string, std::string>, int> order;
  for (size_t i = 0; i < problem.needs.size(); ++i) {
    order.emplace(std::make_pair(problem.needs[i].village_id,
                                 problem.weeks[problem.needs[i].week].label),
                  static_cast<int>(i));
  }
  std::sort(
      solution.uncovered.begin(), solution.uncovered.end(),
      [&](const RotaSolution::Uncovered& a, const RotaSolution::Uncovered& b) {
        return order[{a.village_id, a.week}] < order[{b.village_id, b.week}];
      });
  return solution;
}

}  // namespace cmc::dispatch
