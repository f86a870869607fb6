// The dispatch service in process against a real MariaDB (its MySQL stores,
// migrated), with a fixed institution service (services/dispatch/
// dispatch_fakes.h), called through a generated client: creates, repeats,
// clashes, versioned changes and the events they append, coverage from what
// is stored, and a rota proposed and accepted. Today is Monday 2026-03-02.
#include "services/dispatch/dispatch_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/identity/principal.h"
#include "common/outbox/outbox.h"
#include "common/server/server.h"
#include "common/service/idempotency.h"
#include "common/status.h"
#include "common/testing/mariadb.h"
#include "services/dispatch/dispatch_fakes.h"

namespace cmc::dispatch {
const std::vector<db::Migration>& Migrations();

namespace {

using Stub = v1::DispatchService::Stub;

class DispatchServiceDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig config = testing::MariaDb::Shared().NewDatabase("dispatch_svc");
    config.pool_size = 8;
    pool_ = db::Pool::Create(config);
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "outbox", outbox::Migrations()).ok());
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "requests", requests::Migrations()).ok());
    ASSERT_TRUE(db::ApplyMigrations(*pool_, "dispatch", Migrations()).ok());
    CallOptions call;
    call.clock = CountyClock::FixedDay(absl::CivilDay(2026, 3, 2));
    service_ = std::make_unique<DispatchService>(
        DispatchService::MysqlStores(pool_.get()), ReaderOf(&institutions_),
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
                    const std::string& scope = "county") {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    context.AddMetadata(kSubjectHeader, "user:test");
    context.AddMetadata(kScopeHeader, scope);
    return FromGrpcStatus((stub_.get()->*rpc)(&context, request, response));
  }

  std::vector<std::string> Events() {
    std::vector<std::string> types;
    EXPECT_TRUE(db::RunOnConnection(*pool_, absl::Now() + absl::Seconds(10),
                                    [&](sql::Connection& conn) {
                                      for (const auto& e : outbox::ReadAfter(
                                               conn, "dispatch", 0, 1000)) {
                                        types.push_back(e.type());
                                      }
                                      return absl::OkStatus();
                                    })
                    .ok());
    return types;
  }

  static v1::CreateAssignmentRequest Stationing(const std::string& request_id,
                                                const char* start,
                                                const char* end) {
    v1::CreateAssignmentRequest r;
    r.set_request_id(request_id);
    r.mutable_assignment()->set_staff_id("stf-doc");
    r.mutable_assignment()->set_institution_id("ins-t1");
    r.mutable_assignment()->mutable_start_date()->set_value(start);
    r.mutable_assignment()->mutable_end_date()->set_value(end);
    return r;
  }

  FakeInstitutions institutions_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<DispatchService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Stub> stub_;
};

TEST_F(DispatchServiceDbTest, AssignmentsAreStoredOnceWithTheirEvents) {
  v1::StationingAssignment first, repeat;
  ASSERT_TRUE(Call(&Stub::CreateAssignment,
                   Stationing("req-1", "2026-01-01", "2026-06-30"), &first)
                  .ok());
  ASSERT_TRUE(Call(&Stub::CreateAssignment,
                   Stationing("req-1", "2026-01-01", "2026-06-30"), &repeat)
                  .ok());
  EXPECT_EQ(repeat.id(), first.id());
  const absl::Status reused =
      Call(&Stub::CreateAssignment,
           Stationing("req-1", "2026-07-01", "2026-12-31"), &repeat);
  EXPECT_EQ(reused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(reused), "request_id");
  const absl::Status clash =
      Call(&Stub::CreateAssignment,
           Stationing("req-2", "2026-06-01", "2026-12-31"), &repeat);
  EXPECT_EQ(clash.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(BadField(clash), "assignment.start_date");

  v1::EndAssignmentRequest end;
  end.set_id(first.id());
  end.set_version(1);
  end.mutable_end_date()->set_value("2026-04-30");
  end.set_reason("调回");
  v1::StationingAssignment ended;
  ASSERT_TRUE(Call(&Stub::EndAssignment, end, &ended).ok());
  EXPECT_EQ(ended.version(), 2);
  const absl::Status stale = Call(&Stub::EndAssignment, end, &ended);
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(BadField(stale), "version");
  // The freed days take a new stay.
  ASSERT_TRUE(Call(&Stub::CreateAssignment,
                   Stationing("req-3", "2026-05-01", "2026-12-31"), &repeat)
                  .ok());

  institutions_.down = true;
  const absl::Status down =
      Call(&Stub::CreateAssignment,
           Stationing("req-4", "2027-01-01", "2027-07-31"), &repeat);
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Events(), (std::vector<std::string>{"dispatch.AssignmentCreated",
                                                "dispatch.AssignmentEnded",
                                                "dispatch.AssignmentCreated"}));
}

TEST_F(DispatchServiceDbTest, VisitsCoverTheirWeekAndARotaIsAccepted) {
  v1::CreateTouringPlanRequest plan_request;
  plan_request.set_request_id("plan-1");
  plan_request.mutable_plan()->set_organiser_institution_id("ins-t1");
  plan_request.mutable_plan()->set_title("三月巡诊");
  plan_request.mutable_plan()->mutable_first_day()->set_value("2026-03-01");
  plan_request.mutable_plan()->mutable_last_day()->set_value("2026-03-31");
  v1::TouringPlan plan;
  ASSERT_TRUE(
      Call(&Stub::CreateTouringPlan, plan_request, &plan, "institution:ins-t1")
          .ok());
  v1::CreateVisitRequest visit_request;
  visit_request.set_request_id("visit-1");
  v1::Visit* v = visit_request.mutable_visit();
  v->set_plan_id(plan.id());
  v->set_village_id("vil-2");
  v->mutable_date()->set_value("2026-03-02");
  v->add_team()->set_staff_id("stf-t1a");
  v->mutable_team(0)->set_role(v1::TEAM_ROLE_PHYSICIAN);
  v->add_planned_services(v1::TOURING_SERVICE_DIAGNOSIS_TREATMENT);
  v1::Visit visit;
  ASSERT_TRUE(Call(&Stub::CreateVisit, visit_request, &visit).ok());
  v1::RecordVisitDoneRequest done;
  done.set_id(visit.id());
  done.set_version(1);
  done.mutable_actual_date()->set_value("2026-03-02");
  done.set_patients_seen(12);
  done.add_services_given(v1::TOURING_SERVICE_DIAGNOSIS_TREATMENT);
  ASSERT_TRUE(Call(&Stub::RecordVisitDone, done, &visit).ok());

  v1::GetCoverageRequest coverage;
  coverage.set_community_id("com-1");
  coverage.mutable_period()->set_value("2026W10");
  v1::CoverageReport report;
  ASSERT_TRUE(Call(&Stub::GetCoverage, coverage, &report).ok());
  ASSERT_EQ(report.villages_size(), 4);
  EXPECT_EQ(report.villages(1).spans(0).kind(), v1::COVERAGE_KIND_TOURING);
  EXPECT_EQ(report.villages(1).spans(0).source_id(), visit.id());
  EXPECT_EQ(report.villages_with_blank_days(), 1);

  // The week after: vil-2 needs a visit again; vil-4's township has nobody.
  v1::ProposeTouringRotaRequest propose;
  propose.set_request_id("rota-1");
  propose.set_community_id("com-1");
  propose.mutable_period()->set_value("2026W11");
  v1::RotaProposal rota;
  ASSERT_TRUE(Call(&Stub::ProposeTouringRota, propose, &rota).ok());
  ASSERT_EQ(rota.visits_size(), 1);
  ASSERT_EQ(rota.uncovered_size(), 1);
  v1::RotaProposal again;
  ASSERT_TRUE(Call(&Stub::ProposeTouringRota, propose, &again).ok());
  EXPECT_EQ(again.id(), rota.id());
  v1::AcceptRotaRequest accept;
  accept.set_id(rota.id());
  accept.set_version(1);
  v1::RotaProposal accepted;
  ASSERT_TRUE(Call(&Stub::AcceptRota, accept, &accepted).ok());
  EXPECT_EQ(accepted.status(), v1::ROTA_STATUS_ACCEPTED);
  const absl::Status twice = Call(&Stub::AcceptRota, accept, &accepted);
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(BadField(twice), "id");

  coverage.mutable_period()->set_value("2026W11");
  ASSERT_TRUE(Call(&Stub::GetCoverage, coverage, &report).ok());
  EXPECT_EQ(report.villages(1).spans(0).kind(), v1::COVERAGE_KIND_TOURING);
  EXPECT_EQ(Events(),
            (std::vector<std::string>{
                "dispatch.TouringPlanCreated", "dispatch.VisitPlanned",
                "dispatch.VisitDone", "dispatch.RotaProposed",
                "dispatch.TouringPlanCreated", "dispatch.VisitPlanned",
                "dispatch.RotaAccepted"}));
}

TEST_F(DispatchServiceDbTest, AClosedMonthCountsEachPersonOnce) {
  v1::StationingAssignment a;
  ASSERT_TRUE(Call(&Stub::CreateAssignment,
                   Stationing("req-1", "2026-01-01", "2026-06-30"), &a)
                  .ok());
  v1::CloseServiceMonthRequest close;
  close.set_community_id("com-1");
  close.mutable_month()->set_value("2026-01");
  v1::CloseServiceMonthResponse first, again;
  ASSERT_TRUE(Call(&Stub::CloseServiceMonth, close, &first).ok());
  EXPECT_TRUE(first.newly_closed());
  ASSERT_EQ(first.people_size(), 1);
  EXPECT_EQ(first.people(0).days().total_days(), 31);
  ASSERT_TRUE(Call(&Stub::CloseServiceMonth, close, &again).ok());
  EXPECT_FALSE(again.newly_closed());
  EXPECT_EQ(again.people(0).days().total_days(), 31);
  EXPECT_EQ(Events(),
            (std::vector<std::string>{"dispatch.AssignmentCreated",
                                      "dispatch.ServiceDaysCounted"}));
}

}  // namespace
}  // namespace cmc::dispatch
