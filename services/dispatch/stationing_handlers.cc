// Stationing assignments, neighbouring-village extensions and relocation
// settlements (see dispatch_service.h).
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

// The assignment as of `today` (status is not stored: it moves with time).
v1::StationingAssignment WithStatus(v1::StationingAssignment a,
                                    absl::CivilDay today) {
  const absl::CivilDay start = DayOf(a.start_date());
  const absl::CivilDay end = DayOf(a.end_date());
  a.set_status(today < start  ? v1::ASSIGNMENT_STATUS_SCHEDULED
               : today <= end ? v1::ASSIGNMENT_STATUS_ON_SITE
                              : v1::ASSIGNMENT_STATUS_COMPLETED);
  return a;
}

// Keys of a village's record, with the township center responsible for it
// (so that the center's scope covers it).
template <typename Record>
typename RecordStore<Record>::KeysOf VillageKeys(std::string township) {
  return [township](const Record& r) {
    RecordKeys keys = KeysOf(r);
    keys.institution_ids.push_back(township);
    return keys;
  };
}

}  // namespace

// ---------------------------------------------------------------- assignments

absl::StatusOr<v1::StationingAssignment> DispatchService::NewAssignment(
    const CallContext& call, const v1::CreateAssignmentRequest& request) {
  CMC_RETURN_IF_ERROR(CheckId(request.request_id(), "request_id"));
  v1::StationingAssignment a = request.assignment();
  CMC_RETURN_IF_ERROR(CheckId(a.staff_id(), "assignment.staff_id"));
  if (a.destination_case() == v1::StationingAssignment::kInstitutionId) {
    CMC_RETURN_IF_ERROR(
        CheckId(a.institution_id(), "assignment.institution_id"));
  } else if (a.destination_case() == v1::StationingAssignment::kVillageId) {
    CMC_RETURN_IF_ERROR(CheckId(a.village_id(), "assignment.village_id"));
  } else {
    return InvalidField("assignment.institution_id",
                        "exactly one of institution_id and village_id");
  }
  CMC_ASSIGN_OR_RETURN(
      const DaySpan stay,
      RequiredSpan(a.start_date(), a.end_date(), "assignment.start_date",
                   "assignment.end_date", kMaxStationingDays));
  CMC_RETURN_IF_ERROR(
      CheckText(a.short_stay_reason(), "assignment.short_stay_reason", 0, 500));
  CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
  const absl::Time deadline = call.deadline();
  const RequestClaim claim =
      ClaimOf(call.principal().subject, request.request_id(),
              "CreateAssignment", request.assignment());
  CMC_ASSIGN_OR_RETURN(
      std::optional<v1::StationingAssignment> first,
      Replay(
          *stores_.assignments, claim, scope,
          [](const v1::StationingAssignment& r) { return KeysOf(r); },
          deadline));
  if (first) return WithStatus(*std::move(first), call.today());
  CMC_ASSIGN_OR_RETURN(const inst::Staff staff,
                       StaffAt(a.staff_id(), "assignment.staff_id", deadline));
  CMC_RETURN_IF_ERROR(
      scope.RequireInstitution(staff.institution_id(), "assignment.staff_id"));
  if (staff.status() != inst::STAFF_STATUS_ACTIVE) {
    return Precondition("assignment.staff_id", "the person is not ACTIVE");
  }
  if (!IsPhysicianQualification(staff.qualification())) {
    return Precondition("assignment.staff_id",
                        "a stationed physician must be a practising or "
                        "assistant physician");
  }
  CMC_ASSIGN_OR_RETURN(
      const inst::Institution home,
      InstitutionAt(staff.institution_id(), "assignment.staff_id", deadline));
  std::string community;
  if (a.destination_case() == v1::StationingAssignment::kInstitutionId) {
    CMC_ASSIGN_OR_RETURN(const inst::Institution to,
                         InstitutionAt(a.institution_id(),
                                       "assignment.institution_id", deadline));
    if (to.tier() != common::v1::TIER_TOWNSHIP ||
        to.status() != inst::INSTITUTION_STATUS_ACTIVE) {
      return Precondition("assignment.institution_id",
                          "not an ACTIVE township-tier institution");
    }
    if (home.tier() != common::v1::TIER_COUNTY) {
      return Precondition("assignment.staff_id",
                          "a township center takes staff of county-tier "
                          "institutions");
    }
    CMC_ASSIGN_OR_RETURN(community,
                         CommunityOfInstitution(to.id(), scope, deadline));
  } else {
    CMC_ASSIGN_OR_RETURN(
        const inst::Village village,
        VillageAt(a.village_id(), "assignment.village_id", deadline));
    if (home.tier() != common::v1::TIER_COUNTY &&
        home.tier() != common::v1::TIER_TOWNSHIP) {
      return Precondition("assignment.staff_id",
                          "a village takes staff of township- or county-tier "
                          "institutions");
    }
    community = village.community_id();
  }
  CMC_ASSIGN_OR_RETURN(const v1::DispatchPolicy policy,
                       PolicyInForce(*stores_.policies, community, deadline));
  if (IsShortStay(stay, policy.min_stationing_months()) &&
      a.short_stay_reason().empty()) {
    return InvalidField(
        "assignment.short_stay_reason",
        absl::StrCat("required for a stay shorter than ",
                     policy.min_stationing_months(), " months"));
  }
  a.set_id(NewId("asg"));
  a.set_home_institution_id(home.id());
  a.set_community_id(community);
  a.clear_status();
  a.set_ended_early(false);
  a.clear_end_reason();
  CMC_ASSIGN_OR_RETURN(const std::vector<Booking> booked,
                       BookingsOf(a.staff_id(), stay, deadline));
  if (auto clash = FindClash(booked, BookingOf(a))) {
    return ClashError("assignment.start_date", *clash);
  }
  CMC_ASSIGN_OR_RETURN(
      v1::StationingAssignment stored,
      stores_.assignments->Create(
          claim, a, KeysOf(a),
          {"dispatch.AssignmentCreated", call.Actor("anonymous")}, deadline));
  return WithStatus(std::move(stored), call.today());
}

grpc::Status DispatchService::CreateAssignment(
    Context* context, const v1::CreateAssignmentRequest* request,
    v1::StationingAssignment* response) {
  return Serve(context, call_, response, [&](const CallContext& call) {
    return NewAssignment(call, *request);
  });
}

grpc::Status DispatchService::GetAssignment(
    Context* context, const v1::GetAssignmentRequest* request,
    v1::StationingAssignment* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::StationingAssignment> {
        CMC_RETURN_IF_ERROR(CheckId(request->id(), "id"));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_ASSIGN_OR_RETURN(
            v1::StationingAssignment a,
            stores_.assignments->Get(request->id(), call.deadline()));
        CMC_RETURN_IF_ERROR(RequireRecord(scope, KeysOf(a), "id",
                                          absl::StrCat("assignment ", a.id())));
        return WithStatus(std::move(a), call.today());
      });
}

grpc::Status DispatchService::ListAssignments(
    Context* context, const v1::ListAssignmentsRequest* request,
    v1::ListAssignmentsResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::ListAssignmentsResponse> {
        CMC_RETURN_IF_ERROR(
            CheckId(request->community_id(), "community_id", false));
        CMC_RETURN_IF_ERROR(CheckId(request->staff_id(), "staff_id", false));
        CMC_RETURN_IF_ERROR(
            CheckId(request->institution_id(), "institution_id", false));
        CMC_RETURN_IF_ERROR(
            CheckId(request->village_id(), "village_id", false));
        CMC_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> as_of,
                             OptionalDay(request->as_of(), "as_of"));
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_RETURN_IF_ERROR(scope.RequireCommunityFilter(
            request->community_id(), "community_id"));
        CMC_RETURN_IF_ERROR(scope.RequireInstitutionFilter(
            request->institution_id(), "institution_id"));
        RecordQuery query;
        query.community_id = request->community_id();
        query.staff_id = request->staff_id();
        query.institution_id = request->institution_id();
        query.village_id = request->village_id();
        if (as_of) query.overlapping = DaySpan{*as_of, *as_of};
        query.after_row = page.row;
        query.limit = page.size + 1;
        RestrictQuery(scope, &query);
        CMC_ASSIGN_OR_RETURN(auto rows,
                             stores_.assignments->List(query, call.deadline()));
        v1::ListAssignmentsResponse out;
        ReplyPage(
            page, rows,
            [&](const v1::StationingAssignment& a) {
              *out.add_assignments() = WithStatus(a, call.today());
            },
            &out);
        return out;
      });
}

grpc::Status DispatchService::UpdateAssignment(
    Context* context, const v1::UpdateAssignmentRequest* request,
    v1::StationingAssignment* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::StationingAssignment> {
        const v1::StationingAssignment& given = request->assignment();
        CMC_RETURN_IF_ERROR(CheckId(given.id(), "assignment.id"));
        CMC_RETURN_IF_ERROR(
            CheckVersion(given.version(), "assignment.version"));
        if (request->update_mask().paths().empty()) {
          return InvalidField("update_mask", "at least one path");
        }
        for (const std::string& path : request->update_mask().paths()) {
          if (path != "end_date" && path != "short_stay_reason") {
            return InvalidField(
                "update_mask",
                absl::StrCat("unknown or immutable path ", path));
          }
        }
        CMC_RETURN_IF_ERROR(CheckText(given.short_stay_reason(),
                                      "assignment.short_stay_reason", 0, 500));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        const absl::Time deadline = call.deadline();
        const RecordFields fields = {"assignment.id", "assignment.version"};
        CMC_ASSIGN_OR_RETURN(
            const v1::StationingAssignment current,
            stores_.assignments->Get(given.id(), deadline, fields));
        CMC_RETURN_IF_ERROR(
            RequireRecord(scope, KeysOf(current), "assignment.id",
                          absl::StrCat("assignment ", current.id())));
        // The change, checked here on the version read and applied in the
        // store only to that version.
        const auto apply = [&](v1::StationingAssignment& a) -> absl::Status {
          if (a.ended_early()) {
            return Precondition("assignment.id", "the assignment has ended");
          }
          for (const std::string& path : request->update_mask().paths()) {
            if (path == "end_date") *a.mutable_end_date() = given.end_date();
            if (path == "short_stay_reason") {
              a.set_short_stay_reason(given.short_stay_reason());
            }
          }
          return absl::OkStatus();
        };
        v1::StationingAssignment next = current;
        CMC_RETURN_IF_ERROR(apply(next));
        CMC_ASSIGN_OR_RETURN(
            const DaySpan stay,
            RequiredSpan(next.start_date(), next.end_date(),
                         "assignment.start_date", "assignment.end_date",
                         kMaxStationingDays));
        if (stay.last != DayOf(current.end_date()) &&
            stay.last < call.today()) {
          return InvalidField("assignment.end_date", "before today");
        }
        CMC_ASSIGN_OR_RETURN(
            const v1::DispatchPolicy policy,
            PolicyInForce(*stores_.policies, next.community_id(), deadline));
        if (IsShortStay(stay, policy.min_stationing_months()) &&
            next.short_stay_reason().empty()) {
          return InvalidField(
              "assignment.short_stay_reason",
              absl::StrCat("required for a stay shorter than ",
                           policy.min_stationing_months(), " months"));
        }
        CMC_ASSIGN_OR_RETURN(const std::vector<Booking> booked,
                             BookingsOf(next.staff_id(), stay, deadline));
        if (auto clash = FindClash(booked, BookingOf(next))) {
          return ClashError("assignment.end_date", *clash);
        }
        CMC_ASSIGN_OR_RETURN(
            v1::StationingAssignment updated,
            stores_.assignments->Update(
                given.id(), given.version(), apply,
                [](const v1::StationingAssignment& a) { return KeysOf(a); },
                {"dispatch.AssignmentUpdated", call.Actor("anonymous")},
                deadline, fields));
        return WithStatus(std::move(updated), call.today());
      });
}

grpc::Status DispatchService::EndAssignment(
    Context* context, const v1::EndAssignmentRequest* request,
    v1::StationingAssignment* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::StationingAssignment> {
        CMC_RETURN_IF_ERROR(CheckId(request->id(), "id"));
        CMC_RETURN_IF_ERROR(CheckVersion(request->version(), "version"));
        CMC_ASSIGN_OR_RETURN(const absl::CivilDay end,
                             RequiredDay(request->end_date(), "end_date"));
        CMC_RETURN_IF_ERROR(CheckText(request->reason(), "reason", 1, 500));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_ASSIGN_OR_RETURN(
            const v1::StationingAssignment current,
            stores_.assignments->Get(request->id(), call.deadline()));
        CMC_RETURN_IF_ERROR(
            RequireRecord(scope, KeysOf(current), "id",
                          absl::StrCat("assignment ", current.id())));
        const auto change = [&](v1::StationingAssignment& a) -> absl::Status {
          if (a.ended_early()) {
            return Precondition("id", "the assignment has already ended");
          }
          if (end < DayOf(a.start_date())) {
            return InvalidField("end_date", "before start_date");
          }
          if (end >= DayOf(a.end_date())) {
            return Precondition("end_date",
                                "not before the planned end_date (use "
                                "UpdateAssignment)");
          }
          a.mutable_end_date()->set_value(FormatCivilDate(end));
          a.set_ended_early(true);
          a.set_end_reason(request->reason());
          return absl::OkStatus();
        };
        CMC_ASSIGN_OR_RETURN(
            v1::StationingAssignment ended,
            stores_.assignments->Update(
                request->id(), request->version(), change,
                [](const v1::StationingAssignment& a) { return KeysOf(a); },
                {"dispatch.AssignmentEnded", call.Actor("anonymous")},
                call.deadline()));
        return WithStatus(std::move(ended), call.today());
      });
}

// ---------------------------------------------------------------- extensions

grpc::Status DispatchService::CreateExtension(
    Context* context, const v1::CreateExtensionRequest* request,
    v1::NeighbourExtension* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::NeighbourExtension> {
        CMC_RETURN_IF_ERROR(CheckId(request->request_id(), "request_id"));
        v1::NeighbourExtension e = request->extension();
        CMC_RETURN_IF_ERROR(CheckId(e.village_id(), "extension.village_id"));
        CMC_RETURN_IF_ERROR(CheckId(e.clinic_id(), "extension.clinic_id"));
        CMC_ASSIGN_OR_RETURN(
            const absl::CivilDay start,
            RequiredDay(e.start_date(), "extension.start_date"));
        CMC_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> end,
                             OptionalDay(e.end_date(), "extension.end_date"));
        if (end && *end < start) {
          return InvalidField("extension.end_date", "before start_date");
        }
        CMC_RETURN_IF_ERROR(CheckText(e.note(), "extension.note", 0, 500));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        const absl::Time deadline = call.deadline();
        CMC_ASSIGN_OR_RETURN(
            const inst::Village village,
            VillageAt(e.village_id(), "extension.village_id", deadline));
        CMC_RETURN_IF_ERROR(
            RequireVillage(scope, village, "extension.village_id"));
        const RequestClaim claim =
            ClaimOf(call.principal().subject, request->request_id(),
                    "CreateExtension", request->extension());
        const auto keys =
            VillageKeys<v1::NeighbourExtension>(village.township_center_id());
        CMC_ASSIGN_OR_RETURN(
            std::optional<v1::NeighbourExtension> first,
            Replay(*stores_.extensions, claim, scope, keys, deadline));
        if (first) return *std::move(first);
        CMC_ASSIGN_OR_RETURN(
            const inst::Institution clinic,
            InstitutionAt(e.clinic_id(), "extension.clinic_id", deadline));
        if (clinic.tier() != common::v1::TIER_VILLAGE ||
            clinic.status() != inst::INSTITUTION_STATUS_ACTIVE ||
            clinic.id() == village.village_clinic_id()) {
          return Precondition("extension.clinic_id",
                              "not an ACTIVE village clinic neighbouring the "
                              "village");
        }
        CMC_ASSIGN_OR_RETURN(
            const std::string clinic_community,
            CommunityOfInstitution(clinic.id(), scope, deadline));
        if (clinic_community != village.community_id()) {
          return Precondition("extension.clinic_id",
                              "the clinic is not a member of the village's "
                              "community");
        }
        const DaySpan days = {start, end ? *end : kOpenEnd};
        RecordQuery query;
        query.village_id = village.id();
        query.overlapping = days;
        CMC_ASSIGN_OR_RETURN(auto settlements,
                             stores_.settlements->List(query, deadline));
        if (!settlements.empty() && village.village_clinic_id().empty()) {
          return Precondition("extension.village_id",
                              absl::StrCat("a relocation settlement (",
                                           settlements.front().record.id(),
                                           ") is covered only by stationing "
                                           "or touring"));
        }
        query.institution_id = clinic.id();
        CMC_ASSIGN_OR_RETURN(auto same,
                             stores_.extensions->List(query, deadline));
        if (!same.empty()) {
          return FieldError(absl::StatusCode::kAlreadyExists,
                            "extension.start_date",
                            absl::StrCat("extension ", same.front().record.id(),
                                         " already holds on those days"));
        }
        e.set_id(NewId("ext"));
        e.set_community_id(village.community_id());
        return stores_.extensions->Create(
            claim, e, keys(e),
            {"dispatch.ExtensionCreated", call.Actor("anonymous")}, deadline);
      });
}

grpc::Status DispatchService::GetExtension(
    Context* context, const v1::GetExtensionRequest* request,
    v1::NeighbourExtension* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::NeighbourExtension> {
        CMC_RETURN_IF_ERROR(CheckId(request->id(), "id"));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_ASSIGN_OR_RETURN(
            v1::NeighbourExtension e,
            stores_.extensions->Get(request->id(), call.deadline()));
        if (!CoversRecord(scope, KeysOf(e))) {
          CMC_ASSIGN_OR_RETURN(
              const inst::Village village,
              VillageAt(e.village_id(), "id", call.deadline()));
          CMC_RETURN_IF_ERROR(RequireVillage(scope, village, "id"));
        }
        return e;
      });
}

grpc::Status DispatchService::ListExtensions(
    Context* context, const v1::ListExtensionsRequest* request,
    v1::ListExtensionsResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::ListExtensionsResponse> {
        CMC_RETURN_IF_ERROR(
            CheckId(request->community_id(), "community_id", false));
        CMC_RETURN_IF_ERROR(
            CheckId(request->village_id(), "village_id", false));
        CMC_RETURN_IF_ERROR(CheckId(request->clinic_id(), "clinic_id", false));
        CMC_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> as_of,
                             OptionalDay(request->as_of(), "as_of"));
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_RETURN_IF_ERROR(scope.RequireCommunityFilter(
            request->community_id(), "community_id"));
        RecordQuery query;
        query.community_id = request->community_id();
        query.village_id = request->village_id();
        query.institution_id = request->clinic_id();
        if (as_of) query.overlapping = DaySpan{*as_of, *as_of};
        query.after_row = page.row;
        query.limit = page.size + 1;
        RestrictQuery(scope, &query);
        CMC_ASSIGN_OR_RETURN(auto rows,
                             stores_.extensions->List(query, call.deadline()));
        v1::ListExtensionsResponse out;
        ReplyPage(
            page, rows,
            [&](const v1::NeighbourExtension& e) { *out.add_extensions() = e; },
            &out);
        return out;
      });
}

template <typename Record, typename Request>
absl::StatusOr<Record> DispatchService::EndVillagePeriod(
    const CallContext& call, RecordStore<Record>& store, const Request& request,
    const char* event_type) {
  CMC_RETURN_IF_ERROR(CheckId(request.id(), "id"));
  CMC_RETURN_IF_ERROR(CheckVersion(request.version(), "version"));
  CMC_ASSIGN_OR_RETURN(const absl::CivilDay end,
                       RequiredDay(request.end_date(), "end_date"));
  CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
  CMC_ASSIGN_OR_RETURN(const Record current,
                       store.Get(request.id(), call.deadline()));
  CMC_ASSIGN_OR_RETURN(const inst::Village village,
                       VillageAt(current.village_id(), "id", call.deadline()));
  CMC_RETURN_IF_ERROR(RequireVillage(scope, village, "id"));
  const auto change = [&](Record& record) -> absl::Status {
    if (end < DayOf(record.start_date()) || EndOf(record.end_date()) <= end) {
      return Precondition("end_date",
                          "must lie from start_date to before the "
                          "current end");
    }
    record.mutable_end_date()->set_value(FormatCivilDate(end));
    return absl::OkStatus();
  };
  return store.Update(request.id(), request.version(), change,
                      VillageKeys<Record>(village.township_center_id()),
                      {event_type, call.Actor("anonymous")}, call.deadline());
}

grpc::Status DispatchService::UpdateExtension(
    Context* context, const v1::UpdateExtensionRequest* request,
    v1::NeighbourExtension* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::NeighbourExtension> {
        const v1::NeighbourExtension& given = request->extension();
        CMC_RETURN_IF_ERROR(CheckId(given.id(), "extension.id"));
        CMC_RETURN_IF_ERROR(CheckVersion(given.version(), "extension.version"));
        if (request->update_mask().paths().empty()) {
          return InvalidField("update_mask", "at least one path");
        }
        for (const std::string& path : request->update_mask().paths()) {
          if (path != "end_date" && path != "note") {
            return InvalidField(
                "update_mask",
                absl::StrCat("unknown or immutable path ", path));
          }
        }
        CMC_RETURN_IF_ERROR(
            OptionalDay(given.end_date(), "extension.end_date").status());
        CMC_RETURN_IF_ERROR(CheckText(given.note(), "extension.note", 0, 500));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        const absl::Time deadline = call.deadline();
        const RecordFields fields = {"extension.id", "extension.version"};
        CMC_ASSIGN_OR_RETURN(
            const v1::NeighbourExtension current,
            stores_.extensions->Get(given.id(), deadline, fields));
        CMC_ASSIGN_OR_RETURN(
            const inst::Village village,
            VillageAt(current.village_id(), "extension.id", deadline));
        CMC_RETURN_IF_ERROR(RequireVillage(scope, village, "extension.id"));
        const auto apply = [&](v1::NeighbourExtension& e) -> absl::Status {
          for (const std::string& path : request->update_mask().paths()) {
            if (path == "end_date") *e.mutable_end_date() = given.end_date();
            if (path == "note") e.set_note(given.note());
          }
          return absl::OkStatus();
        };
        v1::NeighbourExtension next = current;
        CMC_RETURN_IF_ERROR(apply(next));
        const absl::CivilDay start = DayOf(next.start_date());
        const absl::CivilDay end = EndOf(next.end_date());
        if (end < start) {
          return InvalidField("extension.end_date", "before start_date");
        }
        // Days the extension did not hold before: they must be free of a
        // settlement without a clinic and of the same clinic's extensions.
        const absl::CivilDay old_end = EndOf(current.end_date());
        if (end > old_end) {
          RecordQuery query;
          query.village_id = village.id();
          query.overlapping = DaySpan{old_end + 1, end};
          CMC_ASSIGN_OR_RETURN(auto settlements,
                               stores_.settlements->List(query, deadline));
          if (!settlements.empty() && village.village_clinic_id().empty()) {
            return Precondition(
                "extension.village_id",
                absl::StrCat("a relocation settlement (",
                             settlements.front().record.id(),
                             ") is covered only by stationing or touring"));
          }
          query.institution_id = next.clinic_id();
          CMC_ASSIGN_OR_RETURN(auto same,
                               stores_.extensions->List(query, deadline));
          for (const auto& other : same) {
            if (other.record.id() == next.id()) continue;
            return FieldError(absl::StatusCode::kAlreadyExists,
                              "extension.end_date",
                              absl::StrCat("extension ", other.record.id(),
                                           " already holds on those days"));
          }
        }
        return stores_.extensions->Update(
            given.id(), given.version(), apply,
            VillageKeys<v1::NeighbourExtension>(village.township_center_id()),
            {"dispatch.ExtensionUpdated", call.Actor("anonymous")}, deadline,
            fields);
      });
}

grpc::Status DispatchService::EndExtension(
    Context* context, const v1::EndExtensionRequest* request,
    v1::NeighbourExtension* response) {
  return Serve(context, call_, response, [&](const CallContext& call) {
    return EndVillagePeriod(call, *stores_.extensions, *request,
                            "dispatch.ExtensionEnded");
  });
}

// ---------------------------------------------------------------- settlements

grpc::Status DispatchService::CreateSettlement(
    Context* context, const v1::CreateSettlementRequest* request,
    v1::RelocationSettlement* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::RelocationSettlement> {
        CMC_RETURN_IF_ERROR(CheckId(request->request_id(), "request_id"));
        v1::RelocationSettlement s = request->settlement();
        CMC_RETURN_IF_ERROR(CheckId(s.village_id(), "settlement.village_id"));
        CMC_ASSIGN_OR_RETURN(
            const absl::CivilDay start,
            RequiredDay(s.start_date(), "settlement.start_date"));
        CMC_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> end,
                             OptionalDay(s.end_date(), "settlement.end_date"));
        if (end && *end < start) {
          return InvalidField("settlement.end_date", "before start_date");
        }
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_ASSIGN_OR_RETURN(const inst::Village village,
                             VillageAt(s.village_id(), "settlement.village_id",
                                       call.deadline()));
        CMC_RETURN_IF_ERROR(
            RequireVillage(scope, village, "settlement.village_id"));
        const RequestClaim claim =
            ClaimOf(call.principal().subject, request->request_id(),
                    "CreateSettlement", request->settlement());
        const auto keys =
            VillageKeys<v1::RelocationSettlement>(village.township_center_id());
        CMC_ASSIGN_OR_RETURN(
            std::optional<v1::RelocationSettlement> first,
            Replay(*stores_.settlements, claim, scope, keys, call.deadline()));
        if (first) return *std::move(first);
        RecordQuery query;
        query.village_id = village.id();
        query.overlapping = DaySpan{start, end ? *end : kOpenEnd};
        CMC_ASSIGN_OR_RETURN(auto existing,
                             stores_.settlements->List(query, call.deadline()));
        if (!existing.empty()) {
          return FieldError(absl::StatusCode::kAlreadyExists,
                            "settlement.village_id",
                            absl::StrCat("already a relocation settlement (",
                                         existing.front().record.id(), ")"));
        }
        s.set_id(NewId("rls"));
        s.set_community_id(village.community_id());
        return stores_.settlements->Create(
            claim, s, keys(s),
            {"dispatch.SettlementCreated", call.Actor("anonymous")},
            call.deadline());
      });
}

grpc::Status DispatchService::ListSettlements(
    Context* context, const v1::ListSettlementsRequest* request,
    v1::ListSettlementsResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::ListSettlementsResponse> {
        CMC_RETURN_IF_ERROR(
            CheckId(request->community_id(), "community_id", false));
        CMC_RETURN_IF_ERROR(
            CheckId(request->village_id(), "village_id", false));
        CMC_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> as_of,
                             OptionalDay(request->as_of(), "as_of"));
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_RETURN_IF_ERROR(scope.RequireCommunityFilter(
            request->community_id(), "community_id"));
        RecordQuery query;
        query.community_id = request->community_id();
        query.village_id = request->village_id();
        if (as_of) query.overlapping = DaySpan{*as_of, *as_of};
        query.after_row = page.row;
        query.limit = page.size + 1;
        RestrictQuery(scope, &query);
        CMC_ASSIGN_OR_RETURN(auto rows,
                             stores_.settlements->List(query, call.deadline()));
        v1::ListSettlementsResponse out;
        ReplyPage(
            page, rows,
            [&](const v1::RelocationSettlement& s) {
              *out.add_settlements() = s;
            },
            &out);
        return out;
      });
}

grpc::Status DispatchService::EndSettlement(
    Context* context, const v1::EndSettlementRequest* request,
    v1::RelocationSettlement* response) {
  return Serve(context, call_, response, [&](const CallContext& call) {
    return EndVillagePeriod(call, *stores_.settlements, *request,
                            "dispatch.SettlementEnded");
  });
}

}  // namespace cmc::dispatch
