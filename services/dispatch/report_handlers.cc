// Coverage, compliance and service days (see dispatch_service.h).
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
#include "services/dispatch/service_days.h"

namespace cmc::dispatch {
namespace {

namespace inst = institution::v1;

v1::PolicyRef RefOf(const v1::DispatchPolicy& policy) {
  v1::PolicyRef ref;
  ref.set_community_id(policy.community_id());
  ref.set_version(policy.version());
  return ref;
}

// The villages of `all` the caller sees; PERMISSION_DENIED "community_id"
// when none although the community has some.
absl::StatusOr<std::vector<const inst::Village*>> VisibleVillages(
    const OrgScope& scope, const std::string& community_id,
    const std::vector<inst::Village>& all) {
  std::vector<const inst::Village*> out;
  for (const inst::Village& v : all) {
    if (CoversVillage(scope, v)) out.push_back(&v);
  }
  if (out.empty() && !scope.unrestricted() &&
      !scope.CoversCommunity(community_id)) {
    return OutOfScope("community_id", absl::StrCat("community ", community_id));
  }
  return out;
}

}  // namespace

grpc::Status DispatchService::GetCoverage(Context* context,
                                          const v1::GetCoverageRequest* request,
                                          v1::CoverageReport* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::CoverageReport> {
        CMC_RETURN_IF_ERROR(CheckId(request->community_id(), "community_id"));
        DaySpan span;
        if (request->when_case() == v1::GetCoverageRequest::kDate) {
          CMC_ASSIGN_OR_RETURN(const absl::CivilDay day,
                               RequiredDay(request->date(), "date"));
          span = {day, day};
        } else if (request->when_case() == v1::GetCoverageRequest::kPeriod) {
          CMC_ASSIGN_OR_RETURN(span, PeriodSpan(request->period(), "period"));
        } else {
          return InvalidField("date", "exactly one of date and period");
        }
        CMC_RETURN_IF_ERROR(CheckId(request->township_center_id(),
                                    "township_center_id", false));
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_ASSIGN_OR_RETURN(
            const CommunityFacts loaded,
            LoadCommunity(request->community_id(), span, call.deadline()));
        CMC_ASSIGN_OR_RETURN(
            const std::vector<const inst::Village*> visible,
            VisibleVillages(scope, request->community_id(), loaded.villages));
        CMC_ASSIGN_OR_RETURN(
            const v1::DispatchPolicy policy,
            PolicyInForce(*stores_.policies, request->community_id(),
                          call.deadline()));
        const CoverageModel model(loaded.facts.coverage,
                                  VillageTouringFrequency(policy),
                                  call.today());
        v1::CoverageReport report;
        *report.mutable_policy() = RefOf(policy);
        report.mutable_first_day()->set_value(FormatCivilDate(span.first));
        report.mutable_last_day()->set_value(FormatCivilDate(span.last));
        std::vector<v1::VillageCoverage> rows;
        for (const inst::Village* v : visible) {
          if (!request->township_center_id().empty() &&
              v->township_center_id() != request->township_center_id()) {
            continue;
          }
          const VillageFact fact = ToFact(*v);
          v1::VillageCoverage row = model.Runs(fact, span);
          row.set_name(v->name());
          report.set_village_count(report.village_count() + 1);
          if (row.blank_days() > 0) {
            report.set_villages_with_blank_days(
                report.villages_with_blank_days() + 1);
            for (v1::BlankSpot& spot : model.BlankSpots(fact, span)) {
              *report.add_blank_spots() = std::move(spot);
            }
          } else if (request->blank_only()) {
            continue;
          }
          rows.push_back(std::move(row));
        }
        const int64_t first = page.row;
        const int64_t end = std::min<int64_t>(rows.size(), first + page.size);
        for (int64_t i = first; i < end; ++i) {
          *report.add_villages() = std::move(rows[i]);
        }
        report.mutable_page()->set_total_size(rows.size());
        if (end < static_cast<int64_t>(rows.size())) {
          report.mutable_page()->set_next_page_token(
              NextPageToken(page.fingerprint, end));
        }
        return report;
      });
}

grpc::Status DispatchService::CheckCompliance(
    Context* context, const v1::CheckComplianceRequest* request,
    v1::ComplianceReport* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::ComplianceReport> {
        CMC_RETURN_IF_ERROR(CheckId(request->community_id(), "community_id"));
        CMC_ASSIGN_OR_RETURN(const DaySpan span,
                             PeriodSpan(request->period(), "period"));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_ASSIGN_OR_RETURN(
            CommunityFacts loaded,
            LoadCommunity(request->community_id(), span, call.deadline()));
        CMC_ASSIGN_OR_RETURN(
            const std::vector<const inst::Village*> visible,
            VisibleVillages(scope, request->community_id(), loaded.villages));
        ComplianceFacts& facts = loaded.facts;
        if (!scope.unrestricted() &&
            !scope.CoversCommunity(request->community_id())) {
          facts.villages.clear();
          for (const inst::Village* v : visible) {
            facts.villages.push_back(ToFact(*v));
          }
          std::vector<std::string> centers;
          for (const std::string& c : facts.township_center_ids) {
            if (scope.CoversInstitution(c)) centers.push_back(c);
          }
          facts.township_center_ids = std::move(centers);
        }
        CMC_ASSIGN_OR_RETURN(
            const v1::DispatchPolicy policy,
            PolicyInForce(*stores_.policies, request->community_id(),
                          call.deadline()));
        v1::ComplianceReport report =
            dispatch::CheckCompliance(policy, facts, span, call.today());
        *report.mutable_policy() = RefOf(policy);
        *report.mutable_period() = request->period();
        return report;
      });
}

grpc::Status DispatchService::GetServiceDays(
    Context* context, const v1::GetServiceDaysRequest* request,
    v1::ServiceDaysReport* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::ServiceDaysReport> {
        const bool by_staff =
            request->subject_case() == v1::GetServiceDaysRequest::kStaffId;
        if (by_staff) {
          CMC_RETURN_IF_ERROR(CheckId(request->staff_id(), "staff_id"));
        } else if (request->subject_case() ==
                   v1::GetServiceDaysRequest::kInstitutionId) {
          CMC_RETURN_IF_ERROR(
              CheckId(request->institution_id(), "institution_id"));
        } else {
          return InvalidField("staff_id",
                              "exactly one of staff_id and institution_id");
        }
        if (request->year() < 1900 || request->year() > 2999) {
          return InvalidField("year", "must be 1900-2999");
        }
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        const absl::Time deadline = call.deadline();
        std::string employer;
        if (by_staff) {
          CMC_ASSIGN_OR_RETURN(
              const inst::Staff staff,
              StaffAt(request->staff_id(), "staff_id", deadline));
          employer = staff.institution_id();
          CMC_RETURN_IF_ERROR(scope.RequireInstitution(employer, "staff_id"));
        } else {
          CMC_ASSIGN_OR_RETURN(const inst::Institution institution,
                               InstitutionAt(request->institution_id(),
                                             "institution_id", deadline));
          employer = institution.id();
          CMC_RETURN_IF_ERROR(
              scope.RequireInstitution(employer, "institution_id"));
        }
        // Days are counted up to today: a planned stay is not yet served.
        const DaySpan year = {
            absl::CivilDay(request->year(), 1, 1),
            std::min(absl::CivilDay(request->year(), 12, 31), call.today())};
        RecordQuery query;
        query.overlapping = year;
        if (by_staff) {
          query.staff_id = request->staff_id();
        } else {
          query.institution_id = employer;
        }
        std::vector<AssignmentFact> assignments;
        std::vector<VisitFact> visits;
        std::set<std::string> people;
        std::set<std::string> places;
        if (year.Days() > 0) {
          CMC_ASSIGN_OR_RETURN(auto stationed,
                               stores_.assignments->List(query, deadline));
          for (const auto& a : stationed) {
            if (!by_staff && a.record.home_institution_id() != employer) {
              continue;
            }
            assignments.push_back(ToFact(a.record));
            people.insert(a.record.staff_id());
            if (!a.record.institution_id().empty()) {
              places.insert(a.record.institution_id());
            }
          }
          query.status = v1::VISIT_STATUS_DONE;
          CMC_ASSIGN_OR_RETURN(auto done,
                               stores_.visits->List(query, deadline));
          for (const auto& v : done) {
            visits.push_back(ToFact(v.record, {}));
            if (!v.record.institution_id().empty()) {
              places.insert(v.record.institution_id());
            }
            if (!by_staff) {
              for (const v1::TeamMember& m : v.record.team()) {
                people.insert(m.staff_id());
              }
            }
          }
        }
        if (by_staff) people = {request->staff_id()};
        std::map<std::string, v1::Level> levels;
        CMC_ASSIGN_OR_RETURN(
            const std::vector<inst::Institution> known,
            reader_->Institutions({places.begin(), places.end()}, deadline));
        for (const inst::Institution& i : known)
          levels[i.id()] = LevelOf(i.tier());
        CMC_ASSIGN_OR_RETURN(const std::string community,
                             CommunityOfInstitution(employer, scope, deadline));
        CMC_ASSIGN_OR_RETURN(
            const v1::DispatchPolicy policy,
            PolicyInForce(*stores_.policies, community, deadline));
        v1::ServiceDaysReport report;
        *report.mutable_policy() = RefOf(policy);
        report.set_year(request->year());
        for (const std::string& person : people) {
          v1::PersonServiceDays days = CountServiceDays(
              policy, person, assignments, visits, year, levels);
          if (by_staff || days.total_days() > 0) {
            *report.add_people() = std::move(days);
          }
        }
        return report;
      });
}

grpc::Status DispatchService::CloseServiceMonth(
    Context* context, const v1::CloseServiceMonthRequest* request,
    v1::CloseServiceMonthResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::CloseServiceMonthResponse> {
        CMC_RETURN_IF_ERROR(CheckId(request->community_id(), "community_id"));
        const std::string& month = request->month().value();
        if (month.size() != 7 || month[4] != '-') {
          return InvalidField("month", "a month, YYYY-MM");
        }
        CMC_ASSIGN_OR_RETURN(const DaySpan span,
                             PeriodSpan(request->month(), "month"));
        if (span.last >= call.today()) {
          return Precondition("month", "the month has not ended");
        }
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        if (!scope.unrestricted() &&
            !scope.CoversCommunity(request->community_id())) {
          return OutOfScope(
              "community_id",
              absl::StrCat("community ", request->community_id()));
        }
        const absl::Time deadline = call.deadline();
        CMC_ASSIGN_OR_RETURN(
            std::optional<v1::CloseServiceMonthResponse> closed,
            stores_.months->Find(request->community_id(), month, deadline));
        if (closed) return *std::move(closed);
        absl::StatusOr<std::vector<inst::Institution>> members =
            reader_->Members(request->community_id(), deadline);
        if (!members.ok()) {
          return Renamed(members.status(), "community_id", "such community");
        }
        std::map<std::string, v1::Level> levels;
        for (const inst::Institution& i : *members) {
          levels[i.id()] = LevelOf(i.tier());
        }
        RecordQuery query;
        query.community_id = request->community_id();
        query.overlapping = span;
        std::vector<AssignmentFact> assignments;
        std::vector<VisitFact> visits;
        std::set<std::string> people;
        CMC_ASSIGN_OR_RETURN(auto stationed,
                             stores_.assignments->List(query, deadline));
        for (const auto& a : stationed) {
          assignments.push_back(ToFact(a.record));
          people.insert(a.record.staff_id());
        }
        query.status = v1::VISIT_STATUS_DONE;
        CMC_ASSIGN_OR_RETURN(auto done, stores_.visits->List(query, deadline));
        for (const auto& v : done) {
          visits.push_back(ToFact(v.record, levels));
          for (const v1::TeamMember& m : v.record.team()) {
            people.insert(m.staff_id());
          }
        }
        CMC_ASSIGN_OR_RETURN(const v1::DispatchPolicy policy,
                             PolicyInForce(*stores_.policies,
                                           request->community_id(), deadline));
        v1::CloseServiceMonthResponse count;
        for (const std::string& person : people) {
          v1::PersonServiceDays days = CountServiceDays(
              policy, person, assignments, visits, span, levels);
          if (days.total_days() == 0) continue;
          v1::MonthlyServiceDays* out = count.add_people();
          out->set_community_id(request->community_id());
          *out->mutable_month() = request->month();
          *out->mutable_policy() = RefOf(policy);
          *out->mutable_days() = std::move(days);
        }
        return stores_.months->Close(request->community_id(), month,
                                     std::move(count), call.Actor("anonymous"),
                                     deadline);
      });
}

}  // namespace cmc::dispatch
