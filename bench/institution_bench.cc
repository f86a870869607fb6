// Loads the reference county of ../shared/domain.md through the institution
// service (an in-process server on a private MariaDB, called over gRPC like
// any client) and measures ListSubtree for the whole community.
//
//   build-inst/bench/cmc_institution_bench [calls=200] [load_threads=4]
//       [unary|import]
//
// Staff are loaded with concurrent CreateStaff calls (unary, the default) or
// with one ImportStaff stream in IMPORT_MODE_ALL_OR_NOTHING (import). Prints
// the load time per phase and ListSubtree latency percentiles; the
// results are recorded in docs/benchmarks.md. Exits 1 when a call fails or the
// tree read back does not hold the whole county.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/db/migrations.h"
#include "common/outbox/outbox.h"
#include "common/server/server.h"
#include "common/testing/mariadb.h"
#include "services/institution/institution_service.h"

namespace cmc::institution {
const std::vector<db::Migration>& Migrations();
namespace {

using Clock = std::chrono::steady_clock;
using Stub = v1::InstitutionService::Stub;

// The reference county (domain.md §1): 1 lead hospital, 3 public-health
// institutions, 9 township centers, 322 village clinics and stations, ~330
// villages, 5,248 staff of whom 1,991 physicians and 1,659 nurses.
constexpr int kTownships = 9;
constexpr int kClinics = 322;
constexpr int kVillages = 330;
constexpr int kStaff = 5248;
constexpr int kPhysicians = 1991;
constexpr int kNurses = 1659;
constexpr char kCounty[] = "360426";

[[noreturn]] void Fail(const std::string& what, const grpc::Status& status) {
  std::fprintf(stderr, "%s: %d %s\n", what.c_str(),
               static_cast<int>(status.error_code()),
               status.error_message().c_str());
  std::exit(1);
}

std::string Uscc(int n) {
  const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const std::string org = absl::StrFormat("%08d", n);
  const int org_weights[] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (org[i] - '0') * org_weights[i];
  const int check = 11 - sum % 11;
  std::string code = std::string("12") + kCounty + org;
  code += check == 10   ? 'X'
          : check == 11 ? '0'
                        : static_cast<char>('0' + check);
  const int weights[] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                         29, 25, 13, 8,  24, 10, 30, 28};
  sum = 0;
  for (int i = 0; i < 17; ++i) {
    sum += static_cast<int>(alphabet.find(code[i])) * weights[i];
  }
  return code + alphabet[(31 - sum % 31) % 31];
}

// Distinct valid resident IDs: a birth day from 1960 on and a sequence.
std::string ResidentId(int n) {
  const absl::CivilDay birth = absl::CivilDay(1960, 1, 1) + n / 10;
  std::string id = absl::StrFormat("%s%04d%02d%02d%03d", kCounty, birth.year(),
                                   birth.month(), birth.day(), n % 10);
  const int weights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (id[i] - '0') * weights[i];
  return id + "10X98765432"[sum % 11];
}

std::string TownshipCode(int t) {
  return absl::StrFormat("%s%03d000", kCounty, 101 + t);
}
std::string VillageCode(int v) {
  return absl::StrFormat("%s%03d%03d", kCounty, 101 + v % kTownships,
                         201 + v / kTownships);
}

class Loader {
 public:
  explicit Loader(Stub* stub) : stub_(stub) {}

  template <typename Request, typename Response, typename Method>
  void Call(const char* what, Method method, const Request& request,
            Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    const grpc::Status status = (stub_->*method)(&context, request, response);
    if (!status.ok()) Fail(what, status);
  }

  v1::Institution Institution(int n, const std::string& name, const char* kind,
                              common::v1::Tier tier,
                              const std::string& division,
                              const std::string& parent) {
    v1::CreateInstitutionRequest request;
    request.set_request_id(absl::StrFormat("ins-%d", n));
    v1::Institution* i = request.mutable_institution();
    i->set_uscc(Uscc(n));
    i->set_name(name);
    i->set_kind(kind);
    i->set_tier(tier);
    i->set_division_code(division);
    i->set_parent_institution_id(parent);
    v1::Institution out;
    Call("CreateInstitution", &Stub::CreateInstitution, request, &out);
    v1::AddMembershipRequest join;
    join.set_request_id(absl::StrFormat("mem-%d", n));
    join.mutable_membership()->set_institution_id(out.id());
    join.mutable_membership()->set_community_id(community_id_);
    join.mutable_membership()->set_kind(v1::MEMBERSHIP_KIND_CLOSE_KNIT);
    join.mutable_membership()->mutable_valid_from()->set_value("2024-01-01");
    v1::Membership membership;
    Call("AddMembership", &Stub::AddMembership, join, &membership);
    return out;
  }

  std::string community_id_;

 private:
  Stub* stub_;
};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Runs `body(i)` for i in [0, n) on `threads` threads.
void Parallel(int n, int threads, const std::function<void(int)>& body) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++) body(i);
    });
  }
  for (auto& thread : pool) thread.join();
}

int Run(int calls, int threads, bool import_staff) {
  auto database = testing::MariaDb::StartPrivate();
  DbConfig config = database->NewDatabase("bench");
  config.pool_size = 8;
  auto pool = db::Pool::Create(config);
  if (!db::ApplyMigrations(*pool, "outbox", outbox::Migrations()).ok() ||
      !db::ApplyMigrations(*pool, "institution", Migrations()).ok()) {
    std::fprintf(stderr, "migrations failed\n");
    return 1;
  }
  InstitutionService service(pool.get(), InstitutionService::Options());
  ServerOptions options;
  options.service_name = "institution";
  options.listen_host = "127.0.0.1";
  Server server(options);
  server.AddService(&service, v1::InstitutionService::service_full_name());
  if (!server.Start().ok()) return 1;
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(16 << 20);
  auto stub = v1::InstitutionService::NewStub(grpc::CreateCustomChannel(
      absl::StrFormat("127.0.0.1:%d", server.grpc_port()),
      grpc::InsecureChannelCredentials(), arguments));
  Loader load(stub.get());

  auto start = Clock::now();
  v1::CreateCommunityRequest community;
  community.set_request_id("community");
  community.mutable_community()->set_code("REF-COUNTY");
  community.mutable_community()->set_name("参考县医共体");
  community.mutable_community()->set_county_division_code(kCounty);
  v1::Community created;
  load.Call("CreateCommunity", &Stub::CreateCommunity, community, &created);
  load.community_id_ = created.id();
  const std::string county_seat = TownshipCode(0);
  std::vector<v1::Institution> county = {load.Institution(
      1, "参考县人民医院", "A100", common::v1::TIER_COUNTY, county_seat, "")};
  const char* public_health[] = {"J100", "K100", "G100"};
  for (int i = 0; i < 3; ++i) {
    county.push_back(load.Institution(
        2 + i, absl::StrFormat("公共卫生机构%d", i), public_health[i],
        common::v1::TIER_COUNTY, county_seat, ""));
  }
  std::vector<v1::Institution> townships(kTownships);
  Parallel(kTownships, threads, [&](int t) {
    townships[t] =
        load.Institution(10 + t, absl::StrFormat("第%d镇中心卫生院", t + 1),
                         t < 3 ? "C210" : "C220", common::v1::TIER_TOWNSHIP,
                         TownshipCode(t), county[0].id());
  });
  std::vector<v1::Institution> clinics(kClinics);
  Parallel(kClinics, threads, [&](int c) {
    clinics[c] = load.Institution(
        100 + c, absl::StrFormat("第%d村卫生室", c + 1),
        c % 10 == 0 ? "B200" : "D600", common::v1::TIER_VILLAGE, VillageCode(c),
        townships[c % kTownships].id());
  });
  const double institutions_s = Seconds(start);

  start = Clock::now();
  Parallel(kVillages, threads, [&](int v) {
    v1::CreateVillageRequest request;
    request.set_request_id(absl::StrFormat("vil-%d", v));
    v1::Village* village = request.mutable_village();
    village->set_community_id(load.community_id_);
    village->set_division_code(VillageCode(v));
    village->set_name(absl::StrFormat("第%d村", v + 1));
    village->set_population(2317);  // 764,600 residents / 330 villages
    village->set_township_center_id(townships[v % kTownships].id());
    if (v < kClinics) village->set_village_clinic_id(clinics[v].id());
    village->set_has_resident_village_doctor(v < kClinics);
    v1::Village out;
    load.Call("CreateVillage", &Stub::CreateVillage, request, &out);
  });
  const double villages_s = Seconds(start);

  start = Clock::now();
  auto staff_row = [&](int s) {
    v1::Staff staff;
    staff.set_resident_id(ResidentId(s));
    staff.set_name(absl::StrFormat("职工%d", s));
    if (s < kPhysicians) {
      staff.set_qualification(v1::QUALIFICATION_PRACTISING_PHYSICIAN);
      staff.set_title_code(absl::StrFormat("23%d", 1 + s % 5));
      staff.set_general_practitioner(s % 7 == 0);
    } else if (s < kPhysicians + kNurses) {
      staff.set_qualification(v1::QUALIFICATION_REGISTERED_NURSE);
      staff.set_title_code(absl::StrFormat("25%d", 1 + s % 5));
    } else {
      staff.set_qualification(v1::QUALIFICATION_OTHER);
    }
    // Half at the county institutions, a third at the townships, the rest in
    // the villages.
    staff.set_institution_id(s % 6 < 3   ? county[s % 4].id()
                             : s % 6 < 5 ? townships[s % kTownships].id()
                                         : clinics[s % kClinics].id());
    return staff;
  };
  if (import_staff) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(120));
    v1::ImportResponse imported;
    auto writer = stub->ImportStaff(&context, &imported);
    for (int s = 0; s < kStaff; ++s) {
      v1::ImportStaffRequest row;
      if (s == 0) row.set_mode(v1::IMPORT_MODE_ALL_OR_NOTHING);
      *row.mutable_staff() = staff_row(s);
      writer->Write(row);
    }
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    if (!status.ok()) Fail("ImportStaff", status);
    if (imported.imported() != kStaff) {
      std::fprintf(stderr, "ImportStaff imported %d, first error: %s\n",
                   imported.imported(),
                   imported.errors().empty()
                       ? ""
                       : imported.errors(0).message().c_str());
      return 1;
    }
  } else {
    Parallel(kStaff, threads, [&](int s) {
      v1::CreateStaffRequest request;
      request.set_request_id(absl::StrFormat("stf-%d", s));
      *request.mutable_staff() = staff_row(s);
      v1::Staff out;
      load.Call("CreateStaff", &Stub::CreateStaff, request, &out);
    });
  }
  const double staff_s = Seconds(start);

  v1::ListSubtreeRequest subtree;
  subtree.mutable_org()->set_community_id(load.community_id_);
  v1::ListSubtreeResponse tree;
  load.Call("ListSubtree", &Stub::ListSubtree, subtree, &tree);
  if (tree.institution_count() != 4 + kTownships + kClinics ||
      tree.village_count() != kVillages || tree.roots_size() != 4 ||
      tree.unplaced_villages_size() != 0) {
    std::fprintf(stderr, "the tree does not hold the county: %d, %d\n",
                 tree.institution_count(), tree.village_count());
    return 1;
  }
  v1::GetStaffingSummaryRequest summary_request;
  *summary_request.mutable_org() = subtree.org();
  v1::GetStaffingSummaryResponse summary;
  load.Call("GetStaffingSummary", &Stub::GetStaffingSummary, summary_request,
            &summary);
  if (summary.total() != kStaff) {
    std::fprintf(stderr, "summary counts %d staff\n", summary.total());
    return 1;
  }

  std::vector<double> ms;
  for (int i = 0; i < calls; ++i) {
    const auto begin = Clock::now();
    load.Call("ListSubtree", &Stub::ListSubtree, subtree, &tree);
    ms.push_back(Seconds(begin) * 1000);
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  std::printf(
      "load: institutions+memberships %.1f s (%d), villages %.1f s (%d),"
      " staff %.1f s (%d, %s), %d client threads\n",
      institutions_s, 4 + kTownships + kClinics, villages_s, kVillages, staff_s,
      kStaff,
      import_staff ? "one ImportStaff stream, all or nothing"
                   : "CreateStaff calls",
      threads);
  std::printf(
      "ListSubtree(community), %d calls, %zu bytes: p50 %.2f ms, "
      "p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      calls, tree.ByteSizeLong(), at(0.50), at(0.90), at(0.99), ms.back());
  server.Shutdown();
  return 0;
}

}  // namespace
}  // namespace cmc::institution

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::atoi(argv[1]) : 200;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 4;
  const std::string staff = argc > 3 ? argv[3] : "unary";
  if (calls <= 0 || threads <= 0 || (staff != "unary" && staff != "import")) {
    std::fprintf(stderr,
                 "usage: %s [calls>0] [load_threads>0] [unary|import]\n",
                 argv[0]);
    return 2;
  }
  return cmc::institution::Run(calls, threads, staff == "import");
}
