// End to end: GatewayService/GetCommunityOverview composed by the real gateway
// from the real institution and referral binaries (child processes,
// common/testing/stack.h). A tiny community (three institutions, two staff,
// two referrals) is registered through the gateway; then the referral service
// is stopped and only its section goes missing.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "cmc/dispatch/v1/dispatch.pb.h"
#include "cmc/gateway/v1/gateway.grpc.pb.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "cmc/referral/v1/referral.grpc.pb.h"
#include "common/status.h"
#include "common/testing/stack.h"
#include "common/validators/validators.h"
#include "google/rpc/error_details.pb.h"

namespace cmc {
namespace {

namespace inst = institution::v1;
namespace ref = referral::v1;
using testing::Stack;

constexpr char kCounty[] = "360426";

std::string SourceDir() {
  const std::string file = __FILE__;
  return file.substr(0, file.rfind("/tests/e2e/"));
}

// A valid USCC (GB 32100 with its GB 11714 organization code) for number n.
std::string Uscc(int n) { return MakeUscc(kCounty, n + 500); }

// A valid resident ID (GB 11643) of the county, born 1980-01-01, sequence n.
std::string ResidentId(int n) {
  return MakeResidentId(kCounty, absl::CivilDay(1980, 1, 1), n);
}

class GatewayE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::StackOptions options(CMC_BINARY_DIR, SourceDir());
    options.areas = {"institution", "referral", "dispatch", "finance"};
    stack_ = new Stack(options);
    const absl::Status started = stack_->Start();
    ASSERT_TRUE(started.ok()) << started << "\n" << stack_->Logs();
    institutions_ =
        inst::InstitutionService::NewStub(stack_->GatewayChannel()).release();
    referrals_ =
        ref::ReferralService::NewStub(stack_->GatewayChannel()).release();
    gateway_ = gateway::v1::GatewayService::NewStub(stack_->GatewayChannel())
                   .release();
    LoadCommunity();
  }

  static void TearDownTestSuite() {
    delete gateway_;
    delete referrals_;
    delete institutions_;
    delete stack_;
    gateway_ = nullptr;
    referrals_ = nullptr;
    institutions_ = nullptr;
    stack_ = nullptr;
  }

  void SetUp() override {
    ASSERT_EQ(loaded_referrals_, 2) << "the community was not loaded";
  }

  static std::string Join(const std::string& admin, int n,
                          const std::string& name, const char* kind,
                          common::v1::Tier tier, const std::string& division,
                          const std::string& parent) {
    inst::CreateInstitutionRequest request;
    request.set_request_id(absl::StrFormat("gw-e2e-ins-%d", n));
    inst::Institution* i = request.mutable_institution();
    i->set_uscc(Uscc(n));
    i->set_name(name);
    i->set_kind(kind);
    i->set_tier(tier);
    i->set_division_code(division);
    i->set_parent_institution_id(parent);
    inst::Institution created;
    grpc::Status status = institutions_->CreateInstitution(
        Stack::Context(admin).get(), request, &created);
    EXPECT_TRUE(status.ok()) << name << ": " << status.error_message();
    inst::AddMembershipRequest join;
    join.set_request_id(absl::StrFormat("gw-e2e-mem-%d", n));
    join.mutable_membership()->set_institution_id(created.id());
    join.mutable_membership()->set_community_id(community_id_);
    join.mutable_membership()->set_kind(inst::MEMBERSHIP_KIND_CLOSE_KNIT);
    join.mutable_membership()->mutable_valid_from()->set_value("2024-01-01");
    inst::Membership membership;
    status = institutions_->AddMembership(Stack::Context(admin).get(), join,
                                          &membership);
    EXPECT_TRUE(status.ok()) << name << ": " << status.error_message();
    return created.id();
  }

  static void Hire(const std::string& admin, int n,
                   const std::string& institution, inst::Qualification q,
                   bool gp) {
    inst::CreateStaffRequest request;
    request.set_request_id(absl::StrFormat("gw-e2e-stf-%d", n));
    inst::Staff* s = request.mutable_staff();
    s->set_resident_id(ResidentId(n));
    s->set_name(absl::StrCat("医生", n));
    s->set_qualification(q);
    s->set_general_practitioner(gp);
    s->set_institution_id(institution);
    inst::Staff created;
    const grpc::Status status = institutions_->CreateStaff(
        Stack::Context(admin).get(), request, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  static void LoadCommunity() {
    const std::string admin =
        stack_->Token("user:gw-e2e-admin", "community_admin", "county");
    inst::CreateCommunityRequest community;
    community.set_request_id("gw-e2e-community");
    community.mutable_community()->set_code("E2E-GW");
    community.mutable_community()->set_name("网关测试医共体");
    community.mutable_community()->set_county_division_code(kCounty);
    inst::Community created;
    const grpc::Status status = institutions_->CreateCommunity(
        Stack::Context(admin).get(), community, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
    community_id_ = created.id();
    const std::string seat = absl::StrCat(kCounty, "101000");
    const std::string hospital = Join(admin, 1, "网关县人民医院", "A100",
                                      common::v1::TIER_COUNTY, seat, "");
    const std::string township =
        Join(admin, 2, "网关镇中心卫生院", "C210", common::v1::TIER_TOWNSHIP,
             seat, hospital);
    const std::string village =
        Join(admin, 3, "网关村卫生室", "D600", common::v1::TIER_VILLAGE,
             absl::StrCat(kCounty, "101201"), township);
    Hire(admin, 11, township, inst::QUALIFICATION_PRACTISING_PHYSICIAN, true);
    Hire(admin, 12, village, inst::QUALIFICATION_VILLAGE_DOCTOR, false);

    // Two villages: one served by the clinic's village doctor, one without a
    // clinic that nobody tours (a blank spot).
    for (int n = 0; n < 2; ++n) {
      inst::CreateVillageRequest request;
      request.set_request_id(absl::StrCat("gw-e2e-vil-", n));
      inst::Village* v = request.mutable_village();
      v->set_community_id(community_id_);
      v->set_division_code(absl::StrCat(kCounty, "10120", n + 1));
      v->set_name(n == 0 ? "网关村" : "网关新村");
      v->set_population(800);
      v->set_township_center_id(township);
      if (n == 0) {
        v->set_village_clinic_id(village);
        v->set_has_resident_village_doctor(true);
      }
      inst::Village created;
      const grpc::Status created_status = institutions_->CreateVillage(
          Stack::Context(admin).get(), request, &created);
      ASSERT_TRUE(created_status.ok()) << created_status.error_message();
      if (n == 1) blank_village_id_ = created.id();
    }

    // Two referrals up from the village, one of them withdrawn.
    const std::string sender =
        stack_->Token("user:dr.village", "clinician", "institution:" + village);
    for (int n = 0; n < 2; ++n) {
      ref::CreateReferralRequest request;
      request.set_request_id(absl::StrCat("gw-e2e-ref-", n));
      ref::Referral* r = request.mutable_referral();
      r->set_direction(ref::REFERRAL_DIRECTION_UP);
      r->set_type(ref::REFERRAL_TYPE_OUTPATIENT);
      r->mutable_patient()->set_resident_id(ResidentId(20 + n));
      r->mutable_patient()->set_name("张三");
      r->set_from_institution_id(village);
      r->set_from_practitioner("村医王");
      r->set_to_institution_id(township);
      r->set_reason("血压控制不佳");
      r->mutable_diagnosis()->set_icd10_code("I10");
      r->mutable_diagnosis()->set_text("原发性高血压");
      ref::Referral referral;
      grpc::Status created_status = referrals_->CreateReferral(
          Stack::Context(sender).get(), request, &referral);
      ASSERT_TRUE(created_status.ok()) << created_status.error_message();
      if (n == 1) {
        ref::CancelReferralRequest cancel;
        cancel.set_id(referral.id());
        cancel.set_version(referral.version());
        cancel.mutable_actor()->set_institution_id(village);
        cancel.set_reason("患者改变主意");
        ref::Referral cancelled;
        const grpc::Status cancel_status = referrals_->CancelReferral(
            Stack::Context(sender).get(), cancel, &cancelled);
        ASSERT_TRUE(cancel_status.ok()) << cancel_status.error_message();
      }
      ++loaded_referrals_;
    }
  }

  // The overview of the community for this year, as `token`.
  static grpc::Status Overview(const std::string& token,
                               gateway::v1::CommunityOverview* overview) {
    gateway::v1::GetCommunityOverviewRequest request;
    request.set_community_id(community_id_);
    const absl::CivilDay today =
        absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
    request.mutable_period()->set_value(absl::StrCat(today.year()));
    return gateway_->GetCommunityOverview(Stack::Context(token).get(), request,
                                          overview);
  }

  static inline Stack* stack_ = nullptr;
  static inline inst::InstitutionService::Stub* institutions_ = nullptr;
  static inline ref::ReferralService::Stub* referrals_ = nullptr;
  static inline gateway::v1::GatewayService::Stub* gateway_ = nullptr;
  static inline std::string community_id_;
  static inline int loaded_referrals_ = 0;
  static inline std::string blank_village_id_;
};

TEST_F(GatewayE2eTest, OverviewComposesTheRealServices) {
  const std::string admin = stack_->Token(
      "user:gw-e2e-viewer", "community_admin", "community:" + community_id_);
  gateway::v1::CommunityOverview overview;
  const grpc::Status status = Overview(admin, &overview);
  ASSERT_TRUE(status.ok()) << status.error_message();

  const auto& members = overview.members();
  EXPECT_EQ(members.status().code(), 0) << members.status().message();
  EXPECT_EQ(members.community().id(), community_id_);
  EXPECT_EQ(members.institution_count(), 3);
  ASSERT_EQ(members.by_tier_size(), 3);
  for (const auto& tier : members.by_tier()) EXPECT_EQ(tier.institutions(), 1);

  EXPECT_EQ(overview.staffing().status().code(), 0)
      << overview.staffing().status().message();
  EXPECT_EQ(overview.staffing().summary().total(), 2);
  EXPECT_EQ(overview.staffing().summary().general_practitioners(), 1);

  EXPECT_EQ(overview.referrals().status().code(), 0)
      << overview.referrals().status().message();
  EXPECT_EQ(overview.referrals().stats().total(), 2);
  EXPECT_EQ(overview.referrals().stats().closed(), 1);
  EXPECT_EQ(overview.referrals().stats().completed(), 0);

  const auto& dispatch = overview.dispatch();
  EXPECT_EQ(dispatch.status().code(), 0) << dispatch.status().message();
  EXPECT_EQ(overview.dispatch_coverage().status().code(), 0);
  EXPECT_EQ(dispatch.village_count(), 2);
  EXPECT_EQ(dispatch.villages_covered(), 1);
  ASSERT_EQ(dispatch.blank_spots_size(), 1);
  EXPECT_EQ(dispatch.blank_spots(0).village_id(), blank_village_id_);
  EXPECT_EQ(dispatch.blank_spots(0).reason(),
            cmc::dispatch::v1::BLANK_REASON_NOT_TOURED);
  EXPECT_EQ(dispatch.compliance().status().code(), 0)
      << dispatch.compliance().status().message();
  absl::CivilDay as_of;
  ASSERT_TRUE(absl::ParseCivilTime(overview.as_of().value(), &as_of));
  EXPECT_EQ(dispatch.compliance().month().value(),
            absl::FormatCivilTime(absl::CivilMonth(as_of) - 1));
  EXPECT_FALSE(dispatch.compliance().compliant())
      << "the village without a clinic was not toured";
  // No budget has been set for the year: the finance service says so.
  EXPECT_EQ(overview.budget().status().code(),
            grpc::StatusCode::FAILED_PRECONDITION)
      << overview.budget().status().message();
  EXPECT_EQ(overview.budget_execution().status().code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(overview.indicators().status().code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(GatewayE2eTest, CommunityOutsideTheTokensScopeIsRefused) {
  const std::string other =
      stack_->Token("user:gw-e2e-other", "community_admin", "community:com-x");
  gateway::v1::CommunityOverview overview;
  const grpc::Status status = Overview(other, &overview);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(BadField(FromGrpcStatus(status)), "community_id");
}

TEST_F(GatewayE2eTest, ReferralServiceDownCostsOnlyItsSection) {
  const std::string admin =
      stack_->Token("user:gw-e2e-viewer", "community_admin", "county");
  stack_->Terminate("referral");
  gateway::v1::CommunityOverview overview;
  const grpc::Status status = Overview(admin, &overview);
  const absl::Status restarted = stack_->Restart("referral");
  ASSERT_TRUE(status.ok()) << status.error_message();
  const auto& referrals = overview.referrals().status();
  EXPECT_EQ(referrals.code(), grpc::StatusCode::UNAVAILABLE)
      << referrals.message();
  EXPECT_EQ(referrals.message().rfind("backend referral: ", 0), 0u)
      << referrals.message();
  EXPECT_EQ(overview.referrals().stats().total(), 0);
  EXPECT_EQ(overview.members().institution_count(), 3);
  EXPECT_EQ(overview.staffing().summary().total(), 2);
  EXPECT_TRUE(restarted.ok()) << restarted;
}

}  // namespace
}  // namespace cmc
