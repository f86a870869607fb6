// End to end through the gateway, with institution, referral, indicator and
// the gateway as child processes (common/testing/stack.h): a county is
// registered, a down referral is completed, a hospital system submits visit
// counts, and the indicators read back equal what this test computes from the
// same inputs; the completed referral shows within seconds.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cmc/indicator/v1/indicator.grpc.pb.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "cmc/referral/v1/referral.grpc.pb.h"
#include "common/service/county_time.h"
#include "common/status.h"
#include "common/testing/stack.h"
#include "common/validators/validators.h"

namespace cmc {
namespace {

namespace inst = institution::v1;
namespace ref = referral::v1;
namespace ind = indicator::v1;
using testing::Stack;

constexpr char kCounty[] = "360426";

std::string SourceDir() {
  const std::string file = __FILE__;
  return file.substr(0, file.rfind("/tests/integration/"));
}

class IndicatorE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::StackOptions options(CMC_BINARY_DIR, SourceDir());
    options.areas = {"institution", "referral", "indicator"};
    stack_ = std::make_unique<Stack>(options);
    const absl::Status started = stack_->Start();
    ASSERT_TRUE(started.ok()) << started << "\n" << stack_->Logs();
    institutions_ = inst::InstitutionService::NewStub(stack_->GatewayChannel());
    referrals_ = ref::ReferralService::NewStub(stack_->GatewayChannel());
    indicators_ = ind::IndicatorService::NewStub(stack_->GatewayChannel());
    admin_ = stack_->Token("user:e2e-admin", "community_admin", "county");
  }

  std::string Register(int n, const std::string& name, const char* kind,
                       common::v1::Tier tier, const std::string& division,
                       const std::string& parent) {
    inst::CreateInstitutionRequest request;
    request.set_request_id(absl::StrFormat("ind-ins-%d", n));
    inst::Institution* i = request.mutable_institution();
    i->set_uscc(MakeUscc(kCounty, n));
    i->set_name(name);
    i->set_kind(kind);
    i->set_tier(tier);
    i->set_division_code(division);
    i->set_parent_institution_id(parent);
    inst::Institution created;
    const grpc::Status status = institutions_->CreateInstitution(
        Stack::Context(admin_).get(), request, &created);
    EXPECT_TRUE(status.ok()) << name << ": " << status.error_message();
    inst::AddMembershipRequest join;
    join.set_request_id(absl::StrFormat("ind-mem-%d", n));
    join.mutable_membership()->set_institution_id(created.id());
    join.mutable_membership()->set_community_id(community_);
    join.mutable_membership()->set_kind(inst::MEMBERSHIP_KIND_CLOSE_KNIT);
    join.mutable_membership()->mutable_valid_from()->set_value("2024-01-01");
    inst::Membership membership;
    const grpc::Status joined = institutions_->AddMembership(
        Stack::Context(admin_).get(), join, &membership);
    EXPECT_TRUE(joined.ok()) << name << ": " << joined.error_message();
    return created.id();
  }

  template <typename Request>
  static Request On(const ref::Referral& referral,
                    const std::string& institution) {
    Request request;
    request.set_id(referral.id());
    request.set_version(referral.version());
    request.mutable_actor()->set_institution_id(institution);
    return request;
  }

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<inst::InstitutionService::Stub> institutions_;
  std::unique_ptr<ref::ReferralService::Stub> referrals_;
  std::unique_ptr<ind::IndicatorService::Stub> indicators_;
  std::string admin_;
  std::string community_;
};

TEST_F(IndicatorE2eTest, ReferralsAndSubmissionsBecomeIndicators) {
  inst::CreateCommunityRequest community;
  community.set_request_id("ind-community");
  community.mutable_community()->set_code("E2E-IND");
  community.mutable_community()->set_name("指标测试医共体");
  community.mutable_community()->set_county_division_code(kCounty);
  inst::Community created;
  ASSERT_TRUE(
      institutions_
          ->CreateCommunity(Stack::Context(admin_).get(), community, &created)
          .ok());
  community_ = created.id();
  const std::string seat = absl::StrCat(kCounty, "101000");
  const std::string hospital =
      Register(1, "测试县人民医院", "A100", common::v1::TIER_COUNTY, seat, "");
  const std::string township = Register(
      2, "测试镇中心卫生院", "C210", common::v1::TIER_TOWNSHIP, seat, hospital);

  // A down referral from the county hospital to the township, completed.
  const std::string sender =
      stack_->Token("user:dr.county", "clinician", "institution:" + hospital);
  const std::string receiver =
      stack_->Token("user:dr.town", "clinician", "institution:" + township);
  ref::CreateReferralRequest create;
  create.set_request_id("ind-down-1");
  ref::Referral* r = create.mutable_referral();
  r->set_direction(ref::REFERRAL_DIRECTION_DOWN);
  r->set_type(ref::REFERRAL_TYPE_INPATIENT);
  r->mutable_patient()->set_resident_id("360426199101010071");
  r->mutable_patient()->set_name("李四");
  r->set_from_institution_id(hospital);
  r->set_from_practitioner("县医张");
  r->set_to_institution_id(township);
  r->set_reason("术后康复");
  r->mutable_diagnosis()->set_icd10_code("I10");
  r->mutable_diagnosis()->set_text("原发性高血压");
  ref::Referral referral;
  grpc::Status status = referrals_->CreateReferral(Stack::Context(sender).get(),
                                                   create, &referral);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(
      referrals_
          ->AcceptReferral(Stack::Context(receiver).get(),
                           On<ref::AcceptReferralRequest>(referral, township),
                           &referral)
          .ok());
  ASSERT_TRUE(
      referrals_
          ->ArriveReferral(Stack::Context(receiver).get(),
                           On<ref::ArriveReferralRequest>(referral, township),
                           &referral)
          .ok());
  auto complete = On<ref::CompleteReferralRequest>(referral, township);
  complete.mutable_outcome()->set_summary("康复良好");
  status = referrals_->CompleteReferral(Stack::Context(receiver).get(),
                                        complete, &referral);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const absl::Time completed = absl::Now();

  // The hospital system of the township and the community's admin submit
  // this month's visits.
  const absl::CivilDay today = CountyDay(absl::Now());
  const std::string month =
      absl::StrFormat("%04d-%02d", today.year(), today.month());
  const std::string year = absl::StrFormat("%04d", today.year());
  auto row = [&](const std::string& element, const std::string& unit,
                 int64_t value) {
    ind::DataValueInput input;
    input.set_element_code(element);
    input.mutable_org_unit()->set_institution_id(unit);
    input.mutable_period()->set_value(month);
    input.set_value(value);
    return input;
  };
  const std::string town_system = stack_->Token(
      "system:his-town", "township_admin", "institution:" + township);
  {
    auto context = Stack::Context(town_system);
    ind::SubmitDataValuesResponse response;
    auto writer = indicators_->SubmitDataValues(context.get(), &response);
    ind::SubmitDataValuesRequest request;
    *request.add_rows() = row("VISITS_TOTAL", township, 3000);
    *request.add_rows() = row("VISITS_PRIMARY", township, 3000);
    *request.add_rows() = row("VISITS_TOTAL", hospital, 1);  // not its own
    ASSERT_TRUE(writer->Write(request));
    writer->WritesDone();
    status = writer->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.accepted(), 2);
    ASSERT_EQ(response.errors_size(), 1);
    EXPECT_EQ(response.errors(0).code(), "PERMISSION_DENIED");
  }
  {
    auto context = Stack::Context(admin_);
    ind::SubmitDataValuesResponse response;
    auto writer = indicators_->SubmitDataValues(context.get(), &response);
    ind::SubmitDataValuesRequest request;
    *request.add_rows() = row("VISITS_TOTAL", hospital, 7000);
    ASSERT_TRUE(writer->Write(request));
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    EXPECT_EQ(response.accepted(), 1);
  }

  // Computed independently: 3000 primary of 3000 + 7000 visits = 30%, below
  // the 65% target; one down referral.
  ind::QueryIndicatorsRequest q;
  q.mutable_org_unit()->set_community_id(community_);
  q.add_periods()->set_value(year);
  q.add_indicator_codes("PRIMARY_VISIT_SHARE");
  q.add_indicator_codes("DOWN_REFERRALS");
  ind::QueryIndicatorsResponse out;
  const std::string reader =
      stack_->Token("user:province", "provincial_platform", "county");
  while (true) {
    out.Clear();
    status =
        indicators_->QueryIndicators(Stack::Context(reader).get(), q, &out);
    ASSERT_TRUE(status.ok()) << status.error_message() << "\n"
                             << stack_->Logs();
    if (out.cells(1).has_value() ||
        absl::Now() > completed + absl::Seconds(10)) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_LT(absl::Now() - completed, absl::Seconds(5))
      << "the completed referral should show within seconds";
  EXPECT_EQ(out.set_code(), "CN_CMC_MONITORING");
  EXPECT_EQ(out.set_version(), 1);
  ASSERT_EQ(out.cells_size(), 2);
  EXPECT_DOUBLE_EQ(out.cells(0).numerator(), 3000);
  EXPECT_DOUBLE_EQ(out.cells(0).denominator(), 10000);
  EXPECT_DOUBLE_EQ(out.cells(0).value(), 30);
  EXPECT_EQ(out.cells(0).status(), ind::TARGET_STATUS_NOT_MET);
  EXPECT_TRUE(out.cells(1).has_value());
  EXPECT_DOUBLE_EQ(out.cells(1).value(), 1);
}

}  // namespace
}  // namespace cmc
