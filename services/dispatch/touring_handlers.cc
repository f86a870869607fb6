// Touring plans and their visits (see dispatch_service.h).
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/service/handler.h"
#include "common/validators/validators.h"
#include "services/dispatch/dispatch_scope.h"
#include "services/dispatch/dispatch_service.h"
#include "services/dispatch/facts.h"
#include "services/dispatch/handler_support.h"
#include "services/dispatch/policy.h"
#include "services/dispatch/record_facts.h"
#include "services/dispatch/request_checks.h"

namespace cmc::dispatch {
namespace {

namespace inst = institution::v1;

RecordKeys PlanKeys(const v1::TouringPlan& p) { return KeysOf(p); }
RecordKeys VisitKeys(const v1::Visit& v) { return KeysOf(v); }

// The request-only checks of a visit.
absl::Status CheckVisitFields(const v1::Visit& visit) {
  CMC_RETURN_IF_ERROR(CheckId(visit.plan_id(), "visit.plan_id"));
  CMC_RETURN_IF_ERROR(RequiredDay(visit.date(), "visit.date").status());
  if (visit.destination_case() == v1::Visit::kVillageId) {
    CMC_RETURN_IF_ERROR(CheckId(visit.village_id(), "visit.village_id"));
  } else if (visit.destination_case() == v1::Visit::kInstitutionId) {
    CMC_RETURN_IF_ERROR(
        CheckId(visit.institution_id(), "visit.institution_id"));
  } else {
    return InvalidField("visit.village_id",
                        "exactly one of village_id and institution_id");
  }
  if (visit.team().empty() || visit.team_size() > 10) {
    return InvalidField("visit.team", "1-10 members");
  }
  std::set<std::string> seen;
  bool physician = false;
  for (int i = 0; i < visit.team_size(); ++i) {
    const v1::TeamMember& m = visit.team(i);
    const std::string field = absl::StrCat("visit.team[", i, "]");
    CMC_RETURN_IF_ERROR(CheckId(m.staff_id(), field + ".staff_id"));
    if (!seen.insert(m.staff_id()).second) {
      return InvalidField(field + ".staff_id", "listed twice");
    }
    if (m.role() == v1::TEAM_ROLE_UNSPECIFIED ||
        !v1::TeamRole_IsValid(m.role())) {
      return InvalidField(field + ".role", "required");
    }
    physician = physician || m.role() == v1::TEAM_ROLE_PHYSICIAN;
  }
  if (!physician) {
    return InvalidField("visit.team", "at least one TEAM_ROLE_PHYSICIAN");
  }
  return CheckServices(visit.planned_services(), "visit.planned_services");
}

}  // namespace

// ---------------------------------------------------------------- plans

grpc::Status DispatchService::CreateTouringPlan(
    Context* context, const v1::CreateTouringPlanRequest* request,
    v1::TouringPlan* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::TouringPlan> {
        CMC_RETURN_IF_ERROR(CheckId(request->request_id(), "request_id"));
        v1::TouringPlan plan = request->plan();
        CMC_RETURN_IF_ERROR(CheckId(plan.organiser_institution_id(),
                                    "plan.organiser_institution_id"));
        CMC_RETURN_IF_ERROR(RequiredSpan(plan.first_day(), plan.last_day(),
                                         "plan.first_day", "plan.last_day",
                                         kMaxSpanDays)
                                .status());
        CMC_RETURN_IF_ERROR(CheckText(plan.title(), "plan.title", 1, 100));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_RETURN_IF_ERROR(scope.RequireInstitution(
            plan.organiser_institution_id(), "plan.organiser_institution_id"));
        const RequestClaim claim =
            ClaimOf(call.principal().subject, request->request_id(),
                    "CreateTouringPlan", request->plan());
        CMC_ASSIGN_OR_RETURN(
            std::optional<v1::TouringPlan> first,
            Replay(*stores_.plans, claim, scope, &PlanKeys, call.deadline()));
        if (first) return *std::move(first);
        CMC_ASSIGN_OR_RETURN(
            const inst::Institution organiser,
            InstitutionAt(plan.organiser_institution_id(),
                          "plan.organiser_institution_id", call.deadline()));
        if (organiser.status() != inst::INSTITUTION_STATUS_ACTIVE ||
            (organiser.tier() != common::v1::TIER_COUNTY &&
             organiser.tier() != common::v1::TIER_TOWNSHIP)) {
          return Precondition("plan.organiser_institution_id",
                              "not an ACTIVE county- or township-tier "
                              "institution");
        }
        CMC_ASSIGN_OR_RETURN(
            const std::string community,
            CommunityOfInstitution(organiser.id(), scope, call.deadline()));
        if (community.empty()) {
          return Precondition("plan.organiser_institution_id",
                              "a member of no community");
        }
        plan.set_id(NewId("tpl"));
        plan.set_community_id(community);
        plan.set_status(v1::PLAN_STATUS_ACTIVE);
        plan.clear_end_reason();
        plan.clear_rota_id();
        plan.clear_planned_visits();
        plan.clear_done_visits();
        plan.clear_missed_visits();
        return stores_.plans->Create(
            claim, plan, KeysOf(plan),
            {"dispatch.TouringPlanCreated", call.Actor("anonymous")},
            call.deadline());
      });
}

grpc::Status DispatchService::GetTouringPlan(
    Context* context, const v1::GetTouringPlanRequest* request,
    v1::TouringPlan* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::TouringPlan> {
        CMC_RETURN_IF_ERROR(CheckId(request->id(), "id"));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_ASSIGN_OR_RETURN(
            v1::TouringPlan plan,
            stores_.plans->Get(request->id(), call.deadline()));
        CMC_RETURN_IF_ERROR(RequireRecord(scope, KeysOf(plan), "id",
                                          absl::StrCat("plan ", plan.id())));
        RecordQuery query;
        query.parent_id = plan.id();
        CMC_ASSIGN_OR_RETURN(auto visits,
                             stores_.visits->List(query, call.deadline()));
        for (const auto& v : visits) {
          switch (v.record.status()) {
            case v1::VISIT_STATUS_PLANNED:
              plan.set_planned_visits(plan.planned_visits() + 1);
              break;
            case v1::VISIT_STATUS_DONE:
              plan.set_done_visits(plan.done_visits() + 1);
              break;
            case v1::VISIT_STATUS_MISSED:
              plan.set_missed_visits(plan.missed_visits() + 1);
              break;
            default:
              break;
          }
        }
        return plan;
      });
}

grpc::Status DispatchService::ListTouringPlans(
    Context* context, const v1::ListTouringPlansRequest* request,
    v1::ListTouringPlansResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::ListTouringPlansResponse> {
        CMC_RETURN_IF_ERROR(
            CheckId(request->community_id(), "community_id", false));
        CMC_RETURN_IF_ERROR(CheckId(request->organiser_institution_id(),
                                    "organiser_institution_id", false));
        CMC_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> as_of,
                             OptionalDay(request->as_of(), "as_of"));
        if (!v1::PlanStatus_IsValid(request->status())) {
          return InvalidField("status", "unknown status");
        }
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_RETURN_IF_ERROR(scope.RequireCommunityFilter(
            request->community_id(), "community_id"));
        CMC_RETURN_IF_ERROR(scope.RequireInstitutionFilter(
            request->organiser_institution_id(), "organiser_institution_id"));
        RecordQuery query;
        query.community_id = request->community_id();
        query.institution_id = request->organiser_institution_id();
        if (as_of) query.overlapping = DaySpan{*as_of, *as_of};
        query.status = request->status();
        query.after_row = page.row;
        query.limit = page.size + 1;
        RestrictQuery(scope, &query);
        CMC_ASSIGN_OR_RETURN(auto rows,
                             stores_.plans->List(query, call.deadline()));
        v1::ListTouringPlansResponse out;
        ReplyPage(
            page, rows, [&](const v1::TouringPlan& p) { *out.add_plans() = p; },
            &out);
        return out;
      });
}

grpc::Status DispatchService::UpdateTouringPlan(
    Context* context, const v1::UpdateTouringPlanRequest* request,
    v1::TouringPlan* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::TouringPlan> {
        const v1::TouringPlan& given = request->plan();
        CMC_RETURN_IF_ERROR(CheckId(given.id(), "plan.id"));
        CMC_RETURN_IF_ERROR(CheckVersion(given.version(), "plan.version"));
        if (request->update_mask().paths().empty()) {
          return InvalidField("update_mask", "at least one path");
        }
        for (const std::string& path : request->update_mask().paths()) {
          if (path != "title" && path != "first_day" && path != "last_day") {
            return InvalidField(
                "update_mask",
                absl::StrCat("unknown or immutable path ", path));
          }
        }
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        const RecordFields fields = {"plan.id", "plan.version"};
        CMC_ASSIGN_OR_RETURN(
            const v1::TouringPlan current,
            stores_.plans->Get(given.id(), call.deadline(), fields));
        CMC_RETURN_IF_ERROR(RequireRecord(scope, KeysOf(current), "plan.id",
                                          absl::StrCat("plan ", current.id())));
        RecordQuery query;
        query.parent_id = given.id();
        CMC_ASSIGN_OR_RETURN(auto visits,
                             stores_.visits->List(query, call.deadline()));
        const auto change = [&](v1::TouringPlan& plan) -> absl::Status {
          if (plan.status() == v1::PLAN_STATUS_ENDED) {
            return Precondition("plan.id", "the plan has ended");
          }
          for (const std::string& path : request->update_mask().paths()) {
            if (path == "title") plan.set_title(given.title());
            if (path == "first_day")
              *plan.mutable_first_day() = given.first_day();
            if (path == "last_day") *plan.mutable_last_day() = given.last_day();
          }
          CMC_RETURN_IF_ERROR(CheckText(plan.title(), "plan.title", 1, 100));
          CMC_ASSIGN_OR_RETURN(
              const DaySpan span,
              RequiredSpan(plan.first_day(), plan.last_day(), "plan.first_day",
                           "plan.last_day", kMaxSpanDays));
          for (const auto& v : visits) {
            const absl::CivilDay day = DayOf(v.record.date());
            if (!span.Contains(day)) {
              return Precondition(
                  day < span.first ? "plan.first_day" : "plan.last_day",
                  absl::StrCat("visit ", v.record.id(), " on ",
                               v.record.date().value(), " lies outside"));
            }
          }
          return absl::OkStatus();
        };
        return stores_.plans->Update(
            given.id(), given.version(), change, &PlanKeys,
            {"dispatch.TouringPlanUpdated", call.Actor("anonymous")},
            call.deadline(), fields);
      });
}

grpc::Status DispatchService::EndTouringPlan(
    Context* context, const v1::EndTouringPlanRequest* request,
    v1::TouringPlan* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::TouringPlan> {
        CMC_RETURN_IF_ERROR(CheckId(request->id(), "id"));
        CMC_RETURN_IF_ERROR(CheckVersion(request->version(), "version"));
        CMC_RETURN_IF_ERROR(CheckText(request->reason(), "reason", 1, 500));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_ASSIGN_OR_RETURN(
            const v1::TouringPlan current,
            stores_.plans->Get(request->id(), call.deadline()));
        CMC_RETURN_IF_ERROR(RequireRecord(scope, KeysOf(current), "id",
                                          absl::StrCat("plan ", current.id())));
        const std::string actor = call.Actor("anonymous");
        CMC_ASSIGN_OR_RETURN(
            v1::TouringPlan ended,
            stores_.plans->Update(
                request->id(), request->version(),
                [&](v1::TouringPlan& plan) -> absl::Status {
                  if (plan.status() == v1::PLAN_STATUS_ENDED) {
                    return Precondition("id", "the plan has already ended");
                  }
                  plan.set_status(v1::PLAN_STATUS_ENDED);
                  plan.set_end_reason(request->reason());
                  return absl::OkStatus();
                },
                &PlanKeys, {"dispatch.TouringPlanEnded", actor},
                call.deadline()));
        // Its planned visits are withdrawn one by one after the plan ended;
        // a visit recorded meanwhile keeps its record (version 0 skips the
        // version check, the status check still applies).
        RecordQuery query;
        query.parent_id = ended.id();
        query.status = v1::VISIT_STATUS_PLANNED;
        CMC_ASSIGN_OR_RETURN(auto planned,
                             stores_.visits->List(query, call.deadline()));
        for (const auto& v : planned) {
          absl::Status cancelled =
              stores_.visits
                  ->Update(
                      v.record.id(), 0,
                      [&](v1::Visit& visit) -> absl::Status {
                        if (visit.status() != v1::VISIT_STATUS_PLANNED) {
                          return Precondition("id", "no longer planned");
                        }
                        visit.set_status(v1::VISIT_STATUS_CANCELLED);
                        visit.set_status_reason(request->reason());
                        return absl::OkStatus();
                      },
                      &VisitKeys, {"dispatch.VisitCancelled", actor},
                      call.deadline())
                  .status();
          if (!cancelled.ok() &&
              cancelled.code() != absl::StatusCode::kFailedPrecondition) {
            return cancelled;
          }
        }
        return ended;
      });
}

// ---------------------------------------------------------------- visits

absl::Status DispatchService::CheckVisit(const CallContext& call,
                                         const v1::TouringPlan& plan,
                                         v1::Visit* visit) {
  const absl::Time deadline = call.deadline();
  if (plan.status() != v1::PLAN_STATUS_ACTIVE) {
    return Precondition("visit.plan_id", "the plan has ended");
  }
  const absl::CivilDay day = DayOf(visit->date());
  if (!DaySpan{DayOf(plan.first_day()), DayOf(plan.last_day())}.Contains(day)) {
    return Precondition("visit.date", "outside the plan's days");
  }
  CMC_ASSIGN_OR_RETURN(const inst::Institution organiser,
                       InstitutionAt(plan.organiser_institution_id(),
                                     "visit.plan_id", deadline));
  if (visit->destination_case() == v1::Visit::kVillageId) {
    CMC_ASSIGN_OR_RETURN(
        const inst::Village village,
        VillageAt(visit->village_id(), "visit.village_id", deadline));
    if (village.community_id() != plan.community_id()) {
      return Precondition("visit.village_id",
                          "not a village of the organiser's community");
    }
  } else {
    CMC_ASSIGN_OR_RETURN(const inst::Institution to,
                         InstitutionAt(visit->institution_id(),
                                       "visit.institution_id", deadline));
    CMC_ASSIGN_OR_RETURN(const std::string community,
                         reader_->CommunityOf(to.id(), deadline));
    if (community != plan.community_id() || to.tier() <= organiser.tier()) {
      return Precondition("visit.institution_id",
                          "not a member below the organiser's tier in its "
                          "community");
    }
  }
  CMC_ASSIGN_OR_RETURN(
      const v1::DispatchPolicy policy,
      PolicyInForce(*stores_.policies, plan.community_id(), deadline));
  visit->set_organiser_institution_id(plan.organiser_institution_id());
  visit->set_community_id(plan.community_id());
  for (int i = 0; i < visit->team_size(); ++i) {
    const v1::TeamMember& m = visit->team(i);
    const std::string field = absl::StrCat("visit.team[", i, "].staff_id");
    CMC_ASSIGN_OR_RETURN(const inst::Staff staff,
                         StaffAt(m.staff_id(), field, deadline));
    if (staff.status() != inst::STAFF_STATUS_ACTIVE) {
      return Precondition(field, "the person is not ACTIVE");
    }
    if (m.role() == v1::TEAM_ROLE_PHYSICIAN &&
        !IsPhysicianQualification(staff.qualification())) {
      return Precondition(field,
                          "TEAM_ROLE_PHYSICIAN needs a practising or "
                          "assistant physician");
    }
    CMC_ASSIGN_OR_RETURN(const std::vector<Booking> booked,
                         BookingsOf(m.staff_id(), {day, day}, deadline));
    bool works_for_organiser =
        staff.institution_id() == plan.organiser_institution_id();
    for (const Booking& b : booked) {
      if (b.kind != Booking::Kind::kVisit &&
          b.place_institution_id == plan.organiser_institution_id()) {
        works_for_organiser = true;
      }
    }
    if (!works_for_organiser) {
      return Precondition(field,
                          "neither employed by nor posted or stationed at "
                          "the organiser that day");
    }
    for (const Booking& mine : dispatch::BookingsOf(*visit)) {
      if (mine.staff_id != m.staff_id()) continue;
      if (auto clash = FindClash(booked, mine)) {
        return ClashError(field, *clash);
      }
    }
    if (VisitsOnDay(booked, m.staff_id(), day, visit->id()) >=
        policy.max_visits_per_team_day()) {
      return Precondition(
          "visit.date",
          absl::StrCat("staff member ", m.staff_id(), " already has ",
                       policy.max_visits_per_team_day(),
                       " visits that day (the policy's most)"));
    }
  }
  return absl::OkStatus();
}

grpc::Status DispatchService::CreateVisit(Context* context,
                                          const v1::CreateVisitRequest* request,
                                          v1::Visit* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Visit> {
        CMC_RETURN_IF_ERROR(CheckId(request->request_id(), "request_id"));
        v1::Visit visit = request->visit();
        CMC_RETURN_IF_ERROR(CheckVisitFields(visit));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        const RequestClaim claim =
            ClaimOf(call.principal().subject, request->request_id(),
                    "CreateVisit", request->visit());
        CMC_ASSIGN_OR_RETURN(
            std::optional<v1::Visit> first,
            Replay(*stores_.visits, claim, scope, &VisitKeys, call.deadline()));
        if (first) return *std::move(first);
        CMC_ASSIGN_OR_RETURN(
            const v1::TouringPlan plan,
            stores_.plans->Get(visit.plan_id(), call.deadline(),
                               {"visit.plan_id", "version"}));
        CMC_RETURN_IF_ERROR(RequireRecord(scope, KeysOf(plan), "visit.plan_id",
                                          absl::StrCat("plan ", plan.id())));
        visit.set_id(NewId("vis"));
        visit.set_status(v1::VISIT_STATUS_PLANNED);
        visit.clear_actual_date();
        visit.clear_patients_seen();
        visit.clear_services_given();
        visit.clear_status_reason();
        CMC_RETURN_IF_ERROR(CheckVisit(call, plan, &visit));
        return stores_.visits->Create(
            claim, visit, KeysOf(visit),
            {"dispatch.VisitPlanned", call.Actor("anonymous")},
            call.deadline());
      });
}

grpc::Status DispatchService::GetVisit(Context* context,
                                       const v1::GetVisitRequest* request,
                                       v1::Visit* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Visit> {
        CMC_RETURN_IF_ERROR(CheckId(request->id(), "id"));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_ASSIGN_OR_RETURN(
            v1::Visit visit,
            stores_.visits->Get(request->id(), call.deadline()));
        CMC_RETURN_IF_ERROR(RequireRecord(scope, KeysOf(visit), "id",
                                          absl::StrCat("visit ", visit.id())));
        return visit;
      });
}

grpc::Status DispatchService::ListVisits(Context* context,
                                         const v1::ListVisitsRequest* request,
                                         v1::ListVisitsResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::ListVisitsResponse> {
        CMC_RETURN_IF_ERROR(CheckId(request->plan_id(), "plan_id", false));
        CMC_RETURN_IF_ERROR(
            CheckId(request->community_id(), "community_id", false));
        CMC_RETURN_IF_ERROR(
            CheckId(request->village_id(), "village_id", false));
        CMC_RETURN_IF_ERROR(CheckId(request->staff_id(), "staff_id", false));
        CMC_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> first,
                             OptionalDay(request->first_day(), "first_day"));
        CMC_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> last,
                             OptionalDay(request->last_day(), "last_day"));
        if (first && last && *last < *first) {
          return InvalidField("last_day", "before first_day");
        }
        if (!v1::VisitStatus_IsValid(request->status())) {
          return InvalidField("status", "unknown status");
        }
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_RETURN_IF_ERROR(scope.RequireCommunityFilter(
            request->community_id(), "community_id"));
        RecordQuery query;
        query.parent_id = request->plan_id();
        query.community_id = request->community_id();
        query.village_id = request->village_id();
        query.staff_id = request->staff_id();
        if (first || last) {
          query.overlapping =
              DaySpan{first ? *first : absl::CivilDay(1900, 1, 1),
                      last ? *last : kOpenEnd};
        }
        query.status = request->status();
        query.after_row = page.row;
        query.limit = page.size + 1;
        RestrictQuery(scope, &query);
        CMC_ASSIGN_OR_RETURN(auto rows,
                             stores_.visits->List(query, call.deadline()));
        v1::ListVisitsResponse out;
        ReplyPage(
            page, rows, [&](const v1::Visit& v) { *out.add_visits() = v; },
            &out);
        return out;
      });
}

grpc::Status DispatchService::UpdateVisit(Context* context,
                                          const v1::UpdateVisitRequest* request,
                                          v1::Visit* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Visit> {
        const v1::Visit& given = request->visit();
        CMC_RETURN_IF_ERROR(CheckId(given.id(), "visit.id"));
        CMC_RETURN_IF_ERROR(CheckVersion(given.version(), "visit.version"));
        if (request->update_mask().paths().empty()) {
          return InvalidField("update_mask", "at least one path");
        }
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        const RecordFields fields = {"visit.id", "visit.version"};
        CMC_ASSIGN_OR_RETURN(
            const v1::Visit current,
            stores_.visits->Get(given.id(), call.deadline(), fields));
        CMC_RETURN_IF_ERROR(
            RequireRecord(scope, KeysOf(current), "visit.id",
                          absl::StrCat("visit ", current.id())));
        const auto apply = [&](v1::Visit& v) -> absl::Status {
          if (v.status() != v1::VISIT_STATUS_PLANNED) {
            return Precondition("visit.id", "the visit is not PLANNED");
          }
          for (const std::string& path : request->update_mask().paths()) {
            if (path == "date") {
              *v.mutable_date() = given.date();
            } else if (path == "village_id") {
              v.set_village_id(given.village_id());
            } else if (path == "institution_id") {
              v.set_institution_id(given.institution_id());
            } else if (path == "team") {
              *v.mutable_team() = given.team();
            } else if (path == "planned_services") {
              *v.mutable_planned_services() = given.planned_services();
            } else {
              return InvalidField(
                  "update_mask",
                  absl::StrCat("unknown or immutable path ", path));
            }
          }
          return absl::OkStatus();
        };
        v1::Visit next = current;
        CMC_RETURN_IF_ERROR(apply(next));
        CMC_RETURN_IF_ERROR(CheckVisitFields(next));
        CMC_ASSIGN_OR_RETURN(const v1::TouringPlan plan,
                             stores_.plans->Get(next.plan_id(), call.deadline(),
                                                {"visit.plan_id", "version"}));
        CMC_RETURN_IF_ERROR(CheckVisit(call, plan, &next));
        return stores_.visits->Update(
            given.id(), given.version(), apply, &VisitKeys,
            {"dispatch.VisitUpdated", call.Actor("anonymous")}, call.deadline(),
            fields);
      });
}

grpc::Status DispatchService::RecordVisitDone(
    Context* context, const v1::RecordVisitDoneRequest* request,
    v1::Visit* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Visit> {
        CMC_RETURN_IF_ERROR(CheckId(request->id(), "id"));
        CMC_RETURN_IF_ERROR(CheckVersion(request->version(), "version"));
        CMC_ASSIGN_OR_RETURN(
            const absl::CivilDay day,
            RequiredDay(request->actual_date(), "actual_date"));
        if (day > call.today()) {
          return InvalidField("actual_date", "after today");
        }
        if (request->patients_seen() < 0 || request->patients_seen() > 10000) {
          return InvalidField("patients_seen", "must be 0-10000");
        }
        CMC_RETURN_IF_ERROR(
            CheckServices(request->services_given(), "services_given"));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_ASSIGN_OR_RETURN(
            v1::Visit current,
            stores_.visits->Get(request->id(), call.deadline()));
        CMC_RETURN_IF_ERROR(
            RequireRecord(scope, KeysOf(current), "id",
                          absl::StrCat("visit ", current.id())));
        if (DayOf(current.date()) != day) {
          // Done on another day than planned: the team must be free then.
          v1::Visit moved = current;
          moved.mutable_date()->set_value(FormatCivilDate(day));
          for (const Booking& mine : dispatch::BookingsOf(moved)) {
            CMC_ASSIGN_OR_RETURN(
                const std::vector<Booking> booked,
                BookingsOf(mine.staff_id, {day, day}, call.deadline()));
            if (auto clash = FindClash(booked, mine)) {
              return ClashError("actual_date", *clash);
            }
          }
        }
        return stores_.visits->Update(
            request->id(), request->version(),
            [&](v1::Visit& v) -> absl::Status {
              if (v.status() != v1::VISIT_STATUS_PLANNED) {
                return Precondition("id", "the visit is not PLANNED");
              }
              v.set_status(v1::VISIT_STATUS_DONE);
              v.mutable_actual_date()->set_value(FormatCivilDate(day));
              v.set_patients_seen(request->patients_seen());
              *v.mutable_services_given() = request->services_given();
              return absl::OkStatus();
            },
            &VisitKeys, {"dispatch.VisitDone", call.Actor("anonymous")},
            call.deadline());
      });
}

namespace {

// MISSED and CANCELLED: PLANNED -> `to` with a reason.
template <typename Request>
absl::StatusOr<v1::Visit> CloseVisit(VisitStore& store, const OrgScope& scope,
                                     const CallContext& call,
                                     const Request& request, v1::VisitStatus to,
                                     const char* event) {
  CMC_RETURN_IF_ERROR(CheckId(request.id(), "id"));
  CMC_RETURN_IF_ERROR(CheckVersion(request.version(), "version"));
  CMC_RETURN_IF_ERROR(CheckText(request.reason(), "reason", 1, 500));
  CMC_ASSIGN_OR_RETURN(const v1::Visit current,
                       store.Get(request.id(), call.deadline()));
  CMC_RETURN_IF_ERROR(RequireRecord(scope, KeysOf(current), "id",
                                    absl::StrCat("visit ", current.id())));
  return store.Update(
      request.id(), request.version(),
      [&](v1::Visit& v) -> absl::Status {
        if (v.status() != v1::VISIT_STATUS_PLANNED) {
          return Precondition("id", "the visit is not PLANNED");
        }
        v.set_status(to);
        v.set_status_reason(request.reason());
        return absl::OkStatus();
      },
      &VisitKeys, {event, call.Actor("anonymous")}, call.deadline());
}

}  // namespace

grpc::Status DispatchService::RecordVisitMissed(
    Context* context, const v1::RecordVisitMissedRequest* request,
    v1::Visit* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::Visit> {
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        return CloseVisit(*stores_.visits, scope, call, *request,
                          v1::VISIT_STATUS_MISSED, "dispatch.VisitMissed");
      });
}

grpc::Status DispatchService::CancelVisit(Context* context,
                                          const v1::CancelVisitRequest* request,
                                          v1::Visit* response) {
  return Serve(context, call_, response,
               [&](const CallContext& call) -> absl::StatusOr<v1::Visit> {
                 CMC_ASSIGN_OR_RETURN(const OrgScope scope,
                                      scopes_.Resolve(call));
                 return CloseVisit(*stores_.visits, scope, call, *request,
                                   v1::VISIT_STATUS_CANCELLED,
                                   "dispatch.VisitCancelled");
               });
}

}  // namespace cmc::dispatch
