// The fixture of the institution service's integration tests: an in-process
// server on a fresh schema of the shared MariaDB, called with the generated
// stub as user:tester, plus builders of valid resources and an assertion on
// the code and the field an error names. The default caller (Call) is
// unrestricted; CallAs takes any principal. SetToday moves the service's
// "today" (the day changes take effect in the history) to a fixed day.
//
//   TEST_F(InstitutionTest, Something) {
//     const v1::Community community = NewCommunity("YGT-01");
//     ExpectError(CreateInstitution("req-1", bad, &out),
//                 grpc::StatusCode::INVALID_ARGUMENT, "institution.uscc");
//   }
#ifndef CMC_TESTS_INTEGRATION_INSTITUTION_FIXTURE_H_
#define CMC_TESTS_INTEGRATION_INSTITUTION_FIXTURE_H_

#include <cppconn/connection.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/db/migrations.h"
#include "common/db/transaction.h"
#include "common/identity/principal.h"
#include "common/outbox/outbox.h"
#include "common/server/server.h"
#include "common/service/county_time.h"
#include "common/service/idempotency.h"
#include "common/status.h"
#include "common/testing/mariadb.h"
#include "common/validators/validators.h"
#include "services/institution/institution_service.h"
#include "services/institution/mysql_stores.h"

namespace cmc::institution {

const std::vector<db::Migration>& Migrations();  // generated from migrations/

using common::v1::TIER_COUNTY;
using common::v1::TIER_TOWNSHIP;
using common::v1::TIER_VILLAGE;
using grpc::StatusCode;

inline constexpr char kCounty[] = "360426";
inline constexpr char kTown[] = "360426100000";
inline constexpr char kVillage[] = "360426100201";
inline constexpr char kOtherCountyTown[] = "360427100000";

// A valid USCC (GB 32100 with its GB 11714 organization code) for each `n`.
inline std::string MakeUscc(int n) { return cmc::MakeUscc(kCounty, n); }

// A valid resident ID (GB 11643) of kCounty, born on `birth` (YYYYMMDD), with
// sequence number `n` % 1000 (odd: male, even: female).
inline std::string MakeResidentId(int n, const char* birth = "19850315") {
  int year = 0, month = 0, day = 0;
  std::sscanf(birth, "%4d%2d%2d", &year, &month, &day);
  return cmc::MakeResidentId(kCounty, absl::CivilDay(year, month, day), n);
}

inline v1::Staff MakeStaff(
    int n, const std::string& institution_id,
    v1::Qualification qualification = v1::QUALIFICATION_PRACTISING_PHYSICIAN,
    const char* title_code = "") {
  v1::Staff s;
  s.set_resident_id(MakeResidentId(n));
  s.set_name("张医生");
  s.set_qualification(qualification);
  s.set_title_code(title_code);
  s.set_institution_id(institution_id);
  return s;
}

inline v1::Institution MakeInstitution(int n, const char* name,
                                       const char* kind, common::v1::Tier tier,
                                       const char* division) {
  v1::Institution i;
  i.set_uscc(MakeUscc(n));
  i.set_name(name);
  i.set_kind(kind);
  i.set_tier(tier);
  i.set_division_code(division);
  return i;
}

inline v1::Membership MakeMembership(const std::string& institution_id,
                                     const std::string& community_id,
                                     const char* from,
                                     const char* to = nullptr) {
  v1::Membership m;
  m.set_institution_id(institution_id);
  m.set_community_id(community_id);
  m.set_kind(v1::MEMBERSHIP_KIND_CLOSE_KNIT);
  m.mutable_valid_from()->set_value(from);
  if (to != nullptr) m.mutable_valid_to()->set_value(to);
  return m;
}

inline v1::Village MakeVillage(const std::string& community_id,
                               const char* division, const char* name,
                               const std::string& township_center_id) {
  v1::Village v;
  v.set_community_id(community_id);
  v.set_division_code(division);
  v.set_name(name);
  v.set_population(1200);
  v.set_township_center_id(township_center_id);
  return v;
}

// The code and the field named by the BadRequest detail.
inline void ExpectError(const grpc::Status& status, StatusCode code,
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
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "requests", requests::Migrations()).ok());
    ASSERT_TRUE(db::ApplyMigrations(*pool_, "institution", Migrations()).ok());
    InstitutionService::Options service_options;
    // Noon of the fixture's day in the county, so that SetToday moves it.
    service_options.call.clock = CountyClock(
        [this] { return CountyDayStart(Today()) + absl::Hours(12); });
    stores_ = std::make_unique<MysqlStores>(pool_.get());
    service_ = std::make_unique<InstitutionService>(stores_->stores(),
                                                    service_options);
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

  // The calls that follow are made on `day` (Asia/Shanghai) as far as the
  // service can tell; until the first call, on the real date.
  void SetToday(absl::CivilDay day) {
    std::lock_guard<std::mutex> lock(today_mu_);
    today_ = day;
  }
  absl::CivilDay Today() {
    std::lock_guard<std::mutex> lock(today_mu_);
    if (today_.has_value()) return *today_;
    return absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 60 * 60));
  }

  // Calls `method` with a fresh context as `who`.
  template <typename Request, typename Response, typename Method>
  grpc::Status CallAs(const Principal& who, Method method,
                      const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    AttachPrincipal(who, &context);
    return ((*stub_).*method)(&context, request, response);
  }
  // Calls `method` as user:tester, who has no roles and the whole county as
  // scope (an unrestricted caller, as every call was before org scopes).
  template <typename Request, typename Response, typename Method>
  grpc::Status Call(Method method, const Request& request, Response* response) {
    Principal who;
    who.subject = "user:tester";
    who.whole_county = true;
    return CallAs(who, method, request, response);
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

  grpc::Status CreateVillage(const std::string& request_id,
                             const v1::Village& village, v1::Village* out) {
    v1::CreateVillageRequest request;
    request.set_request_id(request_id);
    *request.mutable_village() = village;
    return Call(&Stub::CreateVillage, request, out);
  }
  v1::Village NewVillage(const v1::Village& village) {
    v1::Village out;
    const grpc::Status status =
        CreateVillage("req-" + village.division_code(), village, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  grpc::Status UpdateVillage(const v1::Village& village,
                             std::vector<std::string> paths, v1::Village* out) {
    v1::UpdateVillageRequest request;
    *request.mutable_village() = village;
    for (auto& p : paths) request.mutable_update_mask()->add_paths(p);
    return Call(&Stub::UpdateVillage, request, out);
  }

  grpc::Status CreateStaff(const std::string& request_id,
                           const v1::Staff& staff, v1::Staff* out) {
    v1::CreateStaffRequest request;
    request.set_request_id(request_id);
    *request.mutable_staff() = staff;
    return Call(&Stub::CreateStaff, request, out);
  }
  v1::Staff NewStaff(const v1::Staff& staff) {
    v1::Staff out;
    const grpc::Status status =
        CreateStaff("req-" + staff.resident_id(), staff, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  grpc::Status UpdateStaff(const v1::Staff& staff,
                           std::vector<std::string> paths, v1::Staff* out) {
    v1::UpdateStaffRequest request;
    *request.mutable_staff() = staff;
    for (auto& p : paths) request.mutable_update_mask()->add_paths(p);
    return Call(&Stub::UpdateStaff, request, out);
  }

  grpc::Status CreatePosting(const std::string& request_id,
                             const std::string& staff_id,
                             const std::string& to_institution_id,
                             const char* start, const char* end,
                             v1::Posting* out) {
    v1::CreatePostingRequest request;
    request.set_request_id(request_id);
    v1::Posting* posting = request.mutable_posting();
    posting->set_staff_id(staff_id);
    posting->set_to_institution_id(to_institution_id);
    if (start != nullptr) posting->mutable_start_date()->set_value(start);
    if (end != nullptr) posting->mutable_end_date()->set_value(end);
    return Call(&Stub::CreatePosting, request, out);
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
  std::mutex today_mu_;
  std::optional<absl::CivilDay> today_;  // guarded by today_mu_
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<MysqlStores> stores_;
  std::unique_ptr<InstitutionService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Stub> stub_;
};

}  // namespace cmc::institution

#endif  // CMC_TESTS_INTEGRATION_INSTITUTION_FIXTURE_H_
