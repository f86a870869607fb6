// DispatchService's handlers through a real in-process gRPC server and a
// generated client, over in-memory stores and a fixed institution service
// (dispatch_fakes.h): the codes and fields a caller sees and what is stored.
// "Today" is Monday 2026-03-02. The SQL is tested against MariaDB in
// tests/integration/dispatch_*.
#include "services/dispatch/dispatch_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/identity/principal.h"
#include "common/server/server.h"
#include "common/status.h"
#include "services/dispatch/dispatch_fakes.h"

namespace cmc::dispatch {
namespace {

const absl::CivilDay kToday(2026, 3, 2);

struct Caller {
  std::string subject = "user:admin";
  std::string scope = "county";
};
const Caller kTownship1 = {"user:t1", "institution:ins-t1"};
const Caller kTownship2 = {"user:t2", "institution:ins-t2"};
const Caller kCommunity = {"user:com", "community:com-1"};

class DispatchServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const CountyClock clock = CountyClock::FixedDay(kToday);
    DispatchService::Stores stores;
    stores.policies = std::make_unique<InMemoryPolicyStore>();
    stores.plans =
        std::make_unique<InMemoryRecordStore<v1::TouringPlan>>(clock);
    auto visits = std::make_unique<InMemoryRecordStore<v1::Visit>>(clock);
    visits_ = visits.get();
    stores.visits = std::move(visits);
    auto assignments =
        std::make_unique<InMemoryRecordStore<v1::StationingAssignment>>(clock);
    assignments_ = assignments.get();
    stores.assignments = std::move(assignments);
    stores.extensions =
        std::make_unique<InMemoryRecordStore<v1::NeighbourExtension>>(clock);
    stores.settlements =
        std::make_unique<InMemoryRecordStore<v1::RelocationSettlement>>(clock);
    stores.rotas =
        std::make_unique<InMemoryRecordStore<v1::RotaProposal>>(clock);
    auto months = std::make_unique<InMemoryServiceMonthStore>();
    months_ = months.get();
    stores.months = std::move(months);
    CallOptions call;
    call.clock = clock;
    service_ = std::make_unique<DispatchService>(
        std::move(stores), ReaderOf(&institutions_),
        CommunitiesOf(&institutions_), call);
    ServerOptions options;
    options.service_name = "dispatch";
    options.listen_host = "127.0.0.1";
    server_ = std::make_unique<Server>(options);
    server_->AddService(service_.get(), "cmc.dispatch.v1.DispatchService");
    ASSERT_TRUE(server_->Start().ok());
    stub_ = v1::DispatchService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
  }

  void TearDown() override { server_->Shutdown(); }

  template <typename Request, typename Response, typename Rpc>
  absl::Status Call(Rpc rpc, const Request& request, Response* response,
                    const Caller& caller = Caller()) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    context.AddMetadata(kSubjectHeader, caller.subject);
    context.AddMetadata(kRolesHeader, "community_admin");
    context.AddMetadata(kScopeHeader, caller.scope);
    return FromGrpcStatus((stub_.get()->*rpc)(&context, request, response));
  }

  static v1::CreateAssignmentRequest Stationing(const std::string& request_id,
                                                const std::string& staff,
                                                const char* start,
                                                const char* end) {
    v1::CreateAssignmentRequest r;
    r.set_request_id(request_id);
    r.mutable_assignment()->set_staff_id(staff);
    r.mutable_assignment()->set_institution_id("ins-t1");
    r.mutable_assignment()->mutable_start_date()->set_value(start);
    r.mutable_assignment()->mutable_end_date()->set_value(end);
    return r;
  }

  // A plan of ins-t1 for March 2026; its id.
  std::string Plan(const std::string& request_id = "plan-1") {
    v1::CreateTouringPlanRequest r;
    r.set_request_id(request_id);
    r.mutable_plan()->set_organiser_institution_id("ins-t1");
    r.mutable_plan()->set_title("三月巡诊");
    r.mutable_plan()->mutable_first_day()->set_value("2026-03-01");
    r.mutable_plan()->mutable_last_day()->set_value("2026-03-31");
    v1::TouringPlan plan;
    EXPECT_TRUE(Call(&Stub::CreateTouringPlan, r, &plan).ok());
    return plan.id();
  }

  static v1::CreateVisitRequest VisitTo(const std::string& request_id,
                                        const std::string& plan,
                                        const std::string& village,
                                        const char* day,
                                        const std::string& staff = "stf-t1a") {
    v1::CreateVisitRequest r;
    r.set_request_id(request_id);
    v1::Visit* v = r.mutable_visit();
    v->set_plan_id(plan);
    v->set_village_id(village);
    v->mutable_date()->set_value(day);
    v1::TeamMember* m = v->add_team();
    m->set_staff_id(staff);
    m->set_role(v1::TEAM_ROLE_PHYSICIAN);
    v->add_planned_services(v1::TOURING_SERVICE_DIAGNOSIS_TREATMENT);
    return r;
  }

  using Stub = v1::DispatchService::Stub;
  FakeInstitutions institutions_;
  InMemoryRecordStore<v1::Visit>* visits_ = nullptr;
  InMemoryRecordStore<v1::StationingAssignment>* assignments_ = nullptr;
  InMemoryServiceMonthStore* months_ = nullptr;
  std::unique_ptr<DispatchService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Stub> stub_;
};

// The call failed with absl::StatusCode::`expected` naming `field`.
#define EXPECT_ERROR(status, expected, field)                          \
  do {                                                                 \
    const absl::Status s_ = (status);                                  \
    EXPECT_EQ(s_.code(), absl::StatusCode::expected) << s_.ToString(); \
    EXPECT_EQ(BadField(s_), field) << s_.ToString();                   \
  } while (false)

TEST_F(DispatchServiceTest, PolicyDefaultsVersionsAndErrors) {
  v1::GetPolicyRequest get;
  get.set_community_id("com-1");
  v1::DispatchPolicy policy;
  ASSERT_TRUE(Call(&Stub::GetPolicy, get, &policy).ok());
  EXPECT_EQ(policy.community_id(), "");
  EXPECT_EQ(policy.version(), 1);
  EXPECT_EQ(policy.max_visits_per_team_day(), 4);

  v1::UpdatePolicyRequest update;
  update.mutable_policy()->set_community_id("com-1");
  update.mutable_policy()->set_version(1);
  update.mutable_policy()->set_max_visits_per_team_day(3);
  update.mutable_update_mask()->add_paths("max_visits_per_team_day");
  ASSERT_TRUE(Call(&Stub::UpdatePolicy, update, &policy, kCommunity).ok());
  EXPECT_EQ(policy.community_id(), "com-1");
  EXPECT_EQ(policy.version(), 1);
  EXPECT_EQ(policy.actor(), "user:com");
  ASSERT_TRUE(Call(&Stub::GetPolicy, get, &policy).ok());
  EXPECT_EQ(policy.max_visits_per_team_day(), 3);
  // The next change starts from the community's version 1.
  update.mutable_policy()->set_max_visits_per_team_day(5);
  ASSERT_TRUE(Call(&Stub::UpdatePolicy, update, &policy).ok());
  EXPECT_EQ(policy.version(), 2);
  EXPECT_ERROR(Call(&Stub::UpdatePolicy, update, &policy), kAborted,
               "policy.version");

  v1::ListPolicyVersionsRequest list;
  list.set_community_id("com-1");
  v1::ListPolicyVersionsResponse versions;
  ASSERT_TRUE(Call(&Stub::ListPolicyVersions, list, &versions).ok());
  ASSERT_EQ(versions.policies_size(), 3);
  EXPECT_EQ(versions.policies(0).version(), 2);
  EXPECT_EQ(versions.policies(2).community_id(), "");

  get.set_version(9);
  EXPECT_ERROR(Call(&Stub::GetPolicy, get, &policy), kNotFound, "version");
  get.set_version(-1);
  EXPECT_ERROR(Call(&Stub::GetPolicy, get, &policy), kInvalidArgument,
               "version");
  get.set_version(0);
  EXPECT_ERROR(Call(&Stub::GetPolicy, get, &policy, {"u", "community:com-9"}),
               kPermissionDenied, "community_id");

  update.mutable_policy()->set_version(2);
  EXPECT_ERROR(Call(&Stub::UpdatePolicy, update, &policy, kTownship1),
               kPermissionDenied, "policy.community_id");
  update.mutable_policy()->set_max_visits_per_team_day(50);
  EXPECT_ERROR(Call(&Stub::UpdatePolicy, update, &policy), kInvalidArgument,
               "policy.max_visits_per_team_day");
  update.mutable_update_mask()->clear_paths();
  EXPECT_ERROR(Call(&Stub::UpdatePolicy, update, &policy), kInvalidArgument,
               "update_mask");
  update.mutable_update_mask()->add_paths("version");
  EXPECT_ERROR(Call(&Stub::UpdatePolicy, update, &policy), kInvalidArgument,
               "update_mask");
  update.mutable_policy()->set_community_id("");
  EXPECT_ERROR(Call(&Stub::UpdatePolicy, update, &policy), kInvalidArgument,
               "policy.community_id");
  update.mutable_policy()->set_community_id("com-9");
  update.mutable_update_mask()->clear_paths();
  update.mutable_update_mask()->add_paths("max_visits_per_team_day");
  EXPECT_ERROR(Call(&Stub::UpdatePolicy, update, &policy), kNotFound,
               "policy.community_id");
}

TEST_F(DispatchServiceTest, AssignmentsCreateIdempotentlyAndEndEarly) {
  v1::StationingAssignment a;
  const auto request =
      Stationing("req-1", "stf-doc", "2026-01-01", "2026-06-30");
  ASSERT_TRUE(Call(&Stub::CreateAssignment, request, &a).ok());
  EXPECT_EQ(a.home_institution_id(), "ins-county");
  EXPECT_EQ(a.community_id(), "com-1");
  EXPECT_EQ(a.status(), v1::ASSIGNMENT_STATUS_ON_SITE);
  EXPECT_EQ(a.version(), 1);
  v1::StationingAssignment again;
  ASSERT_TRUE(Call(&Stub::CreateAssignment, request, &again).ok());
  EXPECT_EQ(again.id(), a.id());
  EXPECT_EQ(assignments_->Events(),
            std::vector<std::string>{"dispatch.AssignmentCreated"});

  // The same person again on a shared day: the clash names the record.
  absl::Status clash =
      Call(&Stub::CreateAssignment,
           Stationing("req-2", "stf-doc", "2026-06-30", "2027-01-31"), &again);
  EXPECT_ERROR(clash, kFailedPrecondition, "assignment.start_date");
  EXPECT_NE(clash.message().find(a.id()), absl::string_view::npos);

  v1::EndAssignmentRequest end;
  end.set_id(a.id());
  end.set_version(1);
  end.mutable_end_date()->set_value("2026-03-31");
  end.set_reason("调回县医院");
  v1::StationingAssignment ended;
  ASSERT_TRUE(Call(&Stub::EndAssignment, end, &ended).ok());
  EXPECT_TRUE(ended.ended_early());
  EXPECT_EQ(ended.end_date().value(), "2026-03-31");
  EXPECT_EQ(ended.version(), 2);
  EXPECT_ERROR(Call(&Stub::EndAssignment, end, &ended), kAborted, "version");
  end.set_version(2);
  EXPECT_ERROR(Call(&Stub::EndAssignment, end, &ended), kFailedPrecondition,
               "id");
  end.set_reason("");
  EXPECT_ERROR(Call(&Stub::EndAssignment, end, &ended), kInvalidArgument,
               "reason");

  v1::GetAssignmentRequest get;
  get.set_id(a.id());
  EXPECT_TRUE(Call(&Stub::GetAssignment, get, &again, kTownship1).ok());
  EXPECT_ERROR(Call(&Stub::GetAssignment, get, &again, kTownship2),
               kPermissionDenied, "id");
  get.set_id("asg-x");
  EXPECT_ERROR(Call(&Stub::GetAssignment, get, &again), kNotFound, "id");

  v1::ListAssignmentsRequest list;
  list.mutable_as_of()->set_value("2026-03-15");
  v1::ListAssignmentsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListAssignments, list, &listed, kTownship1).ok());
  EXPECT_EQ(listed.assignments_size(), 1);
  ASSERT_TRUE(Call(&Stub::ListAssignments, list, &listed, kTownship2).ok());
  EXPECT_EQ(listed.assignments_size(), 0);
  list.set_institution_id("ins-t1");
  EXPECT_ERROR(Call(&Stub::ListAssignments, list, &listed, kTownship2),
               kPermissionDenied, "institution_id");
}

TEST_F(DispatchServiceTest, AssignmentCallerErrors) {
  v1::StationingAssignment a;
  const struct {
    const char* name;
    v1::CreateAssignmentRequest request;
    Caller caller;
    absl::StatusCode code;
    const char* field;
  } cases[] = {
      {"short stay without a reason",
       Stationing("r1", "stf-doc", "2026-03-01", "2026-05-31"),
       {},
       absl::StatusCode::kInvalidArgument,
       "assignment.short_stay_reason"},
      {"a nurse",
       Stationing("r2", "stf-nurse", "2026-03-01", "2026-12-31"),
       {},
       absl::StatusCode::kFailedPrecondition,
       "assignment.staff_id"},
      {"a person who left",
       Stationing("r3", "stf-left", "2026-03-01", "2026-12-31"),
       {},
       absl::StatusCode::kFailedPrecondition,
       "assignment.staff_id"},
      {"township staff to a township center",
       Stationing("r4", "stf-t1a", "2026-03-01", "2026-12-31"),
       {},
       absl::StatusCode::kFailedPrecondition,
       "assignment.staff_id"},
      {"unknown person",
       Stationing("r5", "stf-x", "2026-03-01", "2026-12-31"),
       {},
       absl::StatusCode::kNotFound,
       "assignment.staff_id"},
      {"end before start",
       Stationing("r6", "stf-doc", "2026-03-01", "2026-02-01"),
       {},
       absl::StatusCode::kInvalidArgument,
       "assignment.end_date"},
      {"no request id",
       Stationing("", "stf-doc", "2026-03-01", "2026-12-31"),
       {},
       absl::StatusCode::kInvalidArgument,
       "request_id"},
      {"employer outside the scope",
       Stationing("r7", "stf-doc", "2026-03-01", "2026-12-31"), kTownship1,
       absl::StatusCode::kPermissionDenied, "assignment.staff_id"},
  };
  for (const auto& c : cases) {
    const absl::Status status =
        Call(&Stub::CreateAssignment, c.request, &a, c.caller);
    EXPECT_EQ(status.code(), c.code) << c.name << ": " << status;
    EXPECT_EQ(BadField(status), c.field) << c.name;
  }
  auto no_destination = Stationing("r8", "stf-doc", "2026-03-01", "2026-12-31");
  no_destination.mutable_assignment()->clear_destination();
  EXPECT_ERROR(Call(&Stub::CreateAssignment, no_destination, &a),
               kInvalidArgument, "assignment.institution_id");
  auto to_clinic = Stationing("r9", "stf-doc", "2026-03-01", "2026-12-31");
  to_clinic.mutable_assignment()->set_institution_id("ins-c1");
  EXPECT_ERROR(Call(&Stub::CreateAssignment, to_clinic, &a),
               kFailedPrecondition, "assignment.institution_id");
  institutions_.down = true;
  const absl::Status down =
      Call(&Stub::CreateAssignment,
           Stationing("r10", "stf-doc", "2026-03-01", "2026-12-31"), &a);
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(assignments_->Events().empty());
}

TEST_F(DispatchServiceTest, VisitsArePlannedRecordedAndNeverDoubleBooked) {
  const std::string plan = Plan();
  ASSERT_FALSE(plan.empty());
  v1::Visit visit;
  ASSERT_TRUE(Call(&Stub::CreateVisit,
                   VisitTo("v1", plan, "vil-2", "2026-03-03"), &visit,
                   kTownship1)
                  .ok());
  EXPECT_EQ(visit.status(), v1::VISIT_STATUS_PLANNED);
  EXPECT_EQ(visit.organiser_institution_id(), "ins-t1");

  // The same physician on the same day for another plan clashes.
  const std::string other = Plan("plan-2");
  absl::Status clash = Call(
      &Stub::CreateVisit, VisitTo("v2", other, "vil-1", "2026-03-03"), &visit);
  EXPECT_ERROR(clash, kFailedPrecondition, "visit.team[0].staff_id");
  // stf-t1b is posted to ins-t2 all March.
  clash = Call(&Stub::CreateVisit,
               VisitTo("v3", plan, "vil-1", "2026-03-04", "stf-t1b"), &visit);
  EXPECT_ERROR(clash, kFailedPrecondition, "visit.team[0].staff_id");
  EXPECT_NE(clash.message().find("pst-1"), absl::string_view::npos);
  // Four a day at most.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        Call(&Stub::CreateVisit,
             VisitTo(absl::StrCat("v4-", i), plan, "vil-1", "2026-03-03"),
             &visit)
            .ok());
  }
  EXPECT_ERROR(Call(&Stub::CreateVisit,
                    VisitTo("v5", plan, "vil-1", "2026-03-03"), &visit),
               kFailedPrecondition, "visit.date");
  EXPECT_ERROR(Call(&Stub::CreateVisit,
                    VisitTo("v6", plan, "vil-1", "2026-04-01"), &visit),
               kFailedPrecondition, "visit.date");
  EXPECT_ERROR(
      Call(&Stub::CreateVisit,
           VisitTo("v7", plan, "vil-1", "2026-03-05", "stf-nurse"), &visit),
      kFailedPrecondition, "visit.team[0].staff_id");
  auto empty_team = VisitTo("v8", plan, "vil-1", "2026-03-05");
  empty_team.mutable_visit()->clear_team();
  EXPECT_ERROR(Call(&Stub::CreateVisit, empty_team, &visit), kInvalidArgument,
               "visit.team");
  auto no_services = VisitTo("v9", plan, "vil-1", "2026-03-05");
  no_services.mutable_visit()->clear_planned_services();
  EXPECT_ERROR(Call(&Stub::CreateVisit, no_services, &visit), kInvalidArgument,
               "visit.planned_services");
  EXPECT_ERROR(Call(&Stub::CreateVisit,
                    VisitTo("v10", "tpl-x", "vil-1", "2026-03-05"), &visit),
               kNotFound, "visit.plan_id");
  EXPECT_ERROR(Call(&Stub::CreateVisit,
                    VisitTo("v11", plan, "vil-9", "2026-03-05"), &visit),
               kNotFound, "visit.village_id");
  EXPECT_ERROR(
      Call(&Stub::CreateVisit, VisitTo("v12", plan, "vil-1", "2026-03-05"),
           &visit, kTownship2),
      kPermissionDenied, "visit.plan_id");

  // Recorded done, then not again.
  v1::ListVisitsRequest list;
  list.set_plan_id(plan);
  list.set_village_id("vil-2");
  v1::ListVisitsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListVisits, list, &listed).ok());
  ASSERT_EQ(listed.visits_size(), 1);
  v1::RecordVisitDoneRequest done;
  done.set_id(listed.visits(0).id());
  done.set_version(1);
  done.mutable_actual_date()->set_value("2026-03-02");
  done.set_patients_seen(23);
  done.add_services_given(v1::TOURING_SERVICE_HEALTH_EDUCATION);
  ASSERT_TRUE(Call(&Stub::RecordVisitDone, done, &visit).ok());
  EXPECT_EQ(visit.status(), v1::VISIT_STATUS_DONE);
  EXPECT_EQ(visit.patients_seen(), 23);
  done.set_version(2);
  EXPECT_ERROR(Call(&Stub::RecordVisitDone, done, &visit), kFailedPrecondition,
               "id");
  done.mutable_actual_date()->set_value("2026-03-09");
  EXPECT_ERROR(Call(&Stub::RecordVisitDone, done, &visit), kInvalidArgument,
               "actual_date");
  v1::RecordVisitMissedRequest missed;
  missed.set_id(listed.visits(0).id());
  missed.set_version(2);
  EXPECT_ERROR(Call(&Stub::RecordVisitMissed, missed, &visit), kInvalidArgument,
               "reason");
  missed.set_reason("暴雨");
  EXPECT_ERROR(Call(&Stub::RecordVisitMissed, missed, &visit),
               kFailedPrecondition, "id");
  v1::GetVisitRequest get;
  get.set_id(listed.visits(0).id());
  EXPECT_ERROR(Call(&Stub::GetVisit, get, &visit, kTownship2),
               kPermissionDenied, "id");

  // Ending the plan cancels what is still planned.
  v1::EndTouringPlanRequest end;
  end.set_id(plan);
  end.set_version(1);
  end.set_reason("改由轮值表安排");
  v1::TouringPlan ended;
  ASSERT_TRUE(Call(&Stub::EndTouringPlan, end, &ended).ok());
  EXPECT_EQ(ended.status(), v1::PLAN_STATUS_ENDED);
  v1::GetTouringPlanRequest get_plan;
  get_plan.set_id(plan);
  ASSERT_TRUE(Call(&Stub::GetTouringPlan, get_plan, &ended).ok());
  EXPECT_EQ(ended.planned_visits(), 0);
  EXPECT_EQ(ended.done_visits(), 1);
  EXPECT_EQ(Call(&Stub::CreateVisit,
                 VisitTo("v13", plan, "vil-1", "2026-03-06"), &visit)
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(DispatchServiceTest, CoverageNamesEachWayAndTheBlankSpots) {
  const std::string plan = Plan();
  v1::Visit visit;
  ASSERT_TRUE(Call(&Stub::CreateVisit,
                   VisitTo("v1", plan, "vil-2", "2026-03-04"), &visit)
                  .ok());
  v1::GetCoverageRequest request;
  request.set_community_id("com-1");
  request.mutable_date()->set_value("2026-03-02");
  v1::CoverageReport report;
  ASSERT_TRUE(Call(&Stub::GetCoverage, request, &report).ok());
  EXPECT_EQ(report.policy().version(), 1);
  ASSERT_EQ(report.villages_size(), 4);
  EXPECT_EQ(report.villages(0).spans(0).kind(),
            v1::COVERAGE_KIND_RESIDENT_DOCTOR);
  EXPECT_EQ(report.villages(0).spans(0).source_id(), "stf-vd1");
  EXPECT_EQ(report.villages(1).spans(0).kind(), v1::COVERAGE_KIND_TOURING);
  EXPECT_EQ(report.villages(3).spans(0).kind(), v1::COVERAGE_KIND_BLANK);
  EXPECT_EQ(report.villages_with_blank_days(), 1);
  ASSERT_EQ(report.blank_spots_size(), 1);
  EXPECT_EQ(report.blank_spots(0).village_id(), "vil-4");
  EXPECT_TRUE(report.blank_spots(0).since_at_least());

  // A neighbouring clinic's extension covers vil-4 from today.
  v1::CreateExtensionRequest extension;
  extension.set_request_id("e1");
  extension.mutable_extension()->set_village_id("vil-4");
  extension.mutable_extension()->set_clinic_id("ins-c2");
  extension.mutable_extension()->mutable_start_date()->set_value("2026-03-02");
  v1::NeighbourExtension created;
  ASSERT_TRUE(
      Call(&Stub::CreateExtension, extension, &created, kTownship2).ok());
  ASSERT_TRUE(Call(&Stub::GetCoverage, request, &report).ok());
  EXPECT_EQ(report.villages(3).spans(0).kind(),
            v1::COVERAGE_KIND_NEIGHBOUR_EXTENSION);
  EXPECT_EQ(report.blank_spots_size(), 0);
  // The same again on those days; the village's own clinic; out of scope.
  extension.set_request_id("e2");
  EXPECT_ERROR(Call(&Stub::CreateExtension, extension, &created),
               kAlreadyExists, "extension.start_date");
  extension.mutable_extension()->set_village_id("vil-3");
  EXPECT_ERROR(Call(&Stub::CreateExtension, extension, &created),
               kFailedPrecondition, "extension.clinic_id");
  extension.mutable_extension()->set_village_id("vil-2");
  EXPECT_ERROR(Call(&Stub::CreateExtension, extension, &created, kTownship2),
               kPermissionDenied, "extension.village_id");

  // UpdateExtension: shortened with a note, then the same clinic's next
  // extension blocks lengthening it again.
  v1::UpdateExtensionRequest update;
  *update.mutable_extension() = created;
  update.mutable_extension()->mutable_end_date()->set_value("2026-03-31");
  update.mutable_extension()->set_note("轮值到月底");
  update.mutable_update_mask()->add_paths("end_date");
  update.mutable_update_mask()->add_paths("note");
  v1::NeighbourExtension updated;
  ASSERT_TRUE(Call(&Stub::UpdateExtension, update, &updated, kTownship2).ok());
  EXPECT_EQ(updated.end_date().value(), "2026-03-31");
  EXPECT_EQ(updated.note(), "轮值到月底");
  EXPECT_EQ(updated.version(), created.version() + 1);
  EXPECT_ERROR(Call(&Stub::UpdateExtension, update, &updated), kAborted,
               "extension.version");
  v1::CreateExtensionRequest next = extension;
  next.set_request_id("e-next");
  next.mutable_extension()->set_village_id("vil-4");
  next.mutable_extension()->mutable_start_date()->set_value("2026-04-01");
  v1::NeighbourExtension later;
  ASSERT_TRUE(Call(&Stub::CreateExtension, next, &later).ok());
  update.mutable_extension()->set_version(updated.version());
  update.mutable_extension()->clear_end_date();  // open-ended again
  EXPECT_ERROR(Call(&Stub::UpdateExtension, update, &updated), kAlreadyExists,
               "extension.end_date");
  update.mutable_extension()->mutable_end_date()->set_value("2026-03-01");
  EXPECT_ERROR(Call(&Stub::UpdateExtension, update, &updated), kInvalidArgument,
               "extension.end_date");
  update.mutable_extension()->mutable_end_date()->set_value("2026-3-31");
  EXPECT_ERROR(Call(&Stub::UpdateExtension, update, &updated), kInvalidArgument,
               "extension.end_date");
  update.mutable_extension()->mutable_end_date()->set_value("2026-03-20");
  EXPECT_ERROR(Call(&Stub::UpdateExtension, update, &updated,
                    {"u", "institution:ins-t1"}),
               kPermissionDenied, "extension.id");
  update.mutable_update_mask()->add_paths("clinic_id");
  EXPECT_ERROR(Call(&Stub::UpdateExtension, update, &updated), kInvalidArgument,
               "update_mask");
  update.clear_update_mask();
  EXPECT_ERROR(Call(&Stub::UpdateExtension, update, &updated), kInvalidArgument,
               "update_mask");
  update.mutable_update_mask()->add_paths("end_date");
  update.mutable_extension()->set_id("ext-unknown");
  EXPECT_ERROR(Call(&Stub::UpdateExtension, update, &updated), kNotFound,
               "extension.id");
  update.mutable_extension()->set_id(created.id());
  ASSERT_TRUE(Call(&Stub::UpdateExtension, update, &updated).ok());
  EXPECT_EQ(updated.end_date().value(), "2026-03-20");

  // A relocation settlement without a clinic takes no extension.
  v1::CreateSettlementRequest settlement;
  settlement.set_request_id("s1");
  settlement.mutable_settlement()->set_village_id("vil-2");
  settlement.mutable_settlement()->mutable_start_date()->set_value(
      "2026-01-01");
  v1::RelocationSettlement s;
  ASSERT_TRUE(Call(&Stub::CreateSettlement, settlement, &s).ok());
  settlement.set_request_id("s2");
  EXPECT_ERROR(Call(&Stub::CreateSettlement, settlement, &s), kAlreadyExists,
               "settlement.village_id");
  extension.set_request_id("e3");
  extension.mutable_extension()->set_clinic_id("ins-c1");
  EXPECT_ERROR(Call(&Stub::CreateExtension, extension, &created),
               kFailedPrecondition, "extension.village_id");

  // A township center sees its own villages only.
  ASSERT_TRUE(Call(&Stub::GetCoverage, request, &report, kTownship2).ok());
  ASSERT_EQ(report.villages_size(), 2);
  EXPECT_EQ(report.villages(0).village_id(), "vil-3");
  EXPECT_ERROR(
      Call(&Stub::GetCoverage, request, &report, {"u", "institution:ins-x"}),
      kPermissionDenied, "community_id");

  request.clear_date();
  EXPECT_ERROR(Call(&Stub::GetCoverage, request, &report), kInvalidArgument,
               "date");
  request.mutable_period()->set_value("2026Q5");
  EXPECT_ERROR(Call(&Stub::GetCoverage, request, &report), kInvalidArgument,
               "period");
  request.mutable_period()->set_value("2026-03");
  request.set_community_id("com-9");
  EXPECT_ERROR(Call(&Stub::GetCoverage, request, &report), kNotFound,
               "community_id");
  request.set_community_id("com-1");
  institutions_.down = true;
  EXPECT_EQ(Call(&Stub::GetCoverage, request, &report).code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(DispatchServiceTest, ComplianceAndServiceDays) {
  v1::StationingAssignment a;
  ASSERT_TRUE(Call(&Stub::CreateAssignment,
                   Stationing("req-1", "stf-doc", "2026-01-01", "2026-06-30"),
                   &a)
                  .ok());
  v1::CheckComplianceRequest check;
  check.set_community_id("com-1");
  check.mutable_period()->set_value("2026-02");
  v1::ComplianceReport compliance;
  ASSERT_TRUE(Call(&Stub::CheckCompliance, check, &compliance).ok());
  ASSERT_EQ(compliance.rules_size(), 3);
  EXPECT_FALSE(compliance.rules(2).met());
  // ins-t1 has its county physician; ins-t2 has none.
  ASSERT_EQ(compliance.township_centers_lacking_stationed_physician_size(), 1);
  EXPECT_EQ(compliance.township_centers_lacking_stationed_physician(0)
                .township_center_id(),
            "ins-t2");
  EXPECT_FALSE(compliance.compliant());
  check.mutable_period()->set_value("2026-13");
  EXPECT_ERROR(Call(&Stub::CheckCompliance, check, &compliance),
               kInvalidArgument, "period");

  // January 1st to today (March 2nd): 61 days, two full steps of 24.
  v1::GetServiceDaysRequest days;
  days.set_staff_id("stf-doc");
  days.set_year(2026);
  v1::ServiceDaysReport report;
  ASSERT_TRUE(Call(&Stub::GetServiceDays, days, &report).ok());
  ASSERT_EQ(report.people_size(), 1);
  EXPECT_EQ(report.people(0).total_days(), 61);
  EXPECT_EQ(report.people(0).credit_hundredths(), 100);
  EXPECT_FALSE(report.people(0).annual_assignment_complete());
  days.set_institution_id("ins-county");
  ASSERT_TRUE(Call(&Stub::GetServiceDays, days, &report).ok());
  EXPECT_EQ(report.people_size(), 1);
  days.set_year(1800);
  EXPECT_ERROR(Call(&Stub::GetServiceDays, days, &report), kInvalidArgument,
               "year");
  days.set_year(2026);
  EXPECT_ERROR(Call(&Stub::GetServiceDays, days, &report, kTownship1),
               kPermissionDenied, "institution_id");
  days.set_staff_id("stf-x");
  EXPECT_ERROR(Call(&Stub::GetServiceDays, days, &report), kNotFound,
               "staff_id");
}

TEST_F(DispatchServiceTest, AssignmentsAndVisitsChangeUnderTheirRules) {
  v1::StationingAssignment a;
  ASSERT_TRUE(Call(&Stub::CreateAssignment,
                   Stationing("req-1", "stf-doc", "2026-01-01", "2026-06-30"),
                   &a)
                  .ok());
  v1::UpdateAssignmentRequest update;
  update.mutable_assignment()->set_id(a.id());
  update.mutable_assignment()->set_version(1);
  update.mutable_assignment()->mutable_end_date()->set_value("2026-12-31");
  update.mutable_update_mask()->add_paths("end_date");
  v1::StationingAssignment updated;
  ASSERT_TRUE(Call(&Stub::UpdateAssignment, update, &updated).ok());
  EXPECT_EQ(updated.end_date().value(), "2026-12-31");
  EXPECT_EQ(updated.version(), 2);
  EXPECT_ERROR(Call(&Stub::UpdateAssignment, update, &updated), kAborted,
               "assignment.version");
  update.mutable_assignment()->set_version(2);
  update.mutable_assignment()->mutable_end_date()->set_value("2026-03-15");
  EXPECT_ERROR(Call(&Stub::UpdateAssignment, update, &updated),
               kInvalidArgument, "assignment.short_stay_reason");
  update.mutable_assignment()->mutable_end_date()->set_value("2026-02-01");
  EXPECT_ERROR(Call(&Stub::UpdateAssignment, update, &updated),
               kInvalidArgument, "assignment.end_date");
  update.mutable_update_mask()->add_paths("staff_id");
  EXPECT_ERROR(Call(&Stub::UpdateAssignment, update, &updated),
               kInvalidArgument, "update_mask");
  EXPECT_EQ(assignments_->Events(),
            (std::vector<std::string>{"dispatch.AssignmentCreated",
                                      "dispatch.AssignmentUpdated"}));

  const std::string plan = Plan();
  v1::Visit first, second;
  ASSERT_TRUE(Call(&Stub::CreateVisit,
                   VisitTo("v1", plan, "vil-2", "2026-03-03"), &first)
                  .ok());
  const std::string other = Plan("plan-2");
  ASSERT_TRUE(Call(&Stub::CreateVisit,
                   VisitTo("v2", other, "vil-1", "2026-03-04"), &second)
                  .ok());
  v1::UpdateVisitRequest move;
  move.mutable_visit()->set_id(first.id());
  move.mutable_visit()->set_version(1);
  move.mutable_visit()->mutable_date()->set_value("2026-03-05");
  move.mutable_update_mask()->add_paths("date");
  v1::Visit moved;
  ASSERT_TRUE(Call(&Stub::UpdateVisit, move, &moved).ok());
  EXPECT_EQ(moved.date().value(), "2026-03-05");
  EXPECT_EQ(moved.version(), 2);
  move.mutable_visit()->set_version(2);
  move.mutable_visit()->mutable_date()->set_value("2026-03-04");
  EXPECT_ERROR(Call(&Stub::UpdateVisit, move, &moved), kFailedPrecondition,
               "visit.team[0].staff_id");
  EXPECT_ERROR(Call(&Stub::UpdateVisit, move, &moved, kTownship2),
               kPermissionDenied, "visit.id");
  move.mutable_visit()->set_version(1);
  move.mutable_visit()->mutable_date()->set_value("2026-03-06");
  EXPECT_ERROR(Call(&Stub::UpdateVisit, move, &moved), kAborted,
               "visit.version");
  v1::CancelVisitRequest cancel;
  cancel.set_id(first.id());
  cancel.set_version(2);
  cancel.set_reason("改期");
  ASSERT_TRUE(Call(&Stub::CancelVisit, cancel, &moved).ok());
  move.mutable_visit()->set_version(3);
  EXPECT_ERROR(Call(&Stub::UpdateVisit, move, &moved), kFailedPrecondition,
               "visit.id");
}

TEST_F(DispatchServiceTest, AMonthIsClosedOnce) {
  v1::StationingAssignment a;
  ASSERT_TRUE(Call(&Stub::CreateAssignment,
                   Stationing("req-1", "stf-doc", "2026-01-01", "2026-06-30"),
                   &a)
                  .ok());
  v1::CloseServiceMonthRequest close;
  close.set_community_id("com-1");
  close.mutable_month()->set_value("2026-02");
  v1::CloseServiceMonthResponse closed;
  ASSERT_TRUE(Call(&Stub::CloseServiceMonth, close, &closed).ok());
  EXPECT_TRUE(closed.newly_closed());
  ASSERT_EQ(closed.people_size(), 1);
  EXPECT_EQ(closed.people(0).days().staff_id(), "stf-doc");
  EXPECT_EQ(closed.people(0).days().total_days(), 28);
  EXPECT_EQ(closed.people(0).month().value(), "2026-02");
  ASSERT_TRUE(Call(&Stub::CloseServiceMonth, close, &closed).ok());
  EXPECT_FALSE(closed.newly_closed());
  EXPECT_EQ(closed.people_size(), 1);
  EXPECT_EQ(months_->events(), 1);
  EXPECT_ERROR(Call(&Stub::CloseServiceMonth, close, &closed, kTownship1),
               kPermissionDenied, "community_id");
  close.mutable_month()->set_value("2026-03");
  EXPECT_ERROR(Call(&Stub::CloseServiceMonth, close, &closed),
               kFailedPrecondition, "month");
  close.mutable_month()->set_value("2026Q1");
  EXPECT_ERROR(Call(&Stub::CloseServiceMonth, close, &closed), kInvalidArgument,
               "month");
}

TEST_F(DispatchServiceTest, RotaCoversWhatItCanNamesTheRestAndIsAccepted) {
  v1::ProposeTouringRotaRequest propose;
  propose.set_request_id("rota-1");
  propose.set_community_id("com-1");
  propose.mutable_period()->set_value("2026W10");
  v1::RotaProposal rota;
  ASSERT_TRUE(Call(&Stub::ProposeTouringRota, propose, &rota).ok());
  EXPECT_EQ(rota.status(), v1::ROTA_STATUS_DRAFT);
  // vil-2 (ins-t1) and vil-4 (ins-t2) need the week; ins-t2 has no
  // physician of its own, and stf-t1b is posted away.
  EXPECT_EQ(rota.village_weeks_needed(), 2);
  EXPECT_FALSE(rota.complete());
  ASSERT_EQ(rota.visits_size(), 1);
  EXPECT_EQ(rota.visits(0).village_id(), "vil-2");
  EXPECT_EQ(rota.visits(0).staff_ids(0), "stf-t1a");
  ASSERT_EQ(rota.uncovered_size(), 1);
  EXPECT_EQ(rota.uncovered(0).village_id(), "vil-4");
  EXPECT_EQ(rota.uncovered(0).week(), "2026W10");
  EXPECT_NE(rota.uncovered(0).reason().find("no physician available"),
            std::string::npos)
      << rota.uncovered(0).reason();
  EXPECT_EQ(rota.most_visits_per_person(), 1);

  propose.mutable_period()->set_value("2026");
  propose.set_request_id("rota-2");
  EXPECT_ERROR(Call(&Stub::ProposeTouringRota, propose, &rota),
               kInvalidArgument, "period");
  // A calendar quarter meets 14 ISO weeks (2026Q2: W14 to W27) and fits.
  propose.mutable_period()->set_value("2026Q2");
  propose.set_request_id("rota-quarter");
  v1::RotaProposal quarter;
  ASSERT_TRUE(Call(&Stub::ProposeTouringRota, propose, &quarter).ok());
  EXPECT_EQ(quarter.village_weeks_needed(), 2 * 14) << "vil-2 and vil-4";
  propose.mutable_period()->set_value("2026W10");
  propose.mutable_constraints()->set_team_size(9);
  EXPECT_ERROR(Call(&Stub::ProposeTouringRota, propose, &rota),
               kInvalidArgument, "constraints.team_size");
  propose.mutable_constraints()->set_team_size(1);
  EXPECT_ERROR(Call(&Stub::ProposeTouringRota, propose, &rota, kTownship1),
               kPermissionDenied, "community_id");
  propose.mutable_constraints()->add_organiser_institution_ids("ins-t2");
  EXPECT_ERROR(Call(&Stub::ProposeTouringRota, propose, &rota, kTownship1),
               kPermissionDenied, "constraints.organiser_institution_ids[0]");

  v1::GetRotaProposalRequest get;
  get.set_id(rota.id());
  ASSERT_TRUE(Call(&Stub::GetRotaProposal, get, &rota).ok());
  v1::AcceptRotaRequest accept;
  accept.set_id(rota.id());
  accept.set_version(1);
  v1::RotaProposal accepted;
  ASSERT_TRUE(Call(&Stub::AcceptRota, accept, &accepted).ok());
  EXPECT_EQ(accepted.status(), v1::ROTA_STATUS_ACCEPTED);
  ASSERT_EQ(accepted.plan_ids_size(), 1);
  EXPECT_ERROR(Call(&Stub::AcceptRota, accept, &accepted), kFailedPrecondition,
               "id");
  v1::ListVisitsRequest list;
  list.set_plan_id(accepted.plan_ids(0));
  v1::ListVisitsResponse visits;
  ASSERT_TRUE(Call(&Stub::ListVisits, list, &visits).ok());
  ASSERT_EQ(visits.visits_size(), 1);
  EXPECT_EQ(visits.visits(0).village_id(), "vil-2");

  // vil-2 is now toured this week; vil-4 stays a blank spot.
  v1::GetCoverageRequest coverage;
  coverage.set_community_id("com-1");
  coverage.mutable_period()->set_value("2026W10");
  coverage.set_blank_only(true);
  v1::CoverageReport report;
  ASSERT_TRUE(Call(&Stub::GetCoverage, coverage, &report).ok());
  ASSERT_EQ(report.villages_size(), 1);
  EXPECT_EQ(report.villages(0).village_id(), "vil-4");
}

}  // namespace
}  // namespace cmc::dispatch
