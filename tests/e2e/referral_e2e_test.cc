// End to end: a referral's whole loop through the gateway, with tokens scoped
// to the sending and the receiving institution, against the institution and
// referral binaries as child processes (common/testing/stack.h). The county
// (a community, its county hospital, a township center and a village clinic)
// is registered through the gateway too.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "cmc/referral/v1/referral.grpc.pb.h"
#include "common/identity/principal.h"
#include "common/status.h"
#include "common/testing/stack.h"
#include "common/validators/validators.h"

namespace cmc {
namespace {

namespace inst = institution::v1;
namespace ref = referral::v1;
using testing::Stack;

constexpr char kCounty[] = "360426";
constexpr char kResidentId[] = "360426199101010071";
constexpr char kMasked[] = "360426***********1";

// The repository root, from this file's path (.../tests/e2e/...).
std::string SourceDir() {
  const std::string file = __FILE__;
  return file.substr(0, file.rfind("/tests/e2e/"));
}

// A valid USCC (GB 32100 with its GB 11714 organization code) for number n.
std::string Uscc(int n) { return MakeUscc(kCounty, n); }

class ReferralE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::StackOptions options(CMC_BINARY_DIR, SourceDir());
    options.areas = {"institution", "referral"};
    stack_ = new Stack(options);
    const absl::Status started = stack_->Start();
    ASSERT_TRUE(started.ok()) << started << "\n" << stack_->Logs();
    institutions_ =
        inst::InstitutionService::NewStub(stack_->GatewayChannel()).release();
    referrals_ =
        ref::ReferralService::NewStub(stack_->GatewayChannel()).release();
    RegisterCounty();
  }

  void SetUp() override {
    ASSERT_FALSE(village_.empty()) << "the county was not registered";
  }

  static void TearDownTestSuite() {
    delete referrals_;
    delete institutions_;
    delete stack_;
    referrals_ = nullptr;
    institutions_ = nullptr;
    stack_ = nullptr;
  }

  static std::string Clinician(const std::string& who,
                               const std::string& institution_id) {
    return stack_->Token("user:" + who, "clinician",
                         "institution:" + institution_id);
  }

  static inst::Institution Register(const std::string& admin, int n,
                                    const std::string& name, const char* kind,
                                    common::v1::Tier tier,
                                    const std::string& division,
                                    const std::string& parent) {
    inst::CreateInstitutionRequest request;
    request.set_request_id(absl::StrFormat("e2e-ins-%d", n));
    inst::Institution* i = request.mutable_institution();
    i->set_uscc(Uscc(n));
    i->set_name(name);
    i->set_kind(kind);
    i->set_tier(tier);
    i->set_division_code(division);
    i->set_parent_institution_id(parent);
    inst::Institution created;
    const grpc::Status status = institutions_->CreateInstitution(
        Stack::Context(admin).get(), request, &created);
    EXPECT_TRUE(status.ok()) << name << ": " << status.error_message();
    inst::AddMembershipRequest join;
    join.set_request_id(absl::StrFormat("e2e-mem-%d", n));
    join.mutable_membership()->set_institution_id(created.id());
    join.mutable_membership()->set_community_id(community_id_);
    join.mutable_membership()->set_kind(inst::MEMBERSHIP_KIND_CLOSE_KNIT);
    join.mutable_membership()->mutable_valid_from()->set_value("2024-01-01");
    inst::Membership membership;
    const grpc::Status joined = institutions_->AddMembership(
        Stack::Context(admin).get(), join, &membership);
    EXPECT_TRUE(joined.ok()) << name << ": " << joined.error_message();
    return created;
  }

  static void RegisterCounty() {
    const std::string admin =
        stack_->Token("user:e2e-admin", "community_admin", "county");
    inst::CreateCommunityRequest community;
    community.set_request_id("e2e-community");
    community.mutable_community()->set_code("E2E-REF");
    community.mutable_community()->set_name("转诊测试医共体");
    community.mutable_community()->set_county_division_code(kCounty);
    inst::Community created;
    const grpc::Status status = institutions_->CreateCommunity(
        Stack::Context(admin).get(), community, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
    community_id_ = created.id();
    const std::string seat = absl::StrCat(kCounty, "101000");
    hospital_ = Register(admin, 1, "测试县人民医院", "A100",
                         common::v1::TIER_COUNTY, seat, "")
                    .id();
    township_ = Register(admin, 2, "测试镇中心卫生院", "C210",
                         common::v1::TIER_TOWNSHIP, seat, hospital_)
                    .id();
    village_ =
        Register(admin, 3, "测试村卫生室", "D600", common::v1::TIER_VILLAGE,
                 absl::StrCat(kCounty, "101201"), township_)
            .id();
  }

  static ref::CreateReferralRequest UpToTownship(const std::string& key) {
    ref::CreateReferralRequest request;
    request.set_request_id(key);
    ref::Referral* r = request.mutable_referral();
    r->set_direction(ref::REFERRAL_DIRECTION_UP);
    r->set_type(ref::REFERRAL_TYPE_OUTPATIENT);
    r->mutable_patient()->set_resident_id(kResidentId);
    r->mutable_patient()->set_name("张三");
    r->set_from_institution_id(village_);
    r->set_from_practitioner("村医王");
    r->set_to_institution_id(township_);
    r->set_reason("血压控制不佳");
    r->mutable_diagnosis()->set_icd10_code("I10");
    r->mutable_diagnosis()->set_text("原发性高血压");
    return request;
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

  // PERMISSION_DENIED naming `field`, as the org scope refuses a call.
  static void ExpectOutOfScope(const grpc::Status& status,
                               const std::string& field) {
    const absl::Status refused = FromGrpcStatus(status);
    EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied) << refused;
    EXPECT_EQ(BadField(refused), field);
  }

  static inline Stack* stack_ = nullptr;
  static inline inst::InstitutionService::Stub* institutions_ = nullptr;
  static inline ref::ReferralService::Stub* referrals_ = nullptr;
  static inline std::string community_id_;
  static inline std::string hospital_;
  static inline std::string township_;
  static inline std::string village_;
};

TEST_F(ReferralE2eTest, SenderAndReceiverCloseTheLoopThroughTheGateway) {
  const std::string sender = Clinician("dr.village", village_);
  const std::string receiver = Clinician("dr.town", township_);
  ref::Referral referral;
  grpc::Status status = referrals_->CreateReferral(
      Stack::Context(sender).get(), UpToTownship("e2e-loop"), &referral);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(referral.status(), ref::REFERRAL_STATUS_REQUESTED);
  EXPECT_EQ(referral.patient().resident_id(), kMasked);

  ASSERT_TRUE(referrals_
                  ->ReceiveReferral(
                      Stack::Context(receiver).get(),
                      On<ref::ReceiveReferralRequest>(referral, township_),
                      &referral)
                  .ok());
  EXPECT_EQ(referral.status(), ref::REFERRAL_STATUS_RECEIVED);
  ASSERT_TRUE(
      referrals_
          ->AcceptReferral(Stack::Context(receiver).get(),
                           On<ref::AcceptReferralRequest>(referral, township_),
                           &referral)
          .ok());
  ASSERT_TRUE(
      referrals_
          ->ArriveReferral(Stack::Context(receiver).get(),
                           On<ref::ArriveReferralRequest>(referral, township_),
                           &referral)
          .ok());
  auto complete = On<ref::CompleteReferralRequest>(referral, township_);
  complete.mutable_outcome()->set_summary("血压平稳，转回村卫生室随访");
  status = referrals_->CompleteReferral(Stack::Context(receiver).get(),
                                        complete, &referral);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(referral.status(), ref::REFERRAL_STATUS_COMPLETED);
  EXPECT_EQ(referral.version(), 5);
  ASSERT_EQ(referral.transitions_size(), 5);
  EXPECT_EQ(referral.transitions(0).actor(), "user:dr.village");
  EXPECT_EQ(referral.transitions(4).actor(), "user:dr.town")
      << "the gateway forwards the verified principal";

  // A clinician of the receiving side reads the full resident ID; the
  // response says so in its trailer, which the gateway passes on.
  ref::GetReferralRequest get;
  get.set_id(referral.id());
  auto context = Stack::Context(receiver);
  ref::Referral read;
  ASSERT_TRUE(referrals_->GetReferral(context.get(), get, &read).ok());
  EXPECT_EQ(read.patient().resident_id(), kResidentId);
  const auto& trailers = context->GetServerTrailingMetadata();
  auto it = trailers.find(kPersonalDataTrailer);
  ASSERT_NE(it, trailers.end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()), "resident_id");
}

TEST_F(ReferralE2eTest, OutOfScopeClinicianIsRefusedAndChangesNothing) {
  const std::string sender = Clinician("dr.village", village_);
  const std::string outsider = Clinician("dr.hospital", hospital_);
  ref::Referral referral;
  ASSERT_TRUE(referrals_
                  ->CreateReferral(Stack::Context(sender).get(),
                                   UpToTownship("e2e-outsider"), &referral)
                  .ok());

  ref::GetReferralRequest get;
  get.set_id(referral.id());
  ref::Referral ignored;
  ExpectOutOfScope(
      referrals_->GetReferral(Stack::Context(outsider).get(), get, &ignored),
      "id");
  ExpectOutOfScope(
      referrals_->AcceptReferral(
          Stack::Context(outsider).get(),
          On<ref::AcceptReferralRequest>(referral, township_), &ignored),
      "id");

  ref::ListReferralsRequest list;
  list.set_outgoing_institution_id(village_);
  ref::ListReferralsResponse page;
  ExpectOutOfScope(
      referrals_->ListReferrals(Stack::Context(outsider).get(), list, &page),
      "outgoing_institution_id");

  // A sender's clinician may create only for its own institution.
  ref::CreateReferralRequest foreign = UpToTownship("e2e-foreign");
  ExpectOutOfScope(referrals_->CreateReferral(Stack::Context(outsider).get(),
                                              foreign, &ignored),
                   "referral.from_institution_id");

  ref::Referral unchanged;
  ASSERT_TRUE(
      referrals_->GetReferral(Stack::Context(sender).get(), get, &unchanged)
          .ok());
  EXPECT_EQ(unchanged.version(), 1);
  EXPECT_EQ(unchanged.status(), ref::REFERRAL_STATUS_REQUESTED);
}

TEST_F(ReferralE2eTest, TierOpenReferralIsForTheCliniciansOfThatTier) {
  // DOWN from the county hospital to any township: the village clinic, of
  // another tier, neither sees nor claims it; the township center does both.
  ref::CreateReferralRequest down = UpToTownship("e2e-open");
  down.mutable_referral()->set_direction(ref::REFERRAL_DIRECTION_DOWN);
  down.mutable_referral()->set_from_institution_id(hospital_);
  down.mutable_referral()->set_to_tier(common::v1::TIER_TOWNSHIP);
  ref::Referral open;
  grpc::Status status = referrals_->CreateReferral(
      Stack::Context(Clinician("dr.hospital", hospital_)).get(), down, &open);
  ASSERT_TRUE(status.ok()) << status.error_message();

  const std::string village = Clinician("dr.village", village_);
  ref::GetReferralRequest get;
  get.set_id(open.id());
  ref::Referral ignored;
  ExpectOutOfScope(
      referrals_->GetReferral(Stack::Context(village).get(), get, &ignored),
      "id");
  ExpectOutOfScope(
      referrals_->AcceptReferral(Stack::Context(village).get(),
                                 On<ref::AcceptReferralRequest>(open, village_),
                                 &ignored),
      "id");
  ref::ListReferralsRequest open_to_townships;
  open_to_townships.set_open_to_tier(common::v1::TIER_TOWNSHIP);
  ref::ListReferralsResponse page;
  ASSERT_TRUE(referrals_
                  ->ListReferrals(Stack::Context(village).get(),
                                  open_to_townships, &page)
                  .ok());
  EXPECT_EQ(page.referrals_size(), 0);

  const std::string receiver = Clinician("dr.town", township_);
  page.Clear();
  ASSERT_TRUE(referrals_
                  ->ListReferrals(Stack::Context(receiver).get(),
                                  open_to_townships, &page)
                  .ok());
  ASSERT_EQ(page.referrals_size(), 1);
  EXPECT_EQ(page.referrals(0).id(), open.id());
  ref::Referral accepted;
  status = referrals_->AcceptReferral(
      Stack::Context(receiver).get(),
      On<ref::AcceptReferralRequest>(open, township_), &accepted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(accepted.version(), 2) << "the refused calls changed nothing";
  EXPECT_EQ(accepted.receiving_institution_id(), township_);
}

TEST_F(ReferralE2eTest, WatchThroughTheGatewayDeliversNewReferrals) {
  const std::string receiver = Clinician("dr.town", township_);
  ref::WatchReferralsRequest watch;
  watch.set_institution_id(township_);
  auto watch_context = Stack::Context(receiver, absl::Seconds(30));
  auto reader = referrals_->WatchReferrals(watch_context.get(), watch);
  // The service sends its initial metadata once the stream's starting point
  // is fixed; the gateway relays it, so every later change will arrive.
  reader->WaitForInitialMetadata();

  ref::Referral created;
  ASSERT_TRUE(referrals_
                  ->CreateReferral(
                      Stack::Context(Clinician("dr.village", village_)).get(),
                      UpToTownship("e2e-watch"), &created)
                  .ok());
  ref::ReferralChange change;
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(reader->Read(&change));
  EXPECT_LT(std::chrono::steady_clock::now() - started,
            std::chrono::seconds(3));
  EXPECT_EQ(change.event_type(), "referral.ReferralCreated");
  EXPECT_EQ(change.referral().id(), created.id());
  EXPECT_TRUE(change.incoming());
  EXPECT_EQ(change.referral().patient().resident_id(), kMasked);

  // An outsider may not watch the township.
  auto outsider_context = Stack::Context(Clinician("dr.hospital", hospital_));
  auto refused = referrals_->WatchReferrals(outsider_context.get(), watch);
  EXPECT_FALSE(refused->Read(&change));
  ExpectOutOfScope(refused->Finish(), "institution_id");

  watch_context->TryCancel();
  reader->Finish();
}

}  // namespace
}  // namespace cmc
