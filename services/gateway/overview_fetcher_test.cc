// GetCommunityOverview through GatewayService against fake institution and
// referral backends: sections composed, backends asked in parallel with the
// caller's principal, a failing or slow backend costing only its section, and
// the gateway's own refusals (scope, arguments) reaching no backend.
#include "services/gateway/overview_fetcher.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cmc/gateway/v1/gateway.grpc.pb.h"
#include "common/status.h"
#include "common/testing/fake_backend.h"
#include "google/rpc/error_details.pb.h"
#include "services/gateway/access_control.h"
#include "services/gateway/access_policy.h"
#include "services/gateway/gateway_service.h"

namespace cmc::gateway {
namespace {

using ::cmc::testing::RefusingPort;

using dispatch::v1::CheckComplianceRequest;
using dispatch::v1::ComplianceReport;
using dispatch::v1::CoverageReport;
using dispatch::v1::GetCoverageRequest;
using institution::v1::GetStaffingSummaryRequest;
using institution::v1::GetStaffingSummaryResponse;
using institution::v1::ListSubtreeRequest;
using institution::v1::ListSubtreeResponse;
using referral::v1::GetReferralStatsRequest;
using referral::v1::ReferralStats;

std::string ToString(grpc::string_ref ref) {
  return std::string(ref.data(), ref.size());
}

// What a fake saw of one call.
struct Seen {
  std::string subject;
  std::string scope;
  std::string request_id;
  std::string request;  // the request, in text format
};

// Behaviour and observations shared by the fakes' methods.
class Steering {
 public:
  // Every call of `method` ("ListSubtree", ...) waits `ms` first (or until
  // cancelled) / fails with `code`.
  void Delay(const std::string& method, int ms) {
    std::lock_guard<std::mutex> lock(mu_);
    delay_ms_[method] = ms;
  }
  void Fail(const std::string& method, grpc::StatusCode code) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_[method] = code;
  }
  std::vector<Seen> seen(const std::string& method) {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_[method];
  }

  // Records the call; the status to fail with, or OK to answer.
  grpc::Status Enter(const std::string& method, grpc::ServerContext* context,
                     const google::protobuf::Message& request) {
    int delay_ms = 0;
    std::optional<grpc::StatusCode> fail;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const auto& md = context->client_metadata();
      auto header = [&md](const char* key) {
        auto it = md.find(key);
        return it == md.end() ? std::string() : ToString(it->second);
      };
      seen_[method].push_back(Seen{header(kSubjectHeader), header(kScopeHeader),
                                   header("x-request-id"),
                                   request.ShortDebugString()});
      if (auto it = delay_ms_.find(method); it != delay_ms_.end()) {
        delay_ms = it->second;
      }
      if (auto it = fail_.find(method); it != fail_.end()) fail = it->second;
    }
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms);
    while (std::chrono::steady_clock::now() < until &&
           !context->IsCancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (fail.has_value()) {
      return ToGrpcStatus(FieldError(static_cast<absl::StatusCode>(*fail),
                                     "org.community_id", "injected"));
    }
    return grpc::Status::OK;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> delay_ms_;
  std::map<std::string, grpc::StatusCode> fail_;
  std::map<std::string, std::vector<Seen>> seen_;
};

class FakeInstitution final
    : public institution::v1::InstitutionService::Service {
 public:
  explicit FakeInstitution(Steering* steering) : steering_(steering) {}

  grpc::Status ListSubtree(grpc::ServerContext* context,
                           const ListSubtreeRequest* request,
                           ListSubtreeResponse* response) override {
    grpc::Status status = steering_->Enter("ListSubtree", context, *request);
    if (!status.ok()) return status;
    response->mutable_community()->set_id(request->org().community_id());
    auto* hospital = response->add_roots();
    hospital->mutable_institution()->set_id("ins-h");
    hospital->mutable_institution()->set_tier(common::v1::TIER_COUNTY);
    auto* township = hospital->add_children();
    township->mutable_institution()->set_id("ins-t");
    township->mutable_institution()->set_tier(common::v1::TIER_TOWNSHIP);
    auto* village = township->add_children();
    village->mutable_institution()->set_id("ins-v");
    village->mutable_institution()->set_tier(common::v1::TIER_VILLAGE);
    response->set_institution_count(3);
    response->set_village_count(2);
    return grpc::Status::OK;
  }

  grpc::Status GetStaffingSummary(
      grpc::ServerContext* context, const GetStaffingSummaryRequest* request,
      GetStaffingSummaryResponse* response) override {
    grpc::Status status =
        steering_->Enter("GetStaffingSummary", context, *request);
    if (!status.ok()) return status;
    response->set_total(12);
    response->set_general_practitioners(3);
    return grpc::Status::OK;
  }

 private:
  Steering* const steering_;
};

class FakeReferral final : public referral::v1::ReferralService::Service {
 public:
  explicit FakeReferral(Steering* steering) : steering_(steering) {}

  grpc::Status GetReferralStats(grpc::ServerContext* context,
                                const GetReferralStatsRequest* request,
                                ReferralStats* response) override {
    grpc::Status status =
        steering_->Enter("GetReferralStats", context, *request);
    if (!status.ok()) return status;
    response->set_total(5);
    response->set_closed(4);
    response->set_completed(3);
    response->set_closed_loop_rate(0.75);
    return grpc::Status::OK;
  }

 private:
  Steering* const steering_;
};

class FakeDispatch final : public dispatch::v1::DispatchService::Service {
 public:
  explicit FakeDispatch(Steering* steering) : steering_(steering) {}

  grpc::Status GetCoverage(grpc::ServerContext* context,
                           const GetCoverageRequest* request,
                           CoverageReport* response) override {
    grpc::Status status = steering_->Enter("GetCoverage", context, *request);
    if (!status.ok()) return status;
    response->mutable_policy()->set_version(2);
    response->set_village_count(2);
    response->set_villages_with_blank_days(1);
    dispatch::v1::BlankSpot* spot = response->add_blank_spots();
    spot->set_village_id("vil-2");
    spot->set_reason(dispatch::v1::BLANK_REASON_NOT_TOURED);
    spot->mutable_since()->set_value("2026-09-14");
    return grpc::Status::OK;
  }

  grpc::Status CheckCompliance(grpc::ServerContext* context,
                               const CheckComplianceRequest* request,
                               ComplianceReport* response) override {
    grpc::Status status =
        steering_->Enter("CheckCompliance", context, *request);
    if (!status.ok()) return status;
    *response->mutable_period() = request->period();
    response->set_compliant(false);
    response->add_rules()->set_required(8);
    return grpc::Status::OK;
  }

 private:
  Steering* const steering_;
};

class FakeFinance final : public finance::v1::FinanceService::Service {
 public:
  explicit FakeFinance(Steering* steering) : steering_(steering) {}

  grpc::Status GetBudgetExecution(
      grpc::ServerContext* context,
      const finance::v1::GetBudgetExecutionRequest* request,
      finance::v1::BudgetExecution* response) override {
    grpc::Status status =
        steering_->Enter("GetBudgetExecution", context, *request);
    if (!status.ok()) return status;
    response->set_community_id(request->community_id());
    response->set_year(2026);
    response->set_policy_version(3);
    return grpc::Status::OK;
  }

 private:
  Steering* const steering_;
};

// A server hosting one fake service on 127.0.0.1.
class FakeServer {
 public:
  explicit FakeServer(grpc::Service* service) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(service);
    server_ = builder.BuildAndStart();
    EXPECT_NE(server_, nullptr);
  }
  ~FakeServer() {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(1));
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

class OverviewTest : public ::testing::Test {
 protected:
  // Starts the gateway's service with the institution backend at
  // `institution` and the referral backend at `referral` (the fakes' by
  // default), admitting every caller as `dev` (nullptr = no access control).
  // `dispatch` "" is the fake dispatch backend.
  void StartGateway(const std::string& institution, const std::string& referral,
                    const Principal* dev = nullptr,
                    const std::string& dispatch = "") {
    const BackendChannels channels = CreateBackendChannels(
        {{"institution", institution},
         {"referral", referral},
         {"dispatch", dispatch.empty() ? dispatch_server_.address() : dispatch},
         {"finance", finance_server_.address()}});
    auto fetcher = OverviewFetcher::Create(channels);
    ASSERT_TRUE(fetcher.ok()) << fetcher.status();
    fetcher_ = std::move(*fetcher);
    if (dev != nullptr) {
      absl::StatusOr<AccessPolicy> policy =
          AccessPolicy::Load(CMC_SOURCE_DIR "/deploy/gateway/policy.textproto");
      ASSERT_TRUE(policy.ok()) << policy.status();
      access_ = std::make_unique<AccessControl>(*dev, *std::move(policy),
                                                std::nullopt);
    }
    service_ = std::make_unique<GatewayService>(
        nullptr, access_.get(), GatewayService::Options(), fetcher_.get());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::GatewayService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void StartGateway() {
    StartGateway(institution_server_.address(), referral_server_.address());
  }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() +
                        std::chrono::seconds(1));
    }
  }

  grpc::Status Overview(
      v1::CommunityOverview* overview,
      const std::string& community_id = "com-1",
      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
      std::chrono::milliseconds* elapsed = nullptr) {
    v1::GetCommunityOverviewRequest request;
    request.set_community_id(community_id);
    request.mutable_period()->set_value("2026Q3");
    request.mutable_as_of()->set_value("2026-09-30");
    grpc::ClientContext context;
    context.AddMetadata("x-request-id", "req-overview");
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    const auto start = std::chrono::steady_clock::now();
    grpc::Status status =
        stub_->GetCommunityOverview(&context, request, overview);
    if (elapsed != nullptr) {
      *elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
    }
    return status;
  }

  static google::rpc::ErrorInfo InfoOf(const google::rpc::Status& status) {
    google::rpc::ErrorInfo info;
    for (const auto& detail : status.details()) {
      if (detail.UnpackTo(&info)) return info;
    }
    ADD_FAILURE() << "no ErrorInfo in " << status.ShortDebugString();
    return info;
  }

  static void ExpectPendingSections(const v1::CommunityOverview& overview) {
    EXPECT_EQ(overview.indicators().status().code(),
              grpc::StatusCode::UNIMPLEMENTED);
  }

  Steering steering_;
  FakeInstitution institution_{&steering_};
  FakeReferral referral_{&steering_};
  FakeServer institution_server_{&institution_};
  FakeServer referral_server_{&referral_};
  FakeDispatch dispatch_{&steering_};
  FakeServer dispatch_server_{&dispatch_};
  FakeFinance finance_{&steering_};
  FakeServer finance_server_{&finance_};
  std::unique_ptr<OverviewFetcher> fetcher_;
  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<GatewayService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::GatewayService::Stub> stub_;
};

TEST_F(OverviewTest, ComposesEverySection) {
  StartGateway();
  v1::CommunityOverview overview;
  const grpc::Status status = Overview(&overview);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(overview.community_id(), "com-1");
  EXPECT_EQ(overview.period().value(), "2026Q3");
  EXPECT_EQ(overview.as_of().value(), "2026-09-30");

  EXPECT_EQ(overview.members().status().code(), 0);
  EXPECT_EQ(overview.members().community().id(), "com-1");
  EXPECT_EQ(overview.members().institution_count(), 3);
  EXPECT_EQ(overview.members().village_count(), 2);
  ASSERT_EQ(overview.members().by_tier_size(), 3);
  EXPECT_EQ(overview.members().by_tier(1).tier(), common::v1::TIER_TOWNSHIP);
  EXPECT_EQ(overview.members().by_tier(1).institutions(), 1);

  EXPECT_EQ(overview.staffing().status().code(), 0);
  EXPECT_EQ(overview.staffing().summary().total(), 12);
  EXPECT_EQ(overview.staffing().summary().general_practitioners(), 3);

  EXPECT_EQ(overview.referrals().status().code(), 0);
  EXPECT_EQ(overview.referrals().stats().total(), 5);
  EXPECT_DOUBLE_EQ(overview.referrals().stats().closed_loop_rate(), 0.75);

  const v1::DispatchSection& dispatch = overview.dispatch();
  EXPECT_EQ(dispatch.status().code(), 0);
  EXPECT_EQ(overview.dispatch_coverage().status().code(), 0)
      << "the deprecated section mirrors the status";
  EXPECT_EQ(dispatch.policy().version(), 2);
  EXPECT_EQ(dispatch.village_count(), 2);
  EXPECT_EQ(dispatch.villages_covered(), 1);
  ASSERT_EQ(dispatch.blank_spots_size(), 1);
  EXPECT_EQ(dispatch.blank_spots(0).village_id(), "vil-2");
  EXPECT_EQ(dispatch.compliance().status().code(), 0);
  EXPECT_EQ(dispatch.compliance().month().value(), "2026-08");
  EXPECT_FALSE(dispatch.compliance().compliant());
  EXPECT_EQ(dispatch.compliance().report().rules(0).required(), 8);

  EXPECT_EQ(overview.budget().status().code(), 0);
  EXPECT_EQ(overview.budget_execution().status().code(), 0);
  EXPECT_EQ(overview.budget().execution().community_id(), "com-1");
  EXPECT_EQ(overview.budget().execution().policy_version(), 3);
  ExpectPendingSections(overview);

  // The backends were asked once each, for the community, the day and the
  // period, the referral statistics over the members.
  const std::vector<Seen> subtree = steering_.seen("ListSubtree");
  ASSERT_EQ(subtree.size(), 1u);
  EXPECT_EQ(subtree[0].request,
            R"(org { community_id: "com-1" } as_of { value: "2026-09-30" })");
  EXPECT_EQ(subtree[0].request_id, "req-overview");
  ASSERT_EQ(steering_.seen("GetStaffingSummary").size(), 1u);
  const std::vector<Seen> stats = steering_.seen("GetReferralStats");
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].request,
            R"(institution_ids: "ins-h" institution_ids: "ins-t" )"
            R"(institution_ids: "ins-v" period { value: "2026Q3" })");
  const std::vector<Seen> coverage = steering_.seen("GetCoverage");
  ASSERT_EQ(coverage.size(), 1u);
  EXPECT_EQ(coverage[0].request,
            R"(community_id: "com-1" date { value: "2026-09-30" } )"
            R"(blank_only: true page { page_size: 1 })");
  const std::vector<Seen> budget = steering_.seen("GetBudgetExecution");
  ASSERT_EQ(budget.size(), 1u);
  EXPECT_EQ(budget[0].request,
            R"(community_id: "com-1" as_of { value: "2026-09-30" })");
  const std::vector<Seen> compliance = steering_.seen("CheckCompliance");
  ASSERT_EQ(compliance.size(), 1u);
  EXPECT_EQ(compliance[0].request,
            R"(community_id: "com-1" period { value: "2026-08" })");
}

TEST_F(OverviewTest, BackendsGetTheCallersPrincipal) {
  Principal li;
  li.subject = "user:li";
  li.roles = {"community_admin"};
  li.communities = {"com-1"};
  StartGateway(institution_server_.address(), referral_server_.address(), &li);
  v1::CommunityOverview overview;
  const grpc::Status status = Overview(&overview);
  ASSERT_TRUE(status.ok()) << status.error_message();
  for (const std::string method :
       {"ListSubtree", "GetStaffingSummary", "GetReferralStats", "GetCoverage",
        "CheckCompliance", "GetBudgetExecution"}) {
    SCOPED_TRACE(method);
    const std::vector<Seen> seen = steering_.seen(method);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].subject, "user:li");
    EXPECT_EQ(seen[0].scope, "community:com-1");
  }
}

TEST_F(OverviewTest, CommunityOutsideTheScopeIsRefusedWithoutBackendCalls) {
  Principal li;
  li.subject = "user:li";
  li.roles = {"community_admin"};
  li.communities = {"com-2"};
  li.institutions = {"ins-h"};
  StartGateway(institution_server_.address(), referral_server_.address(), &li);
  v1::CommunityOverview overview;
  const grpc::Status status = Overview(&overview);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(),
            "community_id: community com-1 is outside the caller's scope");
  EXPECT_EQ(BadField(FromGrpcStatus(status)), "community_id");
  EXPECT_TRUE(steering_.seen("ListSubtree").empty());
  EXPECT_TRUE(steering_.seen("GetStaffingSummary").empty());
}

TEST_F(OverviewTest, RoleWithoutAPolicyRuleIsRefused) {
  Principal nurse;
  nurse.subject = "user:nurse";
  nurse.roles = {"clinician"};
  nurse.whole_county = true;
  StartGateway(institution_server_.address(), referral_server_.address(),
               &nurse);
  v1::CommunityOverview overview;
  EXPECT_EQ(Overview(&overview).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(steering_.seen("ListSubtree").empty());
}

TEST_F(OverviewTest, BadArgumentsNameTheFieldAndCallNoBackend) {
  StartGateway();
  v1::CommunityOverview overview;
  const grpc::Status status = Overview(&overview, "");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(FromGrpcStatus(status)), "community_id");
  EXPECT_TRUE(steering_.seen("ListSubtree").empty());
}

TEST_F(OverviewTest, ReferralDownLeavesItsSectionNamingTheError) {
  RefusingPort down;
  StartGateway(institution_server_.address(), down.address());
  v1::CommunityOverview overview;
  const grpc::Status status = Overview(&overview);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const google::rpc::Status& referrals = overview.referrals().status();
  EXPECT_EQ(referrals.code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(referrals.message().rfind("backend referral: ", 0), 0u)
      << referrals.message();
  EXPECT_EQ(InfoOf(referrals).metadata().at("backend"), "referral");
  EXPECT_EQ(InfoOf(referrals).metadata().at("method"), kReferralStatsMethod);
  EXPECT_EQ(overview.referrals().stats().total(), 0) << "left empty";
  // The rest is there.
  EXPECT_EQ(overview.members().status().code(), 0);
  EXPECT_EQ(overview.members().institution_count(), 3);
  EXPECT_EQ(overview.staffing().summary().total(), 12);
  ExpectPendingSections(overview);
}

TEST_F(OverviewTest, DispatchDownLeavesOnlyItsSectionsNamingTheError) {
  RefusingPort down;
  StartGateway(institution_server_.address(), referral_server_.address(),
               nullptr, down.address());
  v1::CommunityOverview overview;
  const grpc::Status status = Overview(&overview);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const google::rpc::Status& coverage = overview.dispatch().status();
  EXPECT_EQ(coverage.code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(coverage.message().rfind("backend dispatch: ", 0), 0u)
      << coverage.message();
  EXPECT_EQ(InfoOf(coverage).metadata().at("method"), kCoverageMethod);
  EXPECT_EQ(overview.dispatch().village_count(), 0) << "left empty";
  EXPECT_EQ(overview.dispatch_coverage().status().code(),
            grpc::StatusCode::UNAVAILABLE);
  const google::rpc::Status& compliance =
      overview.dispatch().compliance().status();
  EXPECT_EQ(compliance.code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(InfoOf(compliance).metadata().at("method"), kComplianceMethod);
  EXPECT_EQ(overview.members().institution_count(), 3);
  EXPECT_EQ(overview.referrals().stats().total(), 5);
}

TEST_F(OverviewTest, ABudgetRefusalCostsOnlyTheBudgetSection) {
  steering_.Fail("GetBudgetExecution", grpc::StatusCode::FAILED_PRECONDITION);
  StartGateway();
  v1::CommunityOverview overview;
  ASSERT_TRUE(Overview(&overview).ok());
  EXPECT_EQ(overview.budget().status().code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(overview.budget().status().message().rfind("backend finance: ", 0),
            0u);
  EXPECT_FALSE(overview.budget().has_execution());
  EXPECT_EQ(overview.budget_execution().status().code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(overview.dispatch().village_count(), 2);
  EXPECT_EQ(overview.members().institution_count(), 3);
}

TEST_F(OverviewTest, ComplianceFailingCostsOnlyTheComplianceSection) {
  steering_.Fail("CheckCompliance", grpc::StatusCode::PERMISSION_DENIED);
  StartGateway();
  v1::CommunityOverview overview;
  ASSERT_TRUE(Overview(&overview).ok());
  EXPECT_EQ(overview.dispatch().status().code(), 0);
  EXPECT_EQ(overview.dispatch().village_count(), 2);
  EXPECT_EQ(overview.dispatch().compliance().status().code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(overview.dispatch().compliance().month().value(), "2026-08");
  EXPECT_FALSE(overview.dispatch().compliance().has_report());
}

TEST_F(OverviewTest, InstitutionFailingLeavesMembersStaffingAndReferralsEmpty) {
  steering_.Fail("ListSubtree", grpc::StatusCode::NOT_FOUND);
  steering_.Fail("GetStaffingSummary", grpc::StatusCode::NOT_FOUND);
  StartGateway();
  v1::CommunityOverview overview;
  const grpc::Status status = Overview(&overview);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(overview.members().status().code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(overview.members().status().message(),
            "backend institution: org.community_id: injected");
  EXPECT_EQ(overview.members().institution_count(), 0);
  EXPECT_EQ(overview.staffing().status().code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(InfoOf(overview.staffing().status()).metadata().at("method"),
            kStaffingSummaryMethod);
  EXPECT_EQ(overview.referrals().status().code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(InfoOf(overview.referrals().status()).reason(), "MEMBERS_UNKNOWN");
  EXPECT_TRUE(steering_.seen("GetReferralStats").empty());
  ExpectPendingSections(overview);
}

TEST_F(OverviewTest, SectionsAreFetchedInParallel) {
  steering_.Delay("ListSubtree", 300);
  steering_.Delay("GetStaffingSummary", 300);
  StartGateway();
  v1::CommunityOverview overview;
  std::chrono::milliseconds elapsed{};
  const grpc::Status status =
      Overview(&overview, "com-1", std::chrono::milliseconds(5000), &elapsed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(overview.staffing().summary().total(), 12);
  EXPECT_EQ(overview.referrals().stats().total(), 5);
  EXPECT_GE(elapsed.count(), 300);
  EXPECT_LT(elapsed.count(), 550) << "members and staffing asked together";
}

TEST_F(OverviewTest, SlowBackendBeyondTheDeadlineCostsOnlyItsSection) {
  steering_.Delay("GetReferralStats", 3000);
  StartGateway();
  v1::CommunityOverview overview;
  std::chrono::milliseconds elapsed{};
  const grpc::Status status =
      Overview(&overview, "com-1", std::chrono::milliseconds(1000), &elapsed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_LT(elapsed.count(), 1000) << "answered within the caller's deadline";
  EXPECT_GE(elapsed.count(), 900) << "the backend got nearly all of it";
  EXPECT_EQ(overview.referrals().status().code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(InfoOf(overview.referrals().status()).metadata().at("backend"),
            "referral");
  EXPECT_EQ(overview.members().institution_count(), 3);
  EXPECT_EQ(overview.staffing().summary().total(), 12);
}

}  // namespace
}  // namespace cmc::gateway
