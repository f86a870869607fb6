// The institution service through its gRPC interface: an in-process server on
// a fresh schema of the shared MariaDB, called with the generated stub.
#include <cppconn/connection.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/db/migrations.h"
#include "common/db/transaction.h"
#include "common/identity/principal.h"
#include "common/outbox/outbox.h"
#include "common/server/server.h"
#include "common/status.h"
#include "common/testing/mariadb.h"
#include "services/institution/institution_service.h"

namespace cmc::institution {
const std::vector<db::Migration>& Migrations();
namespace {

using common::v1::TIER_COUNTY;
using common::v1::TIER_TOWNSHIP;
using common::v1::TIER_VILLAGE;
using grpc::StatusCode;

constexpr char kCounty[] = "360426";
constexpr char kTown[] = "360426100000";
constexpr char kVillage[] = "360426100201";
constexpr char kOtherCountyTown[] = "360427100000";

// A valid USCC (GB 32100 with its GB 11714 organization code) for each `n`.
std::string MakeUscc(int n) {
  const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const std::string org = absl::StrFormat("%08d", n);
  const int org_weights[] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (org[i] - '0') * org_weights[i];
  const int org_check = 11 - sum % 11;
  std::string code = "12360426" + org;
  code += org_check == 10 ? 'X' : org_check == 11 ? '0' : char('0' + org_check);
  const int weights[] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                         29, 25, 13, 8,  24, 10, 30, 28};
  sum = 0;
  for (int i = 0; i < 17; ++i) sum += alphabet.find(code[i]) * weights[i];
  return code + alphabet[(31 - sum % 31) % 31];
}

v1::Institution MakeInstitution(int n, const char* name, const char* kind,
                                common::v1::Tier tier, const char* division) {
  v1::Institution i;
  i.set_uscc(MakeUscc(n));
  i.set_name(name);
  i.set_kind(kind);
  i.set_tier(tier);
  i.set_division_code(division);
  return i;
}

v1::Membership MakeMembership(const std::string& institution_id,
                              const std::string& community_id, const char* from,
                              const char* to = nullptr) {
  v1::Membership m;
  m.set_institution_id(institution_id);
  m.set_community_id(community_id);
  m.set_kind(v1::MEMBERSHIP_KIND_CLOSE_KNIT);
  m.mutable_valid_from()->set_value(from);
  if (to != nullptr) m.mutable_valid_to()->set_value(to);
  return m;
}

// The code and the field named by the BadRequest detail.
void ExpectError(const grpc::Status& status, StatusCode code,
                 const std::string& field) {
  EXPECT_EQ(status.error_code(), code) << status.error_message();
  EXPECT_EQ(BadField(FromGrpcStatus(status)), field) << status.error_message();
}

class InstitutionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ = db::Pool::Create(MariaDb().NewDatabase("institution"));
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "outbox", outbox::Migrations()).ok());
    ASSERT_TRUE(db::ApplyMigrations(*pool_, "institution", Migrations()).ok());
    service_ = std::make_unique<InstitutionService>(
        pool_.get(), InstitutionService::Options());
    ServerOptions options;
    options.service_name = "institution";
    options.listen_host = "127.0.0.1";
    server_ = std::make_unique<Server>(options);
    server_->AddService(service_.get(),
                        v1::InstitutionService::service_full_name());
    ASSERT_TRUE(server_->Start().ok());
    stub_ = v1::InstitutionService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  static testing::MariaDb& MariaDb() { return testing::MariaDb::Shared(); }

  // Calls `method` with a fresh context as user:tester.
  template <typename Request, typename Response, typename Method>
  grpc::Status Call(Method method, const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    Principal who;
    who.subject = "user:tester";
    AttachPrincipal(who, &context);
    return ((*stub_).*method)(&context, request, response);
  }

  grpc::Status CreateCommunity(const std::string& request_id,
                               const v1::Community& community,
                               v1::Community* out) {
    v1::CreateCommunityRequest request;
    request.set_request_id(request_id);
    *request.mutable_community() = community;
    return Call(&Stub::CreateCommunity, request, out);
  }
  // A community of kCounty named "某县医共体" with `code`.
  v1::Community NewCommunity(const std::string& code) {
    v1::Community community;
    community.set_code(code);
    community.set_name("某县医共体");
    community.set_county_division_code(kCounty);
    v1::Community out;
    EXPECT_TRUE(CreateCommunity("req-" + code, community, &out).ok());
    return out;
  }
  grpc::Status CreateInstitution(const std::string& request_id,
                                 const v1::Institution& institution,
                                 v1::Institution* out) {
    v1::CreateInstitutionRequest request;
    request.set_request_id(request_id);
    *request.mutable_institution() = institution;
    return Call(&Stub::CreateInstitution, request, out);
  }
  v1::Institution NewInstitution(const v1::Institution& institution) {
    v1::Institution out;
    const grpc::Status status =
        CreateInstitution("req-" + institution.uscc(), institution, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  grpc::Status AddMembership(const std::string& request_id,
                             const v1::Membership& membership,
                             v1::Membership* out) {
    v1::AddMembershipRequest request;
    request.set_request_id(request_id);
    *request.mutable_membership() = membership;
    return Call(&Stub::AddMembership, request, out);
  }
  grpc::Status UpdateInstitution(const v1::Institution& institution,
                                 std::vector<std::string> paths,
                                 v1::Institution* out) {
    v1::UpdateInstitutionRequest request;
    *request.mutable_institution() = institution;
    for (auto& p : paths) request.mutable_update_mask()->add_paths(p);
    return Call(&Stub::UpdateInstitution, request, out);
  }

  std::vector<common::v1::Event> Events() {
    std::vector<common::v1::Event> events;
    EXPECT_TRUE(db::RunOnConnection(*pool_, absl::Now() + absl::Seconds(5),
                                    [&](sql::Connection& conn) {
                                      events = outbox::ReadAfter(
                                          conn, "institution", 0, 1000);
                                      return absl::OkStatus();
                                    })
                    .ok());
    return events;
  }

  using Stub = v1::InstitutionService::Stub;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<InstitutionService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Stub> stub_;
};

TEST_F(InstitutionTest, CommunityRoundTripsExactlyAndIsAnnounced) {
  v1::Community community = NewCommunity("YGT-01");
  EXPECT_EQ(community.id().rfind("com-", 0), 0u) << community.id();
  EXPECT_EQ(community.name(), "某县医共体");
  EXPECT_EQ(community.status(), v1::COMMUNITY_STATUS_ACTIVE);
  EXPECT_EQ(community.version(), 1);
  EXPECT_GT(community.create_time().seconds(), 1700000000);

  v1::GetCommunityRequest get;
  get.set_id(community.id());
  v1::Community read;
  ASSERT_TRUE(Call(&Stub::GetCommunity, get, &read).ok());
  EXPECT_EQ(read.SerializeAsString(), community.SerializeAsString());

  const std::vector<common::v1::Event> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type(), "institution.CommunityCreated");
  EXPECT_EQ(events[0].aggregate_id(), community.id());
  EXPECT_EQ(events[0].actor(), "user:tester");
  v1::Community payload;
  ASSERT_TRUE(events[0].payload().UnpackTo(&payload));
  EXPECT_EQ(payload.name(), "某县医共体");

  get.set_id("com-unknown");
  ExpectError(Call(&Stub::GetCommunity, get, &read), StatusCode::NOT_FOUND,
              "id");
  get.clear_id();
  ExpectError(Call(&Stub::GetCommunity, get, &read),
              StatusCode::INVALID_ARGUMENT, "id");
}

TEST_F(InstitutionTest, CreateCommunityNamesEachBadField) {
  NewCommunity("YGT-01");
  const v1::Institution cdc = NewInstitution(
      MakeInstitution(1, "某县疾病预防控制中心", "J100", TIER_COUNTY, kTown));
  const v1::Institution far = NewInstitution(MakeInstitution(
      2, "邻县人民医院", "A100", TIER_COUNTY, kOtherCountyTown));
  struct Case {
    const char* name;
    std::function<void(v1::Community&, std::string&)> spoil;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {"no request id", [](auto&, auto& r) { r.clear(); },
       StatusCode::INVALID_ARGUMENT, "request_id"},
      {"lower-case code", [](auto& c, auto&) { c.set_code("ygt-9"); },
       StatusCode::INVALID_ARGUMENT, "community.code"},
      {"blank name", [](auto& c, auto&) { c.set_name("  "); },
       StatusCode::INVALID_ARGUMENT, "community.name"},
      {"no such province",
       [](auto& c, auto&) { c.set_county_division_code("990426"); },
       StatusCode::INVALID_ARGUMENT, "community.county_division_code"},
      {"created closed",
       [](auto& c, auto&) { c.set_status(v1::COMMUNITY_STATUS_CLOSED); },
       StatusCode::INVALID_ARGUMENT, "community.status"},
      {"unknown lead",
       [](auto& c, auto&) { c.set_lead_institution_id("ins-nope"); },
       StatusCode::NOT_FOUND, "community.lead_institution_id"},
      {"CDC cannot lead",
       [&](auto& c, auto&) { c.set_lead_institution_id(cdc.id()); },
       StatusCode::INVALID_ARGUMENT, "community.lead_institution_id"},
      {"lead in another county",
       [&](auto& c, auto&) { c.set_lead_institution_id(far.id()); },
       StatusCode::INVALID_ARGUMENT, "community.lead_institution_id"},
      {"code taken", [](auto& c, auto&) { c.set_code("YGT-01"); },
       StatusCode::ALREADY_EXISTS, "community.code"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Community community;
    community.set_code("YGT-02");
    community.set_name("另一医共体");
    community.set_county_division_code(kCounty);
    std::string request_id = std::string("req-") + c.name[0] + c.name[1];
    c.spoil(community, request_id);
    v1::Community out;
    ExpectError(CreateCommunity(request_id, community, &out), c.code, c.field);
  }
  EXPECT_EQ(Events().size(), 3u) << "only the three successful creates";
}

TEST_F(InstitutionTest, CreateIsIdempotentByRequestId) {
  const v1::Institution wanted =
      MakeInstitution(7, "某县人民医院", "A100", TIER_COUNTY, kTown);
  v1::Institution first, again;
  ASSERT_TRUE(CreateInstitution("req-7", wanted, &first).ok());
  ASSERT_TRUE(CreateInstitution("req-7", wanted, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Events().size(), 1u);

  v1::Institution changed = wanted;
  changed.set_name("某县中医院");
  ExpectError(CreateInstitution("req-7", changed, &again),
              StatusCode::INVALID_ARGUMENT, "request_id");
  v1::Community community;
  community.set_code("YGT-07");
  community.set_name("某县医共体");
  community.set_county_division_code(kCounty);
  ExpectError(CreateCommunity("req-7", community, &community),
              StatusCode::INVALID_ARGUMENT, "request_id");

  // A failed create leaves no claim: the same key works once the cause is
  // fixed.
  v1::Institution duplicate = wanted;
  ExpectError(CreateInstitution("req-8", duplicate, &again),
              StatusCode::ALREADY_EXISTS, "institution.uscc");
  duplicate.set_uscc(MakeUscc(8));
  ASSERT_TRUE(CreateInstitution("req-8", duplicate, &again).ok());
  EXPECT_NE(again.id(), first.id());
}

TEST_F(InstitutionTest, ConcurrentRepeatsCreateOnce) {
  const v1::Institution wanted =
      MakeInstitution(9, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown);
  std::vector<std::string> ids(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < ids.size(); ++t) {
    threads.emplace_back([&, t] {
      v1::Institution out;
      if (CreateInstitution("req-same", wanted, &out).ok()) ids[t] = out.id();
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_FALSE(ids[0].empty());
  EXPECT_EQ(Events().size(), 1u);
}

TEST_F(InstitutionTest, CreateInstitutionChecksEveryRule) {
  const v1::Institution township = NewInstitution(
      MakeInstitution(20, "某镇中心卫生院", "C210", TIER_TOWNSHIP, kTown));
  EXPECT_EQ(township.name(), "某镇中心卫生院");
  EXPECT_EQ(township.status(), v1::INSTITUTION_STATUS_ACTIVE);
  v1::Institution clinic =
      MakeInstitution(21, "某村卫生室", "D600", TIER_VILLAGE, kVillage);
  clinic.set_parent_institution_id(township.id());
  clinic.add_shared_centers(v1::SHARED_CENTER_ECG);
  clinic.add_shared_centers(v1::SHARED_CENTER_IMAGING);
  clinic = NewInstitution(clinic);
  EXPECT_EQ(clinic.parent_institution_id(), township.id());
  ASSERT_EQ(clinic.shared_centers_size(), 2);
  EXPECT_EQ(clinic.shared_centers(0), v1::SHARED_CENTER_IMAGING);

  struct Case {
    std::function<void(v1::Institution&)> spoil;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {[](auto& i) { i.set_uscc("12360426000000300"); },
       StatusCode::INVALID_ARGUMENT, "institution.uscc"},
      {[](auto& i) { i.set_uscc(MakeUscc(20)); }, StatusCode::ALREADY_EXISTS,
       "institution.uscc"},
      {[](auto& i) { i.set_kind("E100"); }, StatusCode::INVALID_ARGUMENT,
       "institution.kind"},
      {[](auto& i) { i.set_tier(TIER_COUNTY); }, StatusCode::INVALID_ARGUMENT,
       "institution.tier"},
      {[](auto& i) { i.set_division_code("3604261002"); },
       StatusCode::INVALID_ARGUMENT, "institution.division_code"},
      {[](auto& i) { i.set_beds(-5); }, StatusCode::INVALID_ARGUMENT,
       "institution.beds"},
      {[](auto& i) { i.set_parent_institution_id("ins-nope"); },
       StatusCode::NOT_FOUND, "institution.parent_institution_id"},
      {[&](auto& i) { i.set_parent_institution_id(clinic.id()); },
       StatusCode::INVALID_ARGUMENT, "institution.parent_institution_id"},
  };
  int n = 30;
  for (const Case& c : cases) {
    v1::Institution institution =
        MakeInstitution(n, "某村卫生室", "D600", TIER_VILLAGE, kVillage);
    c.spoil(institution);
    SCOPED_TRACE(institution.ShortDebugString());
    v1::Institution out;
    ExpectError(
        CreateInstitution("req-" + std::to_string(n++), institution, &out),
        c.code, c.field);
  }
}

TEST_F(InstitutionTest, UpdateInstitutionUsesVersionsAndRechecksRules) {
  v1::Institution township = NewInstitution(
      MakeInstitution(40, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown));
  v1::Institution clinic =
      MakeInstitution(41, "某村卫生室", "D600", TIER_VILLAGE, kVillage);
  clinic.set_parent_institution_id(township.id());
  clinic = NewInstitution(clinic);

  v1::Institution change = township;
  change.set_name("某镇中心卫生院");
  change.set_kind("C210");
  change.set_beds(80);
  change.add_shared_centers(v1::SHARED_CENTER_LABORATORY);
  v1::Institution updated;
  ASSERT_TRUE(UpdateInstitution(
                  change, {"name", "kind", "beds", "shared_centers"}, &updated)
                  .ok());
  EXPECT_EQ(updated.name(), "某镇中心卫生院");
  EXPECT_EQ(updated.kind(), "C210");
  EXPECT_EQ(updated.beds(), 80);
  EXPECT_EQ(updated.version(), 2);
  EXPECT_EQ(updated.uscc(), township.uscc());
  EXPECT_EQ(Events().back().type(), "institution.InstitutionUpdated");

  struct Case {
    const char* name;
    std::function<void(v1::Institution&)> change;
    std::vector<std::string> paths;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {"stale version",
       [](auto& i) { i.set_version(1); },
       {"name"},
       StatusCode::ABORTED,
       "institution.version"},
      {"no version",
       [](auto& i) { i.set_version(0); },
       {"name"},
       StatusCode::INVALID_ARGUMENT,
       "institution.version"},
      {"unknown id",
       [](auto& i) { i.set_id("ins-nope"); },
       {"name"},
       StatusCode::NOT_FOUND,
       "institution.id"},
      {"empty mask",
       [](auto&) {},
       {},
       StatusCode::INVALID_ARGUMENT,
       "update_mask"},
      {"immutable USCC",
       [](auto&) {},
       {"uscc"},
       StatusCode::INVALID_ARGUMENT,
       "update_mask"},
      {"kind without tier",
       [](auto& i) { i.set_kind("A100"); },
       {"kind"},
       StatusCode::INVALID_ARGUMENT,
       "institution.tier"},
      {"would orphan the clinic's tier order",
       [](auto& i) {
         i.set_kind("D600");
         i.set_tier(TIER_VILLAGE);
       },
       {"kind", "tier"},
       StatusCode::FAILED_PRECONDITION,
       "institution.tier"},
      {"own parent",
       [&](auto& i) { i.set_parent_institution_id(i.id()); },
       {"parent_institution_id"},
       StatusCode::INVALID_ARGUMENT,
       "institution.parent_institution_id"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Institution request = updated;
    c.change(request);
    v1::Institution out;
    ExpectError(UpdateInstitution(request, c.paths, &out), c.code, c.field);
  }

  // A member's division code must stay inside its community's county.
  const v1::Community community = NewCommunity("YGT-01");
  v1::Membership membership;
  ASSERT_TRUE(
      AddMembership("req-m",
                    MakeMembership(updated.id(), community.id(), "2024-01-01"),
                    &membership)
          .ok());
  v1::Institution moved = updated;
  moved.set_division_code(kOtherCountyTown);
  v1::Institution out;
  ExpectError(UpdateInstitution(moved, {"division_code"}, &out),
              StatusCode::INVALID_ARGUMENT, "institution.division_code");
}

TEST_F(InstitutionTest, UpdateCommunitySetsTheLeadWithVersions) {
  const v1::Community community = NewCommunity("YGT-01");
  const v1::Institution hospital = NewInstitution(
      MakeInstitution(50, "某县人民医院", "A100", TIER_COUNTY, kTown));
  v1::UpdateCommunityRequest request;
  *request.mutable_community() = community;
  request.mutable_community()->set_lead_institution_id(hospital.id());
  request.mutable_community()->set_name("某县紧密型医共体");
  request.mutable_update_mask()->add_paths("lead_institution_id");
  request.mutable_update_mask()->add_paths("name");
  v1::Community updated;
  ASSERT_TRUE(Call(&Stub::UpdateCommunity, request, &updated).ok());
  EXPECT_EQ(updated.lead_institution_id(), hospital.id());
  EXPECT_EQ(updated.name(), "某县紧密型医共体");
  EXPECT_EQ(updated.code(), "YGT-01");
  EXPECT_EQ(updated.version(), 2);
  const common::v1::Event event = Events().back();
  EXPECT_EQ(event.type(), "institution.CommunityUpdated");
  v1::Community payload;
  ASSERT_TRUE(event.payload().UnpackTo(&payload));
  EXPECT_EQ(payload.SerializeAsString(), updated.SerializeAsString());

  ExpectError(Call(&Stub::UpdateCommunity, request, &updated),
              StatusCode::ABORTED, "community.version");
  request.mutable_community()->set_id("com-nope");
  ExpectError(Call(&Stub::UpdateCommunity, request, &updated),
              StatusCode::NOT_FOUND, "community.id");
  request.mutable_community()->set_id(community.id());
  request.mutable_community()->set_version(2);
  request.mutable_community()->set_lead_institution_id("ins-nope");
  ExpectError(Call(&Stub::UpdateCommunity, request, &updated),
              StatusCode::NOT_FOUND, "community.lead_institution_id");
  request.mutable_update_mask()->add_paths("code");
  ExpectError(Call(&Stub::UpdateCommunity, request, &updated),
              StatusCode::INVALID_ARGUMENT, "update_mask");
}

TEST_F(InstitutionTest, ListsFilterAndPage) {
  const v1::Community a = NewCommunity("YGT-A");
  const v1::Community b = NewCommunity("YGT-B");
  v1::Community other;
  other.set_code("YGT-C");
  other.set_name("邻县医共体");
  other.set_county_division_code("360427");
  ASSERT_TRUE(CreateCommunity("req-c", other, &other).ok());

  v1::ListCommunitiesRequest communities;
  communities.set_county_division_code(kCounty);
  communities.mutable_page()->set_page_size(1);
  v1::ListCommunitiesResponse page;
  ASSERT_TRUE(Call(&Stub::ListCommunities, communities, &page).ok());
  ASSERT_EQ(page.communities_size(), 1);
  EXPECT_EQ(page.communities(0).id(), a.id());
  EXPECT_EQ(page.page().total_size(), 2);
  communities.mutable_page()->set_page_token(page.page().next_page_token());
  ASSERT_TRUE(Call(&Stub::ListCommunities, communities, &page).ok());
  ASSERT_EQ(page.communities_size(), 1);
  EXPECT_EQ(page.communities(0).id(), b.id());
  EXPECT_TRUE(page.page().next_page_token().empty());
  communities.set_county_division_code("360427");
  ExpectError(Call(&Stub::ListCommunities, communities, &page),
              StatusCode::INVALID_ARGUMENT, "page.page_token");
  communities.clear_page();
  communities.set_county_division_code("36042");
  ExpectError(Call(&Stub::ListCommunities, communities, &page),
              StatusCode::INVALID_ARGUMENT, "county_division_code");
  communities.clear_county_division_code();
  communities.set_status(static_cast<v1::CommunityStatus>(9));
  ExpectError(Call(&Stub::ListCommunities, communities, &page),
              StatusCode::INVALID_ARGUMENT, "status");
  communities.clear_status();
  communities.mutable_page()->set_page_size(1001);
  ExpectError(Call(&Stub::ListCommunities, communities, &page),
              StatusCode::INVALID_ARGUMENT, "page.page_size");

  const v1::Institution hospital = NewInstitution(
      MakeInstitution(60, "某县人民医院", "A100", TIER_COUNTY, kTown));
  const v1::Institution center = NewInstitution(
      MakeInstitution(61, "某镇中心卫生院", "C210", TIER_TOWNSHIP, kTown));
  const v1::Institution plain = NewInstitution(
      MakeInstitution(62, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown));
  const v1::Institution odd = NewInstitution(
      MakeInstitution(63, "100%_卫生室", "D600", TIER_VILLAGE, kVillage));
  v1::Membership m;
  ASSERT_TRUE(AddMembership("req-m1",
                            MakeMembership(hospital.id(), a.id(), "2024-01-01"),
                            &m)
                  .ok());
  ASSERT_TRUE(
      AddMembership(
          "req-m2",
          MakeMembership(center.id(), a.id(), "2024-01-01", "2024-06-30"), &m)
          .ok());
  struct Case {
    const char* name;
    std::function<void(v1::ListInstitutionsRequest&)> filter;
    std::vector<std::string> ids;
  };
  const Case cases[] = {
      {"all", [](auto&) {}, {hospital.id(), center.id(), plain.id(), odd.id()}},
      {"township tier",
       [](auto& r) { r.set_tier(TIER_TOWNSHIP); },
       {center.id(), plain.id()}},
      {"kind", [](auto& r) { r.set_kind("C220"); }, {plain.id()}},
      {"name contains",
       [](auto& r) { r.set_name_contains("卫生院"); },
       {center.id(), plain.id()}},
      {"wildcards are literal",
       [](auto& r) { r.set_name_contains("%_"); },
       {odd.id()}},
      {"closed",
       [](auto& r) { r.set_status(v1::INSTITUTION_STATUS_CLOSED); },
       {}},
      {"members today",
       [&](auto& r) { r.set_community_id(a.id()); },
       {hospital.id()}},
      {"members on a past day",
       [&](auto& r) {
         r.set_community_id(a.id());
         r.mutable_as_of()->set_value("2024-03-01");
       },
       {hospital.id(), center.id()}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::ListInstitutionsRequest request;
    c.filter(request);
    v1::ListInstitutionsResponse response;
    ASSERT_TRUE(Call(&Stub::ListInstitutions, request, &response).ok());
    std::vector<std::string> ids;
    for (const auto& i : response.institutions()) ids.push_back(i.id());
    EXPECT_EQ(ids, c.ids);
    EXPECT_EQ(response.page().total_size(), static_cast<int64_t>(c.ids.size()));
  }
  v1::ListInstitutionsRequest bad;
  v1::ListInstitutionsResponse response;
  bad.set_kind("X1");
  ExpectError(Call(&Stub::ListInstitutions, bad, &response),
              StatusCode::INVALID_ARGUMENT, "kind");
  bad.clear_kind();
  bad.set_community_id("com-nope");
  ExpectError(Call(&Stub::ListInstitutions, bad, &response),
              StatusCode::NOT_FOUND, "community_id");
  bad.set_community_id(a.id());
  bad.mutable_as_of()->set_value("2024-13-01");
  ExpectError(Call(&Stub::ListInstitutions, bad, &response),
              StatusCode::INVALID_ARGUMENT, "as_of");
  bad.Clear();
  bad.set_tier(static_cast<common::v1::Tier>(9));
  ExpectError(Call(&Stub::ListInstitutions, bad, &response),
              StatusCode::INVALID_ARGUMENT, "tier");
  bad.Clear();
  bad.set_status(static_cast<v1::InstitutionStatus>(9));
  ExpectError(Call(&Stub::ListInstitutions, bad, &response),
              StatusCode::INVALID_ARGUMENT, "status");
}

TEST_F(InstitutionTest, BatchGetKeepsOrderAndIsAllOrNothing) {
  const v1::Institution x = NewInstitution(
      MakeInstitution(70, "某县人民医院", "A100", TIER_COUNTY, kTown));
  const v1::Institution y = NewInstitution(
      MakeInstitution(71, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown));
  v1::BatchGetInstitutionsRequest request;
  for (const auto* id : {&y.id(), &x.id(), &y.id()}) request.add_ids(*id);
  v1::BatchGetInstitutionsResponse response;
  ASSERT_TRUE(Call(&Stub::BatchGetInstitutions, request, &response).ok());
  ASSERT_EQ(response.institutions_size(), 3);
  EXPECT_EQ(response.institutions(0).name(), "乡镇卫生院");
  EXPECT_EQ(response.institutions(1).name(), "某县人民医院");
  EXPECT_EQ(response.institutions(2).id(), y.id());

  request.set_ids(1, "ins-nope");
  ExpectError(Call(&Stub::BatchGetInstitutions, request, &response),
              StatusCode::NOT_FOUND, "ids[1]");
  request.clear_ids();
  ExpectError(Call(&Stub::BatchGetInstitutions, request, &response),
              StatusCode::INVALID_ARGUMENT, "ids");
  for (int i = 0; i < 1001; ++i) request.add_ids(x.id());
  ExpectError(Call(&Stub::BatchGetInstitutions, request, &response),
              StatusCode::INVALID_ARGUMENT, "ids");
  v1::GetInstitutionRequest get;
  get.set_id(x.id());
  v1::Institution one;
  ASSERT_TRUE(Call(&Stub::GetInstitution, get, &one).ok());
  EXPECT_EQ(one.SerializeAsString(), x.SerializeAsString());
  get.set_id("ins-nope");
  ExpectError(Call(&Stub::GetInstitution, get, &one), StatusCode::NOT_FOUND,
              "id");
}

TEST_F(InstitutionTest, MembershipsNeverOverlap) {
  const v1::Community a = NewCommunity("YGT-A");
  const v1::Community b = NewCommunity("YGT-B");
  const v1::Institution center = NewInstitution(
      MakeInstitution(80, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown));
  const v1::Institution far = NewInstitution(MakeInstitution(
      81, "邻县乡镇卫生院", "C220", TIER_TOWNSHIP, kOtherCountyTown));
  v1::Membership first;
  ASSERT_TRUE(AddMembership("req-1",
                            MakeMembership(center.id(), a.id(), "2024-01-01"),
                            &first)
                  .ok());
  EXPECT_EQ(first.id().rfind("mem-", 0), 0u);
  EXPECT_FALSE(first.has_valid_to());
  v1::Membership repeat;  // a replay, not an overlap with itself
  ASSERT_TRUE(AddMembership("req-1",
                            MakeMembership(center.id(), a.id(), "2024-01-01"),
                            &repeat)
                  .ok());
  EXPECT_EQ(repeat.id(), first.id());

  struct Case {
    const char* name;
    v1::Membership membership;
    StatusCode code;
    const char* field;
  };
  v1::Membership loose = MakeMembership(center.id(), b.id(), "2025-01-01");
  loose.set_kind(v1::MEMBERSHIP_KIND_UNSPECIFIED);
  const Case cases[] = {
      {"overlaps the open membership",
       MakeMembership(center.id(), b.id(), "2030-01-01"),
       StatusCode::FAILED_PRECONDITION, "membership.valid_from"},
      {"same community again",
       MakeMembership(center.id(), a.id(), "2023-06-01", "2024-01-01"),
       StatusCode::FAILED_PRECONDITION, "membership.valid_from"},
      {"outside the county", MakeMembership(far.id(), a.id(), "2024-01-01"),
       StatusCode::INVALID_ARGUMENT, "membership.institution_id"},
      {"unknown institution", MakeMembership("ins-nope", a.id(), "2024-01-01"),
       StatusCode::NOT_FOUND, "membership.institution_id"},
      {"unknown community", MakeMembership(center.id(), "com-no", "2024-01-01"),
       StatusCode::NOT_FOUND, "membership.community_id"},
      {"no kind", loose, StatusCode::INVALID_ARGUMENT, "membership.kind"},
      {"ends before it starts",
       MakeMembership(center.id(), b.id(), "2023-02-01", "2023-01-31"),
       StatusCode::INVALID_ARGUMENT, "membership.valid_to"},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Membership out;
    ExpectError(
        AddMembership("req-bad-" + std::to_string(n++), c.membership, &out),
        c.code, c.field);
  }

  v1::EndMembershipRequest end;
  end.set_id(first.id());
  end.mutable_valid_to()->set_value("2023-12-31");
  v1::Membership ended;
  ExpectError(Call(&Stub::EndMembership, end, &ended),
              StatusCode::INVALID_ARGUMENT, "valid_to");
  end.mutable_valid_to()->set_value("2024-12-31");
  ASSERT_TRUE(Call(&Stub::EndMembership, end, &ended).ok());
  EXPECT_EQ(ended.valid_to().value(), "2024-12-31");
  ExpectError(Call(&Stub::EndMembership, end, &ended),
              StatusCode::FAILED_PRECONDITION, "id");
  end.set_id("mem-nope");
  ExpectError(Call(&Stub::EndMembership, end, &ended), StatusCode::NOT_FOUND,
              "id");
  end.clear_valid_to();
  ExpectError(Call(&Stub::EndMembership, end, &ended),
              StatusCode::INVALID_ARGUMENT, "valid_to");

  // The day after the end is free again, in another community.
  v1::Membership second;
  ASSERT_TRUE(AddMembership("req-2",
                            MakeMembership(center.id(), b.id(), "2025-01-01"),
                            &second)
                  .ok());

  v1::ListMembershipsRequest list;
  list.set_institution_id(center.id());
  v1::ListMembershipsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListMemberships, list, &listed).ok());
  ASSERT_EQ(listed.memberships_size(), 2);
  EXPECT_EQ(listed.memberships(0).id(), first.id());
  EXPECT_EQ(listed.memberships(1).id(), second.id());
  list.mutable_as_of()->set_value("2024-06-01");
  ASSERT_TRUE(Call(&Stub::ListMemberships, list, &listed).ok());
  ASSERT_EQ(listed.memberships_size(), 1);
  EXPECT_EQ(listed.memberships(0).community_id(), a.id());
  list.clear_institution_id();
  list.set_community_id(b.id());
  ASSERT_TRUE(Call(&Stub::ListMemberships, list, &listed).ok());
  EXPECT_EQ(listed.memberships_size(), 0);
  list.clear_community_id();
  ExpectError(Call(&Stub::ListMemberships, list, &listed),
              StatusCode::INVALID_ARGUMENT, "institution_id");
  list.set_community_id("com-nope");
  ExpectError(Call(&Stub::ListMemberships, list, &listed),
              StatusCode::NOT_FOUND, "community_id");

  std::vector<std::string> types;
  for (const auto& e : Events()) types.push_back(e.type());
  const std::vector<std::string> expected = {
      "institution.CommunityCreated",   "institution.CommunityCreated",
      "institution.InstitutionCreated", "institution.InstitutionCreated",
      "institution.MembershipAdded",    "institution.MembershipEnded",
      "institution.MembershipAdded"};
  EXPECT_EQ(types, expected);
  v1::Membership payload;
  ASSERT_TRUE(Events()[5].payload().UnpackTo(&payload));
  EXPECT_EQ(payload.valid_to().value(), "2024-12-31");
}

TEST_F(InstitutionTest, ClosedInstitutionsAndCommunitiesTakeNoMembers) {
  const v1::Community community = NewCommunity("YGT-A");
  v1::Institution hospital = NewInstitution(
      MakeInstitution(85, "某县人民医院", "A100", TIER_COUNTY, kTown));
  const v1::Institution center = NewInstitution(
      MakeInstitution(86, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown));
  hospital.set_status(v1::INSTITUTION_STATUS_CLOSED);
  ASSERT_TRUE(UpdateInstitution(hospital, {"status"}, &hospital).ok());
  EXPECT_EQ(hospital.status(), v1::INSTITUTION_STATUS_CLOSED);
  v1::Membership out;
  ExpectError(
      AddMembership("req-h",
                    MakeMembership(hospital.id(), community.id(), "2024-01-01"),
                    &out),
      StatusCode::FAILED_PRECONDITION, "membership.institution_id");

  v1::UpdateCommunityRequest update;
  *update.mutable_community() = community;
  update.mutable_community()->set_lead_institution_id(hospital.id());
  update.mutable_update_mask()->add_paths("lead_institution_id");
  v1::Community updated;
  ExpectError(Call(&Stub::UpdateCommunity, update, &updated),
              StatusCode::FAILED_PRECONDITION, "community.lead_institution_id");
  update.mutable_community()->set_status(v1::COMMUNITY_STATUS_CLOSED);
  update.mutable_update_mask()->set_paths(0, "status");
  ASSERT_TRUE(Call(&Stub::UpdateCommunity, update, &updated).ok());
  ExpectError(
      AddMembership("req-c",
                    MakeMembership(center.id(), community.id(), "2024-01-01"),
                    &out),
      StatusCode::FAILED_PRECONDITION, "membership.community_id");
}

TEST_F(InstitutionTest, ConcurrentMembershipsOfOneInstitutionAdmitOne) {
  std::vector<v1::Community> communities;
  for (int i = 0; i < 6; ++i) {
    communities.push_back(NewCommunity("YGT-" + std::to_string(i)));
  }
  const v1::Institution clinic = NewInstitution(
      MakeInstitution(90, "某村卫生室", "D600", TIER_VILLAGE, kVillage));
  std::atomic<int> added{0}, refused{0};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < communities.size(); ++i) {
    threads.emplace_back([&, i] {
      v1::Membership out;
      const grpc::Status status = AddMembership(
          "req-" + std::to_string(i),
          MakeMembership(clinic.id(), communities[i].id(), "2024-01-01"), &out);
      if (status.ok()) ++added;
      if (status.error_code() == StatusCode::FAILED_PRECONDITION) ++refused;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(added.load(), 1);
  EXPECT_EQ(refused.load(), 5);
}

}  // namespace
}  // namespace cmc::institution
