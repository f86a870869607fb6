// The touring rota: ProposeTouringRota builds the integer program's input
// (rota.h) from the community's villages, staff and bookings and stores the
// answer as a draft; AcceptRota turns a draft into plans and visits.
#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/service/handler.h"
#include "common/validators/validators.h"
#include "services/dispatch/coverage.h"
#include "services/dispatch/dispatch_scope.h"
#include "services/dispatch/dispatch_service.h"
#include "services/dispatch/handler_support.h"
#include "services/dispatch/policy.h"
#include "services/dispatch/record_facts.h"
#include "services/dispatch/request_checks.h"
#include "services/dispatch/rota.h"

namespace cmc::dispatch {
namespace {

// AcceptRota's plans and visits are keyed by the rota, not by whoever accepts
// it: their claims (common/service/idempotency.h) share this caller, so a
// second accept, by anyone, finds the first one's plans and visits.
constexpr char kAcceptRotaCaller[] = "cmc-dispatch:AcceptRota";

namespace inst = institution::v1;

// The most ISO weeks one proposal plans: those a calendar quarter meets (13
// whole weeks and the parts of one or two more, never more than 14).
constexpr int kMaxRotaWeeks = 14;

const char* FrequencyWord(v1::Frequency f) {
  switch (f) {
    case v1::FREQUENCY_MONTHLY:
      return "monthly";
    case v1::FREQUENCY_QUARTERLY:
      return "quarterly";
    default:
      return "weekly";
  }
}

// The constraints with defaults filled in, checked.
absl::StatusOr<v1::RotaConstraints> Normalized(v1::RotaConstraints c) {
  for (int i = 0; i < c.organiser_institution_ids_size(); ++i) {
    CMC_RETURN_IF_ERROR(CheckId(
        c.organiser_institution_ids(i),
        absl::StrCat("constraints.organiser_institution_ids[", i, "]")));
  }
  std::set<int> days;
  for (int d : c.working_weekdays()) {
    if (d < 1 || d > 7 || !days.insert(d).second) {
      return InvalidField("constraints.working_weekdays",
                          "weekdays 1 (Monday) to 7, each once");
    }
  }
  if (c.working_weekdays().empty()) {
    for (int d = 1; d <= 5; ++d) c.add_working_weekdays(d);
  }
  if (c.team_size() == 0) c.set_team_size(1);
  if (c.team_size() < 1 || c.team_size() > 5) {
    return InvalidField("constraints.team_size", "must be 1-5");
  }
  if (c.max_visits_per_team_day() < 0 || c.max_visits_per_team_day() > 20) {
    return InvalidField("constraints.max_visits_per_team_day",
                        "must be 0 (the policy's) or 1-20");
  }
  for (int i = 0; i < c.unavailable_size(); ++i) {
    const std::string field = absl::StrCat("constraints.unavailable[", i, "]");
    CMC_RETURN_IF_ERROR(
        CheckId(c.unavailable(i).staff_id(), field + ".staff_id"));
    CMC_RETURN_IF_ERROR(
        RequiredSpan(c.unavailable(i).first_day(), c.unavailable(i).last_day(),
                     field + ".first_day", field + ".last_day", kMaxSpanDays)
            .status());
  }
  if (c.time_limit_ms() == 0) c.set_time_limit_ms(10000);
  if (c.time_limit_ms() < 100 || c.time_limit_ms() > 60000) {
    return InvalidField("constraints.time_limit_ms", "must be 100-60000");
  }
  return c;
}

}  // namespace

grpc::Status DispatchService::ProposeTouringRota(
    Context* context, const v1::ProposeTouringRotaRequest* request,
    v1::RotaProposal* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::RotaProposal> {
        CMC_RETURN_IF_ERROR(CheckId(request->request_id(), "request_id"));
        CMC_RETURN_IF_ERROR(CheckId(request->community_id(), "community_id"));
        CMC_ASSIGN_OR_RETURN(const DaySpan period,
                             PeriodSpan(request->period(), "period"));
        if (period.last < call.today()) {
          return InvalidField("period", "ends before today");
        }
        if (static_cast<int>(
                PeriodsMeeting(v1::FREQUENCY_WEEKLY, period).size()) >
            kMaxRotaWeeks) {
          return InvalidField("period", "meets more than 14 ISO weeks");
        }
        CMC_ASSIGN_OR_RETURN(const v1::RotaConstraints constraints,
                             Normalized(request->constraints()));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        if (constraints.organiser_institution_ids().empty()) {
          CMC_RETURN_IF_ERROR(
              scope.RequireCommunity(request->community_id(), "community_id"));
        }
        for (int i = 0; i < constraints.organiser_institution_ids_size(); ++i) {
          CMC_RETURN_IF_ERROR(scope.RequireInstitution(
              constraints.organiser_institution_ids(i),
              absl::StrCat("constraints.organiser_institution_ids[", i, "]")));
        }
        const absl::Time deadline = call.deadline();
        v1::ProposeTouringRotaRequest normalized = *request;
        normalized.clear_request_id();
        const RequestClaim claim =
            ClaimOf(call.principal().subject, request->request_id(),
                    "ProposeTouringRota", normalized);
        CMC_ASSIGN_OR_RETURN(
            std::optional<v1::RotaProposal> first,
            Replay(
                *stores_.rotas, claim, scope,
                [](const v1::RotaProposal& r) { return KeysOf(r); }, deadline));
        if (first) return *std::move(first);
        const DaySpan days = {std::max(period.first, call.today()),
                              period.last};
        CMC_ASSIGN_OR_RETURN(
            const CommunityFacts loaded,
            LoadCommunity(request->community_id(), days, deadline));
        const ComplianceFacts& facts = loaded.facts;
        std::vector<std::string> organisers;
        for (int i = 0; i < constraints.organiser_institution_ids_size(); ++i) {
          const std::string& id = constraints.organiser_institution_ids(i);
          if (std::find(facts.township_center_ids.begin(),
                        facts.township_center_ids.end(),
                        id) == facts.township_center_ids.end()) {
            return Precondition(
                absl::StrCat("constraints.organiser_institution_ids[", i, "]"),
                "not an ACTIVE township-tier member of the community");
          }
          organisers.push_back(id);
        }
        if (organisers.empty()) organisers = facts.township_center_ids;
        CMC_ASSIGN_OR_RETURN(const v1::DispatchPolicy policy,
                             PolicyInForce(*stores_.policies,
                                           request->community_id(), deadline));
        const v1::Frequency frequency = VillageTouringFrequency(policy);
        const CoverageModel model(facts.coverage, frequency, call.today());

        RotaProblem problem;
        problem.frequency_word = FrequencyWord(frequency);
        problem.team_size = constraints.team_size();
        problem.max_visits_per_day = constraints.max_visits_per_team_day() > 0
                                         ? constraints.max_visits_per_team_day()
                                         : policy.max_visits_per_team_day();
        const std::set<int> weekdays(constraints.working_weekdays().begin(),
                                     constraints.working_weekdays().end());
        const std::vector<FrequencyPeriod> periods =
            PeriodsMeeting(frequency, days);
        for (const FrequencyPeriod& p : periods) {
          RotaWeek week{p.label, {}};
          for (absl::CivilDay d = p.days.first; d <= p.days.last; ++d) {
            if (weekdays.count(IsoWeekday(d))) week.days.push_back(d);
          }
          problem.weeks.push_back(std::move(week));
        }
        for (const inst::Institution& m : loaded.members) {
          problem.organiser_names[m.id()] = m.name();
        }
        int needed = 0;
        int already = 0;
        for (const std::string& organiser : organisers) {
          for (const VillageFact& v : facts.villages) {
            if (v.township_center_id != organiser) continue;
            for (size_t w = 0; w < periods.size(); ++w) {
              bool needs = false;
              bool toured = false;
              for (absl::CivilDay d = periods[w].days.first;
                   d <= periods[w].days.last; ++d) {
                const DayCoverage c = model.Cover(v, d);
                needs = needs || c.kind == v1::COVERAGE_KIND_BLANK ||
                        c.kind == v1::COVERAGE_KIND_TOURING;
                toured = toured || c.kind == v1::COVERAGE_KIND_TOURING;
              }
              if (!needs) continue;
              ++needed;
              if (toured) {
                ++already;
              } else {
                problem.needs.push_back({v.id, organiser, static_cast<int>(w)});
              }
            }
          }
          // The organiser's physicians and the days they are free.
          for (const StaffFact& s : facts.coverage.staff) {
            if (s.employer_id != organiser || !s.active ||
                !IsPhysicianQualification(s.qualification)) {
              continue;
            }
            CMC_ASSIGN_OR_RETURN(const std::vector<Booking> booked,
                                 BookingsOf(s.id, days, deadline));
            RotaPerson person{s.id, organiser, {}};
            for (const RotaWeek& week : problem.weeks) {
              for (absl::CivilDay d : week.days) {
                bool free = true;
                for (const Booking& b : booked) {
                  if (b.span.Contains(d) &&
                      (b.kind == Booking::Kind::kVisit ||
                       b.place_institution_id != organiser)) {
                    free = false;
                  }
                }
                for (const v1::Unavailability& u : constraints.unavailable()) {
                  if (u.staff_id() == s.id &&
                      DaySpan{DayOf(u.first_day()), DayOf(u.last_day())}
                          .Contains(d)) {
                    free = false;
                  }
                }
                if (free) person.available.insert(d);
              }
            }
            problem.persons.push_back(std::move(person));
          }
        }
        problem.time_limit =
            std::min(absl::Milliseconds(constraints.time_limit_ms()),
                     (deadline - absl::Now()) * 0.8);
        if (problem.time_limit <= absl::ZeroDuration()) {
          return absl::DeadlineExceededError(
              "no time left for the solver within the call's deadline");
        }
        CMC_ASSIGN_OR_RETURN(const RotaSolution solution, SolveRota(problem));

        v1::RotaProposal rota;
        rota.set_id(NewId("rot"));
        rota.set_community_id(request->community_id());
        *rota.mutable_period() = request->period();
        rota.mutable_first_day()->set_value(FormatCivilDate(days.first));
        rota.mutable_last_day()->set_value(FormatCivilDate(days.last));
        *rota.mutable_constraints() = constraints;
        rota.mutable_policy()->set_community_id(policy.community_id());
        rota.mutable_policy()->set_version(policy.version());
        rota.set_status(v1::ROTA_STATUS_DRAFT);
        rota.set_complete(solution.uncovered.empty());
        rota.set_optimal(solution.optimal);
        rota.set_village_weeks_needed(needed);
        rota.set_village_weeks_covered(
            already + static_cast<int>(solution.visits.size()));
        for (const RotaSolution::Visit& v : solution.visits) {
          v1::RotaVisit* out = rota.add_visits();
          out->set_organiser_institution_id(v.organiser_id);
          out->set_village_id(v.village_id);
          out->mutable_date()->set_value(FormatCivilDate(v.day));
          out->set_week(v.week);
          for (const std::string& s : v.staff_ids) out->add_staff_ids(s);
        }
        for (const RotaSolution::Uncovered& u : solution.uncovered) {
          v1::UncoveredVillageWeek* out = rota.add_uncovered();
          out->set_village_id(u.village_id);
          out->set_week(u.week);
          out->set_organiser_institution_id(u.organiser_id);
          out->set_reason(u.reason);
        }
        std::vector<std::pair<int, std::string>> loads;
        for (const auto& [staff, count] : solution.loads) {
          loads.push_back({count, staff});
        }
        std::sort(loads.begin(), loads.end());
        for (const auto& [count, staff] : loads) {
          v1::PersonLoad* load = rota.add_loads();
          load->set_staff_id(staff);
          load->set_visits(count);
        }
        if (!loads.empty()) {
          rota.set_fewest_visits_per_person(loads.front().first);
          rota.set_most_visits_per_person(loads.back().first);
        }
        return stores_.rotas->Create(
            claim, rota, KeysOf(rota),
            {"dispatch.RotaProposed", call.Actor("anonymous")}, deadline);
      });
}

grpc::Status DispatchService::GetRotaProposal(
    Context* context, const v1::GetRotaProposalRequest* request,
    v1::RotaProposal* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::RotaProposal> {
        CMC_RETURN_IF_ERROR(CheckId(request->id(), "id"));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_ASSIGN_OR_RETURN(
            v1::RotaProposal rota,
            stores_.rotas->Get(request->id(), call.deadline()));
        CMC_RETURN_IF_ERROR(RequireRecord(scope, KeysOf(rota), "id",
                                          absl::StrCat("rota ", rota.id())));
        return rota;
      });
}

grpc::Status DispatchService::AcceptRota(Context* context,
                                         const v1::AcceptRotaRequest* request,
                                         v1::RotaProposal* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::RotaProposal> {
        CMC_RETURN_IF_ERROR(CheckId(request->id(), "id"));
        CMC_RETURN_IF_ERROR(CheckVersion(request->version(), "version"));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        const absl::Time deadline = call.deadline();
        CMC_ASSIGN_OR_RETURN(const v1::RotaProposal rota,
                             stores_.rotas->Get(request->id(), deadline));
        CMC_RETURN_IF_ERROR(RequireRecord(scope, KeysOf(rota), "id",
                                          absl::StrCat("rota ", rota.id())));
        if (rota.status() != v1::ROTA_STATUS_DRAFT) {
          return Precondition("id", "the proposal is not a DRAFT");
        }
        if (rota.version() != request->version()) {
          return FieldError(
              absl::StatusCode::kAborted, "version",
              absl::StrCat("the proposal is at version ", rota.version()));
        }
        // Check every visit again: bookings may have changed since.
        const std::string plan_of = absl::StrCat("rota:", rota.id());
        for (int i = 0; i < rota.visits_size(); ++i) {
          const v1::RotaVisit& v = rota.visits(i);
          const absl::CivilDay day = DayOf(v.date());
          for (const std::string& staff : v.staff_ids()) {
            CMC_ASSIGN_OR_RETURN(const std::vector<Booking> booked,
                                 BookingsOf(staff, {day, day}, deadline));
            const Booking mine{
                Booking::Kind::kVisit,       "", staff, {day, day}, "", plan_of,
                v.organiser_institution_id()};
            if (auto clash = FindClash(booked, mine)) {
              return ClashError(absl::StrCat("visits[", i, "]"), *clash);
            }
          }
        }
        // Plans and visits are created with request ids derived from the
        // proposal, so a retry after a failure part-way creates nothing
        // twice.
        const std::string actor = call.Actor("anonymous");
        std::map<std::string, v1::TouringPlan> plans;
        for (const v1::RotaVisit& v : rota.visits()) {
          const std::string& organiser = v.organiser_institution_id();
          if (plans.count(organiser)) continue;
          v1::TouringPlan plan;
          plan.set_id(NewId("tpl"));
          plan.set_community_id(rota.community_id());
          plan.set_organiser_institution_id(organiser);
          plan.set_title(absl::StrCat("Rota ", rota.period().value()));
          *plan.mutable_first_day() = rota.first_day();
          *plan.mutable_last_day() = rota.last_day();
          plan.set_status(v1::PLAN_STATUS_ACTIVE);
          plan.set_rota_id(rota.id());
          v1::TouringPlan key;
          key.set_rota_id(rota.id());
          key.set_organiser_institution_id(organiser);
          CMC_ASSIGN_OR_RETURN(
              plans[organiser],
              stores_.plans->Create(
                  ClaimOf(kAcceptRotaCaller,
                          absl::StrCat(rota.id(), ":", organiser).substr(0, 64),
                          "AcceptRota", key),
                  plan, KeysOf(plan), {"dispatch.TouringPlanCreated", actor},
                  deadline));
        }
        for (int i = 0; i < rota.visits_size(); ++i) {
          const v1::RotaVisit& v = rota.visits(i);
          v1::Visit visit;
          visit.set_id(NewId("vis"));
          visit.set_plan_id(plans[v.organiser_institution_id()].id());
          visit.set_organiser_institution_id(v.organiser_institution_id());
          visit.set_community_id(rota.community_id());
          *visit.mutable_date() = v.date();
          visit.set_village_id(v.village_id());
          for (const std::string& staff : v.staff_ids()) {
            v1::TeamMember* m = visit.add_team();
            m->set_staff_id(staff);
            m->set_role(v1::TEAM_ROLE_PHYSICIAN);
          }
          visit.add_planned_services(v1::TOURING_SERVICE_DIAGNOSIS_TREATMENT);
          visit.add_planned_services(v1::TOURING_SERVICE_HEALTH_EDUCATION);
          visit.set_status(v1::VISIT_STATUS_PLANNED);
          CMC_RETURN_IF_ERROR(
              stores_.visits
                  ->Create(
                      ClaimOf(kAcceptRotaCaller,
                              absl::StrCat(rota.id(), ":", i).substr(0, 64),
                              "AcceptRota", v),
                      visit, KeysOf(visit), {"dispatch.VisitPlanned", actor},
                      deadline)
                  .status());
        }
        return stores_.rotas->Update(
            rota.id(), request->version(),
            [&](v1::RotaProposal& r) -> absl::Status {
              if (r.status() != v1::ROTA_STATUS_DRAFT) {
                return Precondition("id", "the proposal is not a DRAFT");
              }
              r.set_status(v1::ROTA_STATUS_ACCEPTED);
              r.clear_plan_ids();
              for (const auto& [organiser, plan] : plans) {
                r.add_plan_ids(plan.id());
              }
              return absl::OkStatus();
            },
            [](const v1::RotaProposal& r) { return KeysOf(r); },
            {"dispatch.RotaAccepted", actor}, deadline);
      });
}

}  // namespace cmc::dispatch
