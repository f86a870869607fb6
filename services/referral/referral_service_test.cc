// ReferralService's handlers through a real in-process gRPC server and a
// generated client, over in-memory stores and a fixed institution service
// (referral_fakes.h): what a caller sees (codes, the field named, masking,
// the personal-data trailer) and what is stored, in milliseconds and without
// MariaDB. The SQL is tested against MariaDB in tests/integration/referral_*.
#include "services/referral/referral_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cmc/referral/v1/referral.grpc.pb.h"
#include "common/identity/principal.h"
#include "common/server/server.h"
#include "common/status.h"
#include "services/referral/referral_fakes.h"

namespace cmc::referral {
namespace {

using common::v1::Tier;
using v1::Referral;
using v1::ReferralStatus;

constexpr char kResidentId[] = "360426199101010071";
constexpr char kMasked[] = "360426***********1";

// A principal as the gateway forwards it: the three x-cmc-principal-*
// headers. The default is a county-wide user, whom no org scope restricts.
struct Caller {
  std::string subject = "user:dr.li";
  std::string roles;
  std::string scope = "county";
};

// The outcome of one call as a client sees it.
struct Reply {
  absl::Status status;
  Referral referral;
  // The x-cmc-personal-data trailer, "" when absent.
  std::string personal_data;
};

class ReferralServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto referrals = std::make_unique<FakeReferralStore>();
    referrals_ = referrals.get();
    auto catalogue = std::make_unique<FakeCatalogueStore>();
    catalogue_ = catalogue.get();
    service_ = std::make_unique<ReferralService>(
        WrapStore(std::move(referrals)), std::move(catalogue),
        NewFakeInstitutionClient(&institutions_), ReferralService::Options());
    ServerOptions options;
    options.service_name = "referral";
    options.listen_host = "127.0.0.1";
    server_ = std::make_unique<Server>(options);
    server_->AddService(service_.get(), "cmc.referral.v1.ReferralService");
    ASSERT_TRUE(server_->Start().ok());
    stub_ = v1::ReferralService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
  }

  void TearDown() override { server_->Shutdown(); }

  // The store the service is given: the fake itself, unless a test wraps it.
  virtual std::unique_ptr<ReferralStore> WrapStore(
      std::unique_ptr<ReferralStore> fake) {
    return fake;
  }

  static std::unique_ptr<grpc::ClientContext> ContextOf(const Caller& caller) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(5));
    context->AddMetadata(kSubjectHeader, caller.subject);
    context->AddMetadata(kRolesHeader, caller.roles);
    context->AddMetadata(kScopeHeader, caller.scope);
    return context;
  }

  // Runs `rpc` (a stub member such as &Stub::GetReferral) as `caller`.
  template <typename Request, typename Response, typename Rpc>
  absl::Status Call(Rpc rpc, const Request& request, Response* response,
                    const Caller& caller = Caller(),
                    std::string* personal_data = nullptr) {
    std::unique_ptr<grpc::ClientContext> context = ContextOf(caller);
    const grpc::Status status =
        (stub_.get()->*rpc)(context.get(), request, response);
    if (personal_data != nullptr) {
      auto trailer =
          context->GetServerTrailingMetadata().find(kPersonalDataTrailer);
      *personal_data =
          trailer == context->GetServerTrailingMetadata().end()
              ? ""
              : std::string(trailer->second.data(), trailer->second.size());
    }
    return FromGrpcStatus(status);
  }

  // An UP referral from the village clinic to the township health centre.
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

  // An out-of-county referral from the county hospital: it waits for the
  // county's approval.
  static v1::CreateReferralRequest OutOfCountyRequest(
      const std::string& request_id) {
    v1::CreateReferralRequest request = UpRequest(request_id);
    request.mutable_referral()->set_from_institution_id("ins-county");
    auto* external = request.mutable_referral()->mutable_to_external_hospital();
    external->set_uscc("91110000600037341L");
    external->set_name("省人民医院");
    return request;
  }

  Reply Create(const v1::CreateReferralRequest& request,
               const Caller& caller = Caller()) {
    Reply reply;
    reply.status =
        Call(&Stub::CreateReferral, request, &reply.referral, caller);
    return reply;
  }

  Reply Get(const std::string& id, const Caller& caller = Caller()) {
    v1::GetReferralRequest request;
    request.set_id(id);
    Reply reply;
    reply.status = Call(&Stub::GetReferral, request, &reply.referral, caller,
                        &reply.personal_data);
    return reply;
  }

  // Runs transition `action` on `referral` at `version` (its own when 0), for
  // `institution`, with `text` as its note or reason (the outcome's summary
  // for kComplete).
  Reply Act(Action action, const Referral& referral,
            const std::string& institution, const std::string& text = "",
            const Caller& caller = Caller(), int64_t version = 0) {
    v1::Actor actor;
    actor.set_institution_id(institution);
    actor.set_practitioner("医生");
    const int64_t at = version == 0 ? referral.version() : version;
    Reply reply;
    auto run = [&](auto rpc, auto request) {
      request.set_id(referral.id());
      request.set_version(at);
      *request.mutable_actor() = actor;
      reply.status = Call(rpc, request, &reply.referral, caller);
    };
    switch (action) {
      case Action::kReceive: {
        v1::ReceiveReferralRequest request;
        request.set_note(text);
        run(&Stub::ReceiveReferral, request);
        break;
      }
      case Action::kAccept: {
        v1::AcceptReferralRequest request;
        request.set_note(text);
        run(&Stub::AcceptReferral, request);
        break;
      }
      case Action::kReject: {
        v1::RejectReferralRequest request;
        request.set_reason(text);
        run(&Stub::RejectReferral, request);
        break;
      }
      case Action::kArrive: {
        v1::ArriveReferralRequest request;
        request.set_note(text);
        run(&Stub::ArriveReferral, request);
        break;
      }
      case Action::kComplete: {
        v1::CompleteReferralRequest request;
        request.mutable_outcome()->set_summary(text);
        run(&Stub::CompleteReferral, request);
        break;
      }
      case Action::kCancel: {
        v1::CancelReferralRequest request;
        request.set_reason(text);
        run(&Stub::CancelReferral, request);
        break;
      }
      case Action::kApprove: {
        v1::ApproveReferralRequest request;
        request.set_note(text);
        run(&Stub::ApproveReferral, request);
        break;
      }
      case Action::kExpire:
        ADD_FAILURE() << "expiry is not an RPC";
        break;
    }
    return reply;
  }

  using Stub = v1::ReferralService::Stub;

  // county (ins-county), township (ins-town, ins-town2, ins-closed which is
  // closed) and village (ins-village); community com-1 holds ins-county,
  // ins-town and ins-village.
  FakeInstitutionService institutions_{
      {
          {"ins-county", {common::v1::TIER_COUNTY, true}},
          {"ins-town", {common::v1::TIER_TOWNSHIP, true}},
          {"ins-town2", {common::v1::TIER_TOWNSHIP, true}},
          {"ins-closed", {common::v1::TIER_TOWNSHIP, false}},
          {"ins-village", {common::v1::TIER_VILLAGE, true}},
      },
      {{"com-1", {"ins-county", "ins-town", "ins-village"}}}};
  FakeReferralStore* referrals_ = nullptr;   // owned by service_
  FakeCatalogueStore* catalogue_ = nullptr;  // owned by service_
  std::unique_ptr<ReferralService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Stub> stub_;
};

std::string ToString(const absl::Status& status) {
  return status.ok() ? "OK" : status.ToString();
}

// Each transition once as allowed and once refused. A refused one changes
// nothing: the stored referral keeps the version it had.
TEST_F(ReferralServiceTest, EachTransitionIsTakenOrRefusedWithTheFieldNamed) {
  struct Step {
    Action action;
    std::string institution;
    std::string text;
  };
  struct Case {
    std::string name;
    bool out_of_county;
    std::vector<Step> before;  // taken first, each must succeed
    Step step;
    absl::StatusCode code;
    std::string field;      // named by the error, "" for none
    ReferralStatus stored;  // the referral's status after the step
  };
  const Case cases[] = {
      {"receive",
       false,
       {},
       {Action::kReceive, "ins-town", ""},
       absl::StatusCode::kOk,
       "",
       v1::REFERRAL_STATUS_RECEIVED},
      {"receive by the sender",
       false,
       {},
       {Action::kReceive, "ins-village", ""},
       absl::StatusCode::kPermissionDenied,
       "actor.institution_id",
       v1::REFERRAL_STATUS_REQUESTED},
      {"accept",
       false,
       {},
       {Action::kAccept, "ins-town", "床位已留"},
       absl::StatusCode::kOk,
       "",
       v1::REFERRAL_STATUS_ACCEPTED},
      {"accept a rejected one",
       false,
       {{Action::kReject, "ins-town", "满员"}},
       {Action::kAccept, "ins-town", ""},
       absl::StatusCode::kFailedPrecondition,
       "id",
       v1::REFERRAL_STATUS_REJECTED},
      {"reject",
       false,
       {},
       {Action::kReject, "ins-town", "床位已满"},
       absl::StatusCode::kOk,
       "",
       v1::REFERRAL_STATUS_REJECTED},
      {"reject without a reason",
       false,
       {},
       {Action::kReject, "ins-town", ""},
       absl::StatusCode::kInvalidArgument,
       "reason",
       v1::REFERRAL_STATUS_REQUESTED},
      {"arrive",
       false,
       {{Action::kAccept, "ins-town", ""}},
       {Action::kArrive, "ins-town", ""},
       absl::StatusCode::kOk,
       "",
       v1::REFERRAL_STATUS_IN_PROGRESS},
      {"arrive before accepted",
       false,
       {},
       {Action::kArrive, "ins-town", ""},
       absl::StatusCode::kFailedPrecondition,
       "id",
       v1::REFERRAL_STATUS_REQUESTED},
      {"complete",
       false,
       {{Action::kAccept, "ins-town", ""}, {Action::kArrive, "ins-town", ""}},
       {Action::kComplete, "ins-town", "血压平稳"},
       absl::StatusCode::kOk,
       "",
       v1::REFERRAL_STATUS_COMPLETED},
      {"complete without a summary",
       false,
       {{Action::kAccept, "ins-town", ""}, {Action::kArrive, "ins-town", ""}},
       {Action::kComplete, "ins-town", ""},
       absl::StatusCode::kInvalidArgument,
       "outcome.summary",
       v1::REFERRAL_STATUS_IN_PROGRESS},
      {"cancel",
       false,
       {},
       {Action::kCancel, "ins-village", "家属改主意"},
       absl::StatusCode::kOk,
       "",
       v1::REFERRAL_STATUS_CANCELLED},
      {"cancel by the receiver",
       false,
       {},
       {Action::kCancel, "ins-town", ""},
       absl::StatusCode::kPermissionDenied,
       "actor.institution_id",
       v1::REFERRAL_STATUS_REQUESTED},
      {"approve",
       true,
       {},
       {Action::kApprove, "ins-county", "同意"},
       absl::StatusCode::kOk,
       "",
       v1::REFERRAL_STATUS_REQUESTED},
      {"approve by a township",
       true,
       {},
       {Action::kApprove, "ins-town", ""},
       absl::StatusCode::kPermissionDenied,
       "actor.institution_id",
       v1::REFERRAL_STATUS_APPROVAL_PENDING},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string request_id = absl::StrCat("req-", ++n);
    Reply created = Create(c.out_of_county ? OutOfCountyRequest(request_id)
                                           : UpRequest(request_id));
    ASSERT_TRUE(created.status.ok()) << created.status;
    Referral current = created.referral;
    for (const Step& step : c.before) {
      Reply taken = Act(step.action, current, step.institution, step.text);
      ASSERT_TRUE(taken.status.ok()) << taken.status;
      current = taken.referral;
    }
    const Reply reply =
        Act(c.step.action, current, c.step.institution, c.step.text);
    EXPECT_EQ(reply.status.code(), c.code) << ToString(reply.status);
    EXPECT_EQ(BadField(reply.status), c.field);
    const Referral stored = referrals_->Referrals().at(current.id());
    EXPECT_EQ(stored.status(), c.stored);
    if (c.code == absl::StatusCode::kOk) {
      EXPECT_EQ(reply.referral.status(), c.stored);
      EXPECT_EQ(reply.referral.version(), current.version() + 1);
      EXPECT_EQ(stored.version(), current.version() + 1);
    } else {
      EXPECT_EQ(stored.version(), current.version());
    }
  }
}

TEST_F(ReferralServiceTest, StaleVersionIsAbortedNamingVersion) {
  const Reply created = Create(UpRequest("req-stale"));
  ASSERT_TRUE(created.status.ok()) << created.status;
  ASSERT_TRUE(Act(Action::kReceive, created.referral, "ins-town").status.ok());

  const Reply reply = Act(Action::kAccept, created.referral, "ins-town");

  EXPECT_EQ(reply.status.code(), absl::StatusCode::kAborted) << reply.status;
  EXPECT_EQ(BadField(reply.status), "version");
}

// A caller restricted to institutions or communities is refused, naming the
// request field that reached outside its scope.
TEST_F(ReferralServiceTest,
       OutOfScopeRequestsArePermissionDeniedNamingTheField) {
  const Reply created = Create(UpRequest("req-scope"));
  ASSERT_TRUE(created.status.ok()) << created.status;
  const Referral referral = created.referral;
  const Caller town2{"user:other", "clinician", "institution:ins-town2"};

  struct Case {
    std::string name;
    std::function<absl::Status()> call;
    std::string field;
  };
  const Case cases[] = {
      {"get a referral of other institutions",
       [&] { return Get(referral.id(), town2).status; }, "id"},
      {"create for another sender",
       [&] { return Create(UpRequest("req-scope-2"), town2).status; },
       "referral.from_institution_id"},
      {"accept a referral of other institutions",
       [&] {
         return Act(Action::kAccept, referral, "ins-town2", "", town2).status;
       },
       "id"},
      {"list another institution's outgoing referrals",
       [&] {
         v1::ListReferralsRequest request;
         request.set_outgoing_institution_id("ins-village");
         v1::ListReferralsResponse response;
         return Call(&Stub::ListReferrals, request, &response, town2);
       },
       "outgoing_institution_id"},
      {"stats of another institution",
       [&] {
         v1::GetReferralStatsRequest request;
         request.add_institution_ids("ins-town2");
         request.add_institution_ids("ins-village");
         request.mutable_period()->set_value("2026");
         v1::ReferralStats response;
         return Call(&Stub::GetReferralStats, request, &response, town2);
       },
       "institution_ids[1]"},
      {"write the county's catalogue from one institution",
       [&] {
         v1::UpsertInCountyConditionRequest request;
         request.mutable_condition()->set_icd10_code("I10");
         request.mutable_condition()->set_display_name("原发性高血压");
         request.mutable_condition()->set_lowest_tier(
             common::v1::TIER_TOWNSHIP);
         v1::InCountyCondition response;
         return Call(&Stub::UpsertInCountyCondition, request, &response, town2);
       },
       "condition.icd10_code"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status status = c.call();
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied)
        << ToString(status);
    EXPECT_EQ(BadField(status), c.field);
  }
  EXPECT_EQ(referrals_->Referrals().size(), 1u);
  EXPECT_TRUE(catalogue_->All(absl::InfiniteFuture())->empty());
}

// Only a clinician whose scope covers a party sees the resident ID in full,
// and only GetReferral shows it, announcing it in the x-cmc-personal-data
// trailer for the gateway's audit.
TEST_F(ReferralServiceTest, ResidentIdIsMaskedUnlessAClinicianOfAPartyAsks) {
  v1::CreateReferralRequest request = UpRequest("req-mask");
  request.mutable_referral()->mutable_patient()->set_insurance_number(
      "36042619910101007-01");
  const Reply created = Create(request);
  ASSERT_TRUE(created.status.ok()) << created.status;
  EXPECT_EQ(created.referral.patient().resident_id(), kMasked);

  struct Case {
    std::string name;
    Caller caller;
    std::string resident_id;
    std::string trailer;
  };
  const Case cases[] = {
      {"clinician of the receiver",
       {"user:a", "clinician", "institution:ins-town"},
       kResidentId,
       "resident_id"},
      {"clinician of the community",
       {"user:b", "clinician", "community:com-1"},
       kResidentId,
       "resident_id"},
      {"administrator of the receiver",
       {"user:c", "township_admin", "institution:ins-town"},
       kMasked,
       ""},
      {"county-wide user without the role",
       {"user:d", "", "county"},
       kMasked,
       ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Reply reply = Get(created.referral.id(), c.caller);
    ASSERT_TRUE(reply.status.ok()) << reply.status;
    EXPECT_EQ(reply.referral.patient().resident_id(), c.resident_id);
    EXPECT_EQ(reply.personal_data, c.trailer);
    // Nothing beside a masked ID restores it: the birth date shows as a year
    // only, the insurance number (which here holds the ID) is masked too.
    const v1::Patient& patient = reply.referral.patient();
    const bool masked = c.resident_id == kMasked;
    EXPECT_EQ(patient.birth_year(), 1991);
    EXPECT_EQ(patient.birth_date().value(), masked ? "" : "1991-01-01");
    EXPECT_EQ(patient.insurance_number(),
              masked ? "360426*************1" : "36042619910101007-01");
  }

  v1::ListReferralsRequest list;
  v1::ListReferralsResponse page;
  ASSERT_TRUE(Call(&Stub::ListReferrals, list, &page,
                   Caller{"user:a", "clinician", "institution:ins-town"})
                  .ok());
  ASSERT_EQ(page.referrals_size(), 1);
  EXPECT_EQ(page.referrals(0).patient().resident_id(), kMasked);
}

TEST_F(ReferralServiceTest, InvalidRequestsNameTheFieldAsInTheProto) {
  const Reply created = Create(UpRequest("req-fields"));
  ASSERT_TRUE(created.status.ok()) << created.status;
  const Referral referral = created.referral;

  struct Case {
    std::string name;
    std::function<absl::Status()> call;
    std::string field;
  };
  const Case cases[] = {
      {"create without a request id",
       [&] { return Create(UpRequest("")).status; }, "request_id"},
      {"create with a bad resident id",
       [&] {
         v1::CreateReferralRequest request = UpRequest("req-bad-id");
         request.mutable_referral()->mutable_patient()->set_resident_id(
             "360426199101010072");
         return Create(request).status;
       },
       "referral.patient.resident_id"},
      {"get without an id", [&] { return Get("").status; }, "id"},
      {"transition at a negative version",
       [&] {
         return Act(Action::kReceive, referral, "ins-town", "", Caller(), -1)
             .status;
       },
       "version"},
      {"transition without an actor",
       [&] { return Act(Action::kReceive, referral, "").status; },
       "actor.institution_id"},
      {"list with a negative page size",
       [&] {
         v1::ListReferralsRequest request;
         request.mutable_page()->set_page_size(-1);
         v1::ListReferralsResponse response;
         return Call(&Stub::ListReferrals, request, &response);
       },
       "page.page_size"},
      {"list with a made-up page token",
       [&] {
         v1::ListReferralsRequest request;
         request.mutable_page()->set_page_token("not-a-token");
         v1::ListReferralsResponse response;
         return Call(&Stub::ListReferrals, request, &response);
       },
       "page.page_token"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status status = c.call();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << ToString(status);
    EXPECT_EQ(BadField(status), c.field);
  }
  EXPECT_EQ(referrals_->Referrals().size(), 1u);
}

TEST_F(ReferralServiceTest, CreateIsIdempotentPerRequestId) {
  const Reply first = Create(UpRequest("req-once"));
  ASSERT_TRUE(first.status.ok()) << first.status;

  const Reply repeat = Create(UpRequest("req-once"));
  ASSERT_TRUE(repeat.status.ok()) << repeat.status;
  EXPECT_EQ(repeat.referral.id(), first.referral.id());
  EXPECT_EQ(repeat.referral.version(), first.referral.version());

  v1::CreateReferralRequest other = UpRequest("req-once");
  other.mutable_referral()->set_reason("另一个原因");
  const Reply reused = Create(other);
  EXPECT_EQ(reused.status.code(), absl::StatusCode::kInvalidArgument)
      << reused.status;
  EXPECT_EQ(BadField(reused.status), "request_id");

  EXPECT_EQ(referrals_->Referrals().size(), 1u);
  EXPECT_EQ(referrals_->EventTypes(),
            std::vector<std::string>{"referral.ReferralCreated"});
}

TEST_F(ReferralServiceTest,
       CreateIsUnavailableAndStoresNothingWhileInstitutionsAreDown) {
  const Reply before = Create(UpRequest("req-before"));
  ASSERT_TRUE(before.status.ok()) << before.status;
  institutions_.SetReachable(false);

  const Reply reply = Create(UpRequest("req-down"));
  EXPECT_EQ(reply.status.code(), absl::StatusCode::kUnavailable)
      << reply.status;
  EXPECT_EQ(referrals_->Referrals().size(), 1u);

  // A repeat is answered from the store alone.
  const Reply repeat = Create(UpRequest("req-before"));
  ASSERT_TRUE(repeat.status.ok()) << repeat.status;
  EXPECT_EQ(repeat.referral.id(), before.referral.id());
}

// Every transition's store write fails as a concurrent writer would make it
// fail.
class AbortingTransitions final : public ReferralStoreWrapper {
 public:
  using ReferralStoreWrapper::ReferralStoreWrapper;
  absl::StatusOr<Referral> Transition(
      const std::string&, int64_t, const ActionRequest&, absl::Time,
      const std::function<absl::Status(const Referral&)>&) override {
    return FieldError(absl::StatusCode::kAborted, "version",
                      "the referral changed concurrently");
  }
};

class ReferralServiceAbortTest : public ReferralServiceTest {
 protected:
  std::unique_ptr<ReferralStore> WrapStore(
      std::unique_ptr<ReferralStore> fake) override {
    return std::make_unique<AbortingTransitions>(std::move(fake));
  }
};

TEST_F(ReferralServiceAbortTest, StoreAbortIsReturnedAsAbortedNamingVersion) {
  const Reply created = Create(UpRequest("req-abort"));
  ASSERT_TRUE(created.status.ok()) << created.status;

  const Reply reply = Act(Action::kAccept, created.referral, "ins-town");

  EXPECT_EQ(reply.status.code(), absl::StatusCode::kAborted) << reply.status;
  EXPECT_EQ(BadField(reply.status), "version");
  EXPECT_EQ(referrals_->Referrals().at(created.referral.id()).status(),
            v1::REFERRAL_STATUS_REQUESTED);
}

}  // namespace
}  // namespace cmc::referral
