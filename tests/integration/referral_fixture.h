// The fixture of the referral integration tests: the referral service in
// process against a real MariaDB, with a fake institution service (fixed
// tiers) on a free port, called through a generated client.
#ifndef CMC_TESTS_INTEGRATION_REFERRAL_FIXTURE_H_
#define CMC_TESTS_INTEGRATION_REFERRAL_FIXTURE_H_

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "cmc/referral/v1/referral.grpc.pb.h"
#include "common/db/migrations.h"
#include "common/db/transaction.h"
#include "common/identity/principal.h"
#include "common/outbox/outbox.h"
#include "common/server/server.h"
#include "common/service/county_time.h"
#include "common/service/idempotency.h"
#include "common/service/institution_client.h"
#include "common/status.h"
#include "common/testing/mariadb.h"
#include "services/referral/mysql_catalogue_store.h"
#include "services/referral/mysql_referral_store.h"
#include "services/referral/referral_service.h"

namespace cmc::referral {
const std::vector<db::Migration>& Migrations();

namespace referral_testing {

namespace inst = cmc::institution::v1;
using common::v1::Tier;
using v1::Referral;

inline constexpr char kResidentId[] = "360426199101010071";
inline constexpr char kMasked[] = "360426***********1";

// The institution service as far as referral needs it: BatchGetInstitutions
// over a fixed list (an unknown id is NOT_FOUND "ids[i]", as the contract
// says) and ListInstitutions by community over fixed memberships: "com-1"
// holds ins-county, ins-town and ins-village; "com-2" holds ins-county2 and
// ins-town2 (an unknown community is NOT_FOUND "community_id"). Pages hold
// two institutions, so membership lookups page.
class FakeInstitutions final : public inst::InstitutionService::Service {
 public:
  grpc::Status BatchGetInstitutions(
      grpc::ServerContext*, const inst::BatchGetInstitutionsRequest* request,
      inst::BatchGetInstitutionsResponse* response) override {
    ++calls;
    for (int i = 0; i < request->ids_size(); ++i) {
      auto it = kKnown.find(request->ids(i));
      if (it == kKnown.end()) {
        absl::Status bad = InvalidField(absl::StrCat("ids[", i, "]"), "no");
        return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown",
                            ToGrpcStatus(bad).error_details());
      }
      inst::Institution* institution = response->add_institutions();
      institution->set_id(it->first);
      institution->set_tier(it->second.first);
      institution->set_status(it->second.second
                                  ? inst::INSTITUTION_STATUS_ACTIVE
                                  : inst::INSTITUTION_STATUS_CLOSED);
    }
    return grpc::Status::OK;
  }

  grpc::Status ListInstitutions(
      grpc::ServerContext*, const inst::ListInstitutionsRequest* request,
      inst::ListInstitutionsResponse* response) override {
    ++community_calls;
    auto it = kMembers.find(request->community_id());
    if (it == kMembers.end()) {
      absl::Status bad = InvalidField("community_id", "no such community");
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown",
                          ToGrpcStatus(bad).error_details());
    }
    size_t start = 0;
    if (!request->page().page_token().empty()) {
      start = std::stoul(request->page().page_token());
    }
    for (size_t i = start; i < it->second.size() && i < start + 2; ++i) {
      response->add_institutions()->set_id(it->second[i]);
    }
    if (start + 2 < it->second.size()) {
      response->mutable_page()->set_next_page_token(std::to_string(start + 2));
    }
    return grpc::Status::OK;
  }

  std::atomic<int> calls{0};
  std::atomic<int> community_calls{0};

 private:
  const std::map<std::string, std::vector<std::string>> kMembers = {
      {"com-1", {"ins-county", "ins-town", "ins-village"}},
      {"com-2", {"ins-county2", "ins-town2"}},
  };
  const std::map<std::string, std::pair<Tier, bool>> kKnown = {
      {"ins-county", {common::v1::TIER_COUNTY, true}},
      {"ins-county2", {common::v1::TIER_COUNTY, true}},
      {"ins-town", {common::v1::TIER_TOWNSHIP, true}},
      {"ins-town2", {common::v1::TIER_TOWNSHIP, true}},
      {"ins-village", {common::v1::TIER_VILLAGE, true}},
      {"ins-closed", {common::v1::TIER_TOWNSHIP, false}},
  };
};

class ReferralTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig config = testing::MariaDb::Shared().NewDatabase("referral");
    config.pool_size = 8;
    pool_ = db::Pool::Create(config);
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "outbox", outbox::Migrations()).ok());
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "requests", requests::Migrations()).ok());
    ASSERT_TRUE(db::ApplyMigrations(*pool_, "referral", Migrations()).ok());
    StartInstitutions(0);
    service_ = std::make_unique<ReferralService>(
        std::make_unique<MysqlReferralStore>(pool_.get(), expiry_),
        std::make_unique<MysqlCatalogueStore>(pool_.get()),
        NewInstitutionClient(absl::StrCat("127.0.0.1:", institution_port_),
                             absl::Seconds(30)),
        service_options_);
    ServerOptions options;
    options.service_name = "referral";
    options.listen_host = "127.0.0.1";
    server_ = std::make_unique<Server>(options);
    server_->AddService(service_.get(), "cmc.referral.v1.ReferralService");
    server_->AddShutdownHook([s = service_.get()] { s->Stop(); });
    ASSERT_TRUE(server_->Start().ok());
    stub_ = v1::ReferralService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    server_->Shutdown();
    if (institutions_) institutions_->Shutdown();
  }

  void StartInstitutions(int port) {
    ServerOptions options;
    options.service_name = "institution";
    options.listen_host = "127.0.0.1";
    options.grpc_port = port;
    institutions_ = std::make_unique<Server>(options);
    institutions_->AddService(&fake_, "cmc.institution.v1.InstitutionService");
    ASSERT_TRUE(institutions_->Start().ok());
    institution_port_ = institutions_->grpc_port();
  }

  // A client context with a deadline and the principal "user:dr.li" (county
  // scope, so no org scope restricts it).
  static std::unique_ptr<grpc::ClientContext> Context() {
    Principal who;
    who.subject = "user:dr.li";
    who.whole_county = true;
    return ContextOf(who);
  }

  // A client context with a deadline and the principal `who`.
  static std::unique_ptr<grpc::ClientContext> ContextOf(const Principal& who) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(10));
    AttachPrincipal(who, context.get());
    return context;
  }

  // A clinician restricted to `scope` ("institution:<id>", "community:<id>").
  static Principal Clinician(const std::string& scope) {
    Principal who;
    who.subject = "user:scoped";
    who.roles = {"clinician"};
    if (scope.rfind("institution:", 0) == 0) {
      who.institutions.insert(scope.substr(12));
    } else if (scope.rfind("community:", 0) == 0) {
      who.communities.insert(scope.substr(10));
    }
    return who;
  }

  static v1::CreateReferralRequest UpRequest(const std::string& request_id) {
    v1::CreateReferralRequest request;
    request.set_request_id(request_id);
    Referral* r = request.mutable_referral();
    r->set_direction(v1::REFERRAL_DIRECTION_UP);
    r->set_type(v1::REFERRAL_TYPE_OUTPATIENT);
    r->mutable_patient()->set_resident_id(kResidentId);
    r->mutable_patient()->set_name("张三");
    r->set_from_institution_id("ins-village");
    r->set_from_practitioner("村医王");
    r->set_to_institution_id("ins-town");
    r->set_reason("血压控制不佳");
    r->mutable_diagnosis()->set_icd10_code("I10");
    r->mutable_diagnosis()->set_text("原发性高血压");
    return request;
  }

  absl::StatusOr<Referral> Create(const v1::CreateReferralRequest& request) {
    Referral response;
    const grpc::Status status =
        stub_->CreateReferral(Context().get(), request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

  // Runs one transition RPC; `Rpc` is a stub member such as
  // &v1::ReferralService::Stub::AcceptReferral.
  template <typename Request, typename Rpc>
  absl::StatusOr<Referral> Call(Rpc rpc, const Request& request) {
    Referral response;
    const grpc::Status status =
        (stub_.get()->*rpc)(Context().get(), request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

  // Runs a transition RPC on `referral` at its version, acting for
  // `institution`.
  template <typename Request>
  absl::StatusOr<Referral> Act(
      grpc::Status (v1::ReferralService::Stub::*rpc)(grpc::ClientContext*,
                                                     const Request&, Referral*),
      const Referral& referral, const std::string& institution) {
    return Call(rpc, On<Request>(referral, institution));
  }

  template <typename Request>
  static Request On(const Referral& referral, const std::string& institution) {
    Request request;
    request.set_id(referral.id());
    request.set_version(referral.version());
    request.mutable_actor()->set_institution_id(institution);
    request.mutable_actor()->set_practitioner("医生");
    return request;
  }

  // The first column of the first row of `query` (with `param` bound to its
  // one '?', if any), as text; "" when there is no row.
  std::string QueryOne(const std::string& query,
                       const std::string& param = "") {
    std::string value;
    EXPECT_TRUE(
        db::RunOnConnection(*pool_, absl::Now() + absl::Seconds(5),
                            [&](sql::Connection& conn) -> absl::Status {
                              std::unique_ptr<sql::PreparedStatement> select(
                                  conn.prepareStatement(query));
                              if (!param.empty()) select->setString(1, param);
                              std::unique_ptr<sql::ResultSet> rows(
                                  select->executeQuery());
                              if (rows->next()) value = rows->getString(1);
                              return absl::OkStatus();
                            })
            .ok());
    return value;
  }

  int64_t Count(const std::string& table) {
    return std::stoll(QueryOne("SELECT COUNT(*) FROM " + table));
  }

  std::vector<common::v1::Event> Events() {
    std::vector<common::v1::Event> events;
    EXPECT_TRUE(db::RunOnConnection(*pool_, absl::Now() + absl::Seconds(5),
                                    [&](sql::Connection& conn) -> absl::Status {
                                      events = outbox::ReadAfter(
                                          conn, "referral", 0, 1000);
                                      return absl::OkStatus();
                                    })
                    .ok());
    return events;
  }

  // What SetUp builds the service and its store with; a derived fixture may
  // change them in its constructor.
  ReferralService::Options service_options_;
  ExpiryPolicy expiry_;
  std::unique_ptr<db::Pool> pool_;
  FakeInstitutions fake_;
  std::unique_ptr<Server> institutions_;
  int institution_port_ = 0;
  std::unique_ptr<ReferralService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::ReferralService::Stub> stub_;
};

using Stub = v1::ReferralService::Stub;

// `lhs` = the value of the absl::StatusOr `expr`, or the test fails here.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)            \
  auto lhs##_or = (expr);                          \
  ASSERT_TRUE(lhs##_or.ok()) << lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

}  // namespace referral_testing
}  // namespace cmc::referral

#endif  // CMC_TESTS_INTEGRATION_REFERRAL_FIXTURE_H_
