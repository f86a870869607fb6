// The touring rota as an integer program solved by COIN-OR CBC (pure: no I/O).
//
// Per organiser (township center), independently. With teams of one person
// (the default) it is a min-cost flow, small whatever the staff:
//   a[i,d] in {0,1}    need i (a village-week) is visited on working day d of
//                      its week
//   b[s,d] in 0..m     visits person s makes on day d (only days s is free)
//   u[i]   in [0,1]    need i stays uncovered
//   z[s,j] in [0,1]    the j-th visit of person s (j = 1..J), costing j
//   need i:    sum_d a[i,d] + u[i] = 1
//   day d:     sum_i a[i,d] = sum_s b[s,d]
//   person s:  sum_d b[s,d] = sum_j z[s,j]
//   minimise   W sum_i u[i] + sum_{s,j} j z[s,j]
// The matrix is totally unimodular, so the LP optimum is integral and CBC
// finishes at the root; a day's visits are then paired with that day's
// people in any order. Teams of k > 1 persons need the person in each team:
//   x[i,s,d] in {0,1}  person s is in the team of need i on day d
//   y[i,d]   in {0,1}  the team visits need i on day d
//   need i:      sum_d y[i,d] + u[i] = 1,  sum_s x[i,s,d] = k y[i,d]
//   person-day:  sum_i x[i,s,d] <= max_visits_per_day (m)
//   load:        sum_{i,d} x[i,s,d] = sum_j z[s,j]
// solved as a real integer program (CBC's cuts and heuristics).
// The increasing cost per further visit makes the cheapest rota the most even
// one (it minimises the sum of squared loads); W exceeds any cost a covered
// need can add (k (J + 1)), so coverage comes first. A need left uncovered is
// explained by the binding constraint of its organiser and week
// (RotaSolution::Uncovered).
//
//   absl::StatusOr<RotaSolution> rota = SolveRota(problem);
#ifndef CMC_SERVICES_DISPATCH_ROTA_H_
#define CMC_SERVICES_DISPATCH_ROTA_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace cmc::dispatch {

// A period every need of which wants one visit (an ISO week under the weekly
// rule), with the working days in it that may be planned.
struct RotaWeek {
  std::string label;  // "2026W15"
  std::vector<absl::CivilDay> days;
};

// A village that needs a visit in week `week` (an index into weeks) from
// organiser `organiser_id`.
struct RotaNeed {
  std::string village_id;
  std::string organiser_id;
  int week = 0;
};

// A physician who may tour for `organiser_id` on the days in `available`.
struct RotaPerson {
  std::string staff_id;
  std::string organiser_id;
  std::set<absl::CivilDay> available;
};

struct RotaProblem {
  std::vector<RotaWeek> weeks;
  std::vector<RotaNeed> needs;
  std::vector<RotaPerson> persons;
  // Names used in reasons; the id when missing.
  std::map<std::string, std::string> organiser_names;
  // "weekly", "monthly", "quarterly": how the reasons speak of the need.
  std::string frequency_word = "weekly";
  int team_size = 1;
  int max_visits_per_day = 4;
  // For all organisers together.
  absl::Duration time_limit = absl::Seconds(10);
};

struct RotaSolution {
  struct Visit {
    std::string village_id;
    std::string organiser_id;
    absl::CivilDay day;
    std::string week;
    std::vector<std::string> staff_ids;  // sorted
  };
  struct Uncovered {
    std::string village_id;
    std::string organiser_id;
    std::string week;
    std::string reason;
  };
  // By organiser, day, village.
  std::vector<Visit> visits;
  // In the order of the needs.
  std::vector<Uncovered> uncovered;
  // Visits per person, for every person of the problem (0 included).
  std::map<std::string, int> loads;
  // True when CBC proved every organiser's rota optimal.
  bool optimal = true;
};

// Solves `problem`. INVALID_ARGUMENT for an inconsistent problem (a need's
// week out of range, team_size or max_visits_per_day below 1).
absl::StatusOr<RotaSolution> SolveRota(const RotaProblem& problem);

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_ROTA_H_
