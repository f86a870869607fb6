// InstitutionService over in-memory stores (fake_stores.h), called through a
// generated stub on an in-process channel: scope refusals, resident-ID
// masking, the fields errors name, idempotent creates and the mapping of
// store failures, in milliseconds and without MariaDB. The rules needing
// stored data are tested against MariaDB in tests/integration.
#include "services/institution/institution_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/identity/principal.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/fake_stores.h"

namespace cmc::institution {
namespace {

using common::v1::TIER_COUNTY;
using common::v1::TIER_TOWNSHIP;
using grpc::StatusCode;

constexpr char kCounty[] = "360426";
constexpr char kTown[] = "360426100000";
const absl::CivilDay kToday(2026, 3, 2);

v1::Institution MakeInstitution(int n, const char* name, const char* kind,
                                common::v1::Tier tier) {
  v1::Institution i;
  i.set_uscc(MakeUscc(kCounty, n));
  i.set_name(name);
  i.set_kind(kind);
  i.set_tier(tier);
  i.set_division_code(kTown);
  return i;
}

v1::Staff MakeStaff(int n, const std::string& institution_id) {
  v1::Staff s;
  s.set_resident_id(MakeResidentId(kCounty, absl::CivilDay(1985, 3, 15), n));
  s.set_name("张医生");
  s.set_qualification(v1::QUALIFICATION_PRACTISING_PHYSICIAN);
  s.set_institution_id(institution_id);
  return s;
}

// Fails the calls a test names with the status it names, and forwards the
// rest to the fake.
class FailingInstitutionStore final : public InstitutionStoreWrapper {
 public:
  using InstitutionStoreWrapper::InstitutionStoreWrapper;

  absl::Status get_failure;
  absl::Status update_failure;

  absl::StatusOr<v1::Institution> GetInstitution(const std::string& id,
                                                 absl::string_view field,
                                                 absl::Time deadline) override {
    if (!get_failure.ok()) return get_failure;
    return InstitutionStoreWrapper::GetInstitution(id, field, deadline);
  }
  absl::StatusOr<v1::Institution> UpdateInstitution(
      const std::string& id, int64_t version,
      const Mutation<v1::Institution>& mutate, absl::CivilDay today,
      absl::CivilDay effective_day, const Actor& actor,
      absl::Time deadline) override {
    if (!update_failure.ok()) return update_failure;
    return InstitutionStoreWrapper::UpdateInstitution(
        id, version, mutate, today, effective_day, actor, deadline);
  }
};

// A real server with the real service over FakeStores, and a stub on an
// in-process channel. Seeded: community C with the hospital H and the
// township center T as members; the township center O outside C; staff S at
// T and staff P at O.
class InstitutionServiceTest : public ::testing::Test {
 protected:
  InstitutionServiceTest() : institutions_(&fake_) {}

  void SetUp() override {
    c_ = fake_.AddCommunity([] {
      v1::Community c;
      c.set_code("YGT-01");
      c.set_name("某县医共体");
      c.set_county_division_code(kCounty);
      return c;
    }());
    other_c_ = fake_.AddCommunity([] {
      v1::Community c;
      c.set_code("YGT-02");
      c.set_name("另一医共体");
      c.set_county_division_code(kCounty);
      return c;
    }());
    h_ = fake_.AddInstitution(
        MakeInstitution(1, "县人民医院", "A100", TIER_COUNTY));
    t_ = fake_.AddInstitution(
        MakeInstitution(2, "某镇中心卫生院", "C210", TIER_TOWNSHIP));
    o_ = fake_.AddInstitution(
        MakeInstitution(3, "外镇卫生院", "C220", TIER_TOWNSHIP));
    fake_.AddMember(c_, h_, absl::CivilDay(2025, 1, 1));
    fake_.AddMember(c_, t_, absl::CivilDay(2025, 1, 1));
    s_ = fake_.AddStaff(MakeStaff(11, t_));
    p_ = fake_.AddStaff(MakeStaff(12, o_));

    InstitutionService::Stores stores = fake_.stores();
    stores.institutions = &institutions_;
    InstitutionService::Options options;
    options.call.clock = CountyClock::FixedDay(kToday);
    service_ = std::make_unique<InstitutionService>(stores, options);
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::InstitutionService::NewStub(
        server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override { server_->Shutdown(); }

  // A client context carrying the principal headers of a caller with
  // `scope` ("county", "community:<id>", "institution:<id>") and `roles`.
  static std::unique_ptr<grpc::ClientContext> As(const std::string& scope,
                                                 const std::string& roles) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata(kSubjectHeader, "user:tester");
    context->AddMetadata(kRolesHeader, roles);
    context->AddMetadata(kScopeHeader, scope);
    return context;
  }

  FakeStores fake_;
  FailingInstitutionStore institutions_;
  std::unique_ptr<InstitutionService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::InstitutionService::Stub> stub_;
  std::string c_, other_c_, h_, t_, o_, s_, p_;
};

// A call of the stub under `context`, its response discarded.
using Call = std::function<grpc::Status(v1::InstitutionService::Stub&,
                                        grpc::ClientContext*)>;

struct ErrorCase {
  const char* name;
  std::string scope;  // the caller's scope
  Call call;
  StatusCode code;
  std::string field;  // named by the BadRequest detail
};

void ExpectErrors(v1::InstitutionService::Stub& stub,
                  const std::vector<ErrorCase>& cases) {
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata(kSubjectHeader, "user:tester");
    context->AddMetadata(kScopeHeader, c.scope);
    const grpc::Status status = c.call(stub, context.get());
    EXPECT_EQ(status.error_code(), c.code) << status.error_message();
    EXPECT_EQ(BadField(FromGrpcStatus(status)), c.field)
        << status.error_message();
  }
}

TEST_F(InstitutionServiceTest, RefusesWhatLiesOutsideTheCallersScope) {
  const std::string in_c = "community:" + c_;
  const std::string at_t = "institution:" + t_;
  const std::string o = o_, p = p_, t = t_, other_c = other_c_;
  const std::vector<ErrorCase> cases = {
      {"GetInstitution outside the community", in_c,
       [o](auto& stub, auto* ctx) {
         v1::GetInstitutionRequest request;
         request.set_id(o);
         v1::Institution out;
         return stub.GetInstitution(ctx, request, &out);
       },
       StatusCode::PERMISSION_DENIED, "id"},
      {"GetCommunity of another community", in_c,
       [other_c](auto& stub, auto* ctx) {
         v1::GetCommunityRequest request;
         request.set_id(other_c);
         v1::Community out;
         return stub.GetCommunity(ctx, request, &out);
       },
       StatusCode::PERMISSION_DENIED, "id"},
      {"CreateCommunity needs the county", in_c,
       [](auto& stub, auto* ctx) {
         v1::CreateCommunityRequest request;
         request.set_request_id("req-community");
         request.mutable_community()->set_code("YGT-09");
         request.mutable_community()->set_name("新医共体");
         request.mutable_community()->set_county_division_code(kCounty);
         v1::Community out;
         return stub.CreateCommunity(ctx, request, &out);
       },
       StatusCode::PERMISSION_DENIED, "community"},
      {"CreateInstitution joining no community", in_c,
       [](auto& stub, auto* ctx) {
         v1::CreateInstitutionRequest request;
         request.set_request_id("req-orphan");
         *request.mutable_institution() =
             MakeInstitution(30, "新卫生院", "C220", TIER_TOWNSHIP);
         v1::Institution out;
         return stub.CreateInstitution(ctx, request, &out);
       },
       StatusCode::PERMISSION_DENIED, "community_id"},
      {"BatchGetInstitutions names the first id outside", in_c,
       [t, o](auto& stub, auto* ctx) {
         v1::BatchGetInstitutionsRequest request;
         request.add_ids(t);
         request.add_ids(o);
         v1::BatchGetInstitutionsResponse out;
         return stub.BatchGetInstitutions(ctx, request, &out);
       },
       StatusCode::PERMISSION_DENIED, "ids[1]"},
      {"UpdateInstitution outside", in_c,
       [o](auto& stub, auto* ctx) {
         v1::UpdateInstitutionRequest request;
         request.mutable_institution()->set_id(o);
         request.mutable_institution()->set_version(1);
         request.mutable_institution()->set_name("改名");
         request.mutable_update_mask()->add_paths("name");
         v1::Institution out;
         return stub.UpdateInstitution(ctx, request, &out);
       },
       StatusCode::PERMISSION_DENIED, "institution.id"},
      {"CreateStaff at an employer outside", in_c,
       [o](auto& stub, auto* ctx) {
         v1::CreateStaffRequest request;
         request.set_request_id("req-staff-o");
         *request.mutable_staff() = MakeStaff(20, o);
         v1::Staff out;
         return stub.CreateStaff(ctx, request, &out);
       },
       StatusCode::PERMISSION_DENIED, "staff.institution_id"},
      {"GetStaff employed outside an institution scope", at_t,
       [p](auto& stub, auto* ctx) {
         v1::GetStaffRequest request;
         request.set_id(p);
         v1::Staff out;
         return stub.GetStaff(ctx, request, &out);
       },
       StatusCode::PERMISSION_DENIED, "id"},
      {"ListStaff filtered by an institution outside", in_c,
       [o](auto& stub, auto* ctx) {
         v1::ListStaffRequest request;
         request.set_institution_id(o);
         v1::ListStaffResponse out;
         return stub.ListStaff(ctx, request, &out);
       },
       StatusCode::PERMISSION_DENIED, "institution_id"},
      {"ListVillages filtered by a township center outside", in_c,
       [o](auto& stub, auto* ctx) {
         v1::ListVillagesRequest request;
         request.set_township_center_id(o);
         v1::ListVillagesResponse out;
         return stub.ListVillages(ctx, request, &out);
       },
       StatusCode::PERMISSION_DENIED, "township_center_id"},
  };
  ExpectErrors(*stub_, cases);
}

TEST_F(InstitutionServiceTest, ListsHoldOnlyRowsInScope) {
  auto context = As("community:" + c_, "clinician");
  v1::ListInstitutionsResponse listed;
  ASSERT_TRUE(stub_
                  ->ListInstitutions(context.get(),
                                     v1::ListInstitutionsRequest(), &listed)
                  .ok());
  std::vector<std::string> ids;
  for (const v1::Institution& i : listed.institutions()) ids.push_back(i.id());
  EXPECT_EQ(ids, (std::vector<std::string>{h_, t_}));
  EXPECT_EQ(listed.page().total_size(), 2);
}

TEST_F(InstitutionServiceTest, MasksResidentIdsUnlessTheCallerMaySeeThem) {
  const std::string full = MakeStaff(11, t_).resident_id();
  struct Case {
    const char* name;
    std::string scope;
    std::string roles;
    bool unmasked;
  } cases[] = {
      {"personnel admin of the county", "county", "personnel_admin", true},
      {"clinician of the county", "county", "clinician", false},
      {"personnel admin of the employer", "institution:" + t_,
       "personnel_admin", true},
      {"community admin of the employer's community", "community:" + c_,
       "community_admin", true},
      {"clinician of the employer", "institution:" + t_, "clinician", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto context = As(c.scope, c.roles);
    v1::GetStaffRequest request;
    request.set_id(s_);
    v1::Staff staff;
    const grpc::Status status = stub_->GetStaff(context.get(), request, &staff);
    ASSERT_TRUE(status.ok()) << status.error_message();
    if (c.unmasked) {
      EXPECT_EQ(staff.resident_id(), full);
      EXPECT_FALSE(staff.resident_id_masked());
    } else {
      EXPECT_EQ(staff.resident_id(), MaskResidentId(full));
      EXPECT_TRUE(staff.resident_id_masked());
    }
    // Beside a masked ID the birth date, the masked part, shows as a year.
    EXPECT_EQ(staff.birth_year(), 1985);
    EXPECT_EQ(staff.birth_date().value().empty(), !c.unmasked);
    // The gateway audits exactly the calls that showed a full resident ID.
    const auto& trailers = context->GetServerTrailingMetadata();
    EXPECT_EQ(trailers.count(kPersonalDataTrailer) > 0, c.unmasked);
  }
}

TEST_F(InstitutionServiceTest, ListStaffMasksEachRowByItsEmployer) {
  // Personnel admin of T: S (at T) in full; P (at O) is not listed at all.
  auto context = As("institution:" + t_, "personnel_admin");
  v1::ListStaffResponse listed;
  ASSERT_TRUE(
      stub_->ListStaff(context.get(), v1::ListStaffRequest(), &listed).ok());
  ASSERT_EQ(listed.staff_size(), 1);
  EXPECT_EQ(listed.staff(0).id(), s_);
  EXPECT_FALSE(listed.staff(0).resident_id_masked());
}

TEST_F(InstitutionServiceTest, NamesTheFieldOfInvalidRequests) {
  const std::vector<ErrorCase> cases = {
      {"CreateInstitution without request_id", "county",
       [](auto& stub, auto* ctx) {
         v1::CreateInstitutionRequest request;
         *request.mutable_institution() =
             MakeInstitution(31, "新卫生院", "C220", TIER_TOWNSHIP);
         v1::Institution out;
         return stub.CreateInstitution(ctx, request, &out);
       },
       StatusCode::INVALID_ARGUMENT, "request_id"},
      {"CreateInstitution with a bad USCC", "county",
       [](auto& stub, auto* ctx) {
         v1::CreateInstitutionRequest request;
         request.set_request_id("req-bad-uscc");
         *request.mutable_institution() =
             MakeInstitution(32, "新卫生院", "C220", TIER_TOWNSHIP);
         request.mutable_institution()->set_uscc("91360426000000000X");
         v1::Institution out;
         return stub.CreateInstitution(ctx, request, &out);
       },
       StatusCode::INVALID_ARGUMENT, "institution.uscc"},
      {"CreateInstitution joining without a kind", "county",
       [this](auto& stub, auto* ctx) {
         v1::CreateInstitutionRequest request;
         request.set_request_id("req-no-kind");
         *request.mutable_institution() =
             MakeInstitution(33, "新卫生院", "C220", TIER_TOWNSHIP);
         request.set_community_id(c_);
         v1::Institution out;
         return stub.CreateInstitution(ctx, request, &out);
       },
       StatusCode::INVALID_ARGUMENT, "membership_kind"},
      {"GetCommunity without id", "county",
       [](auto& stub, auto* ctx) {
         v1::Community out;
         return stub.GetCommunity(ctx, v1::GetCommunityRequest(), &out);
       },
       StatusCode::INVALID_ARGUMENT, "id"},
      {"ListStaff with an unknown status", "county",
       [](auto& stub, auto* ctx) {
         v1::ListStaffRequest request;
         request.set_status(static_cast<v1::StaffStatus>(99));
         v1::ListStaffResponse out;
         return stub.ListStaff(ctx, request, &out);
       },
       StatusCode::INVALID_ARGUMENT, "status"},
      {"ListInstitutions with too large a page", "county",
       [](auto& stub, auto* ctx) {
         v1::ListInstitutionsRequest request;
         request.mutable_page()->set_page_size(5000);
         v1::ListInstitutionsResponse out;
         return stub.ListInstitutions(ctx, request, &out);
       },
       StatusCode::INVALID_ARGUMENT, "page.page_size"},
      {"ListInstitutions with a malformed token", "county",
       [](auto& stub, auto* ctx) {
         v1::ListInstitutionsRequest request;
         request.mutable_page()->set_page_token("not-a-token");
         v1::ListInstitutionsResponse out;
         return stub.ListInstitutions(ctx, request, &out);
       },
       StatusCode::INVALID_ARGUMENT, "page.page_token"},
      {"ListVillages with too long a name filter", "county",
       [](auto& stub, auto* ctx) {
         v1::ListVillagesRequest request;
         request.set_name_contains(std::string(401, 'x'));
         v1::ListVillagesResponse out;
         return stub.ListVillages(ctx, request, &out);
       },
       StatusCode::INVALID_ARGUMENT, "name_contains"},
      {"BatchGetInstitutions without ids", "county",
       [](auto& stub, auto* ctx) {
         v1::BatchGetInstitutionsResponse out;
         return stub.BatchGetInstitutions(
             ctx, v1::BatchGetInstitutionsRequest(), &out);
       },
       StatusCode::INVALID_ARGUMENT, "ids"},
      {"EndMembership without valid_to", "county",
       [](auto& stub, auto* ctx) {
         v1::EndMembershipRequest request;
         request.set_id("mem-1");
         v1::Membership out;
         return stub.EndMembership(ctx, request, &out);
       },
       StatusCode::INVALID_ARGUMENT, "valid_to"},
      {"ListMemberships without a filter", "county",
       [](auto& stub, auto* ctx) {
         v1::ListMembershipsResponse out;
         return stub.ListMemberships(ctx, v1::ListMembershipsRequest(), &out);
       },
       StatusCode::INVALID_ARGUMENT, "institution_id"},
      {"ListPostings without a filter", "county",
       [](auto& stub, auto* ctx) {
         v1::ListPostingsResponse out;
         return stub.ListPostings(ctx, v1::ListPostingsRequest(), &out);
       },
       StatusCode::INVALID_ARGUMENT, "staff_id"},
  };
  ExpectErrors(*stub_, cases);
}

TEST_F(InstitutionServiceTest, NamesTheFieldOfUnknownIds) {
  const std::vector<ErrorCase> cases = {
      {"GetInstitution", "county",
       [](auto& stub, auto* ctx) {
         v1::GetInstitutionRequest request;
         request.set_id("ins-unknown");
         v1::Institution out;
         return stub.GetInstitution(ctx, request, &out);
       },
       StatusCode::NOT_FOUND, "id"},
      {"GetStaff", "county",
       [](auto& stub, auto* ctx) {
         v1::GetStaffRequest request;
         request.set_id("stf-unknown");
         v1::Staff out;
         return stub.GetStaff(ctx, request, &out);
       },
       StatusCode::NOT_FOUND, "id"},
      {"UpdateCommunity", "county",
       [](auto& stub, auto* ctx) {
         v1::UpdateCommunityRequest request;
         request.mutable_community()->set_id("com-unknown");
         request.mutable_community()->set_version(1);
         request.mutable_community()->set_name("新名");
         request.mutable_update_mask()->add_paths("name");
         v1::Community out;
         return stub.UpdateCommunity(ctx, request, &out);
       },
       StatusCode::NOT_FOUND, "community.id"},
      {"ListStaff filtered by an unknown community", "county",
       [](auto& stub, auto* ctx) {
         v1::ListStaffRequest request;
         request.set_community_id("com-unknown");
         v1::ListStaffResponse out;
         return stub.ListStaff(ctx, request, &out);
       },
       StatusCode::NOT_FOUND, "community_id"},
      {"ListPostings filtered by an unknown staff member", "county",
       [](auto& stub, auto* ctx) {
         v1::ListPostingsRequest request;
         request.set_staff_id("stf-unknown");
         v1::ListPostingsResponse out;
         return stub.ListPostings(ctx, request, &out);
       },
       StatusCode::NOT_FOUND, "staff_id"},
  };
  ExpectErrors(*stub_, cases);
}

TEST_F(InstitutionServiceTest, RepeatedCreateReturnsTheFirstResult) {
  v1::CreateInstitutionRequest request;
  request.set_request_id("req-once");
  *request.mutable_institution() =
      MakeInstitution(40, "新卫生院", "C220", TIER_TOWNSHIP);
  v1::Institution first, second;
  {
    auto context = As("county", "");
    ASSERT_TRUE(stub_->CreateInstitution(context.get(), request, &first).ok());
  }
  {
    // Output-only fields a client echoes back do not make it another request.
    v1::CreateInstitutionRequest again = request;
    again.mutable_institution()->set_id("ins-echoed");
    auto context = As("county", "");
    ASSERT_TRUE(stub_->CreateInstitution(context.get(), again, &second).ok());
  }
  EXPECT_EQ(second.id(), first.id());
  EXPECT_EQ(second.version(), first.version());

  v1::ListInstitutionsRequest list;
  list.set_name_contains("新卫生院");
  v1::ListInstitutionsResponse listed;
  auto context = As("county", "");
  ASSERT_TRUE(stub_->ListInstitutions(context.get(), list, &listed).ok());
  EXPECT_EQ(listed.institutions_size(), 1);

  v1::CreateInstitutionRequest other = request;
  other.mutable_institution()->set_name("另一卫生院");
  v1::Institution third;
  auto other_context = As("county", "");
  const grpc::Status reused =
      stub_->CreateInstitution(other_context.get(), other, &third);
  EXPECT_EQ(reused.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(FromGrpcStatus(reused)), "request_id");
}

TEST_F(InstitutionServiceTest, PagesCarryTheirQuery) {
  v1::ListInstitutionsRequest request;
  request.mutable_page()->set_page_size(2);
  v1::ListInstitutionsResponse first;
  auto context = As("county", "");
  ASSERT_TRUE(stub_->ListInstitutions(context.get(), request, &first).ok());
  ASSERT_EQ(first.institutions_size(), 2);
  EXPECT_EQ(first.page().total_size(), 3);
  ASSERT_FALSE(first.page().next_page_token().empty());

  request.mutable_page()->set_page_token(first.page().next_page_token());
  v1::ListInstitutionsResponse second;
  auto next = As("county", "");
  ASSERT_TRUE(stub_->ListInstitutions(next.get(), request, &second).ok());
  ASSERT_EQ(second.institutions_size(), 1);
  EXPECT_EQ(second.institutions(0).id(), o_);
  EXPECT_TRUE(second.page().next_page_token().empty());

  // The token of one query does not continue another.
  request.set_tier(TIER_TOWNSHIP);
  v1::ListInstitutionsResponse refused;
  auto other = As("county", "");
  const grpc::Status status =
      stub_->ListInstitutions(other.get(), request, &refused);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(FromGrpcStatus(status)), "page.page_token");
}

TEST_F(InstitutionServiceTest, StoreFailuresReachTheCallerWithTheirCode) {
  struct Case {
    const char* name;
    absl::Status FailingInstitutionStore::*failure;
    absl::Status injected;
    Call call;
    StatusCode code;
    std::string field;
  };
  const std::string h = h_;
  const Call get = [h](auto& stub, auto* ctx) {
    v1::GetInstitutionRequest request;
    request.set_id(h);
    v1::Institution out;
    return stub.GetInstitution(ctx, request, &out);
  };
  const Call update = [h](auto& stub, auto* ctx) {
    v1::UpdateInstitutionRequest request;
    request.mutable_institution()->set_id(h);
    request.mutable_institution()->set_version(1);
    request.mutable_institution()->set_name("县第一人民医院");
    request.mutable_update_mask()->add_paths("name");
    v1::Institution out;
    return stub.UpdateInstitution(ctx, request, &out);
  };
  const Case cases[] = {
      {"database unreachable on a read", &FailingInstitutionStore::get_failure,
       absl::UnavailableError("database unreachable"), get,
       StatusCode::UNAVAILABLE, ""},
      {"version conflict on an update",
       &FailingInstitutionStore::update_failure,
       FieldError(absl::StatusCode::kAborted, "institution.version",
                  "changed since it was read"),
       update, StatusCode::ABORTED, "institution.version"},
      {"database unreachable on an update",
       &FailingInstitutionStore::update_failure,
       absl::UnavailableError("database unreachable"), update,
       StatusCode::UNAVAILABLE, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    institutions_.*c.failure = c.injected;
    auto context = As("county", "");
    const grpc::Status status = c.call(*stub_, context.get());
    EXPECT_EQ(status.error_code(), c.code) << status.error_message();
    EXPECT_EQ(BadField(FromGrpcStatus(status)), c.field);
    institutions_.*c.failure = absl::OkStatus();
  }
  // Without a failure the same calls succeed.
  auto context = As("county", "");
  EXPECT_TRUE(update(*stub_, context.get()).ok());
}

}  // namespace
}  // namespace cmc::institution
