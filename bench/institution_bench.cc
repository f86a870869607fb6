// Loads the reference county of ../shared/domain.md through the institution
// service (an in-process server on a private MariaDB, called over gRPC like
// any client) and measures ListSubtree for the whole community.
//
//   build-inst/bench/cmc_institution_bench [calls=200] [load_threads=4]
//       [unary|import]
//
// Staff are loaded with concurrent CreateStaff calls (unary, the default) or
// with one ImportStaff stream in IMPORT_MODE_ALL_OR_NOTHING (import). Prints
// the load time per phase and ListSubtree latency percentiles, anonymous and as
// a community-scoped administrator; the results are recorded in
// docs/benchmarks.md. Exits 1 when a call fails or the tree read back does not
// hold the whole county.
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
#include "common/identity/principal.h"
#include "common/outbox/outbox.h"
#include "common/server/server.h"
#include "common/service/idempotency.h"
#include "common/testing/mariadb.h"
#include "common/testing/reference_county.h"
#include "services/institution/institution_service.h"
#include "services/institution/mysql_stores.h"

namespace cmc::institution {
const std::vector<db::Migration>& Migrations();
namespace {

using Clock = std::chrono::steady_clock;
using Stub = v1::InstitutionService::Stub;

// The reference county (domain.md §1, common/testing/reference_county.h).
using reference::kClinics;
using reference::kCountyTier;
using reference::kInstitutions;
using reference::kStaff;
using reference::kTownships;
using reference::kVillages;

[[noreturn]] void Fail(const std::string& what, const grpc::Status& status) {
  std::fprintf(stderr, "%s: %d %s\n", what.c_str(),
               static_cast<int>(status.error_code()),
               status.error_message().c_str());
  std::exit(1);
}

class Loader {
 public:
  explicit Loader(Stub* stub) : stub_(stub) {}

  // Calls `method` as `who` (anonymous, i.e. unrestricted, by default).
  template <typename Request, typename Response, typename Method>
  void Call(const char* what, Method method, const Request& request,
            Response* response, const Principal& who = Principal()) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    AttachPrincipal(who, &context);
    const grpc::Status status = (stub_->*method)(&context, request, response);
    if (!status.ok()) Fail(what, status);
  }

  // Registers row `n` of reference::Institutions() under `parent` and makes it
  // a member of the community.
  v1::Institution Institution(int n, const reference::InstitutionRow& row,
                              const std::string& parent) {
    v1::CreateInstitutionRequest request;
    request.set_request_id(absl::StrFormat("ins-%d", n));
    *request.mutable_institution() = row.institution;
    request.mutable_institution()->set_parent_institution_id(parent);
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
      !db::ApplyMigrations(*pool, "requests", requests::Migrations()).ok() ||
      !db::ApplyMigrations(*pool, "institution", Migrations()).ok()) {
    std::fprintf(stderr, "migrations failed\n");
    return 1;
  }
  MysqlStores stores(pool.get());
  InstitutionService service(stores.stores(), InstitutionService::Options());
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
  community.mutable_community()->set_county_division_code(
      reference::kCountyCode);
  v1::Community created;
  load.Call("CreateCommunity", &Stub::CreateCommunity, community, &created);
  load.community_id_ = created.id();
  const std::vector<reference::InstitutionRow> rows = reference::Institutions();
  std::vector<std::string> ids(kInstitutions);
  auto load_row = [&](int i) {
    const int parent = rows[i].parent;
    ids[i] = load.Institution(i, rows[i], parent < 0 ? "" : ids[parent]).id();
  };
  // Parents first: the county tier, then the townships, then the clinics.
  for (int i = 0; i < kCountyTier; ++i) load_row(i);
  Parallel(kTownships, threads,
           [&](int t) { load_row(reference::TownshipIndex(t)); });
  Parallel(kClinics, threads,
           [&](int c) { load_row(reference::ClinicIndex(c)); });
  const double institutions_s = Seconds(start);

  start = Clock::now();
  Parallel(kVillages, threads, [&](int v) {
    v1::CreateVillageRequest request;
    request.set_request_id(absl::StrFormat("vil-%d", v));
    *request.mutable_village() = reference::Village(v, load.community_id_, ids);
    v1::Village out;
    load.Call("CreateVillage", &Stub::CreateVillage, request, &out);
  });
  const double villages_s = Seconds(start);

  start = Clock::now();
  auto staff_row = [&](int s) { return reference::Staff(s, ids); };
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
  if (tree.institution_count() != kInstitutions ||
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

  // ListSubtree latencies (ms, sorted) as `who`: anonymous callers skip the
  // scope; a community-scoped one costs one more query (the members).
  auto measure = [&](const Principal& who) {
    std::vector<double> ms;
    for (int i = 0; i < calls; ++i) {
      const auto begin = Clock::now();
      load.Call("ListSubtree", &Stub::ListSubtree, subtree, &tree, who);
      ms.push_back(Seconds(begin) * 1000);
    }
    std::sort(ms.begin(), ms.end());
    return ms;
  };
  Principal admin;
  admin.subject = "user:bench";
  admin.roles.insert("community_admin");
  admin.communities.insert(load.community_id_);
  const std::vector<double> anonymous_ms = measure(Principal());
  const std::vector<double> scoped_ms = measure(admin);
  if (tree.institution_count() != kInstitutions) {
    std::fprintf(stderr, "the scoped tree holds %d institutions\n",
                 tree.institution_count());
    return 1;
  }
  std::printf(
      "load: institutions+memberships %.1f s (%d), villages %.1f s (%d),"
      " staff %.1f s (%d, %s), %d client threads\n",
      institutions_s, kInstitutions, villages_s, kVillages, staff_s, kStaff,
      import_staff ? "one ImportStaff stream, all or nothing"
                   : "CreateStaff calls",
      threads);
  for (const auto& [who, ms] :
       {std::make_pair("anonymous", &anonymous_ms),
        std::make_pair("community-scoped admin", &scoped_ms)}) {
    auto at = [&](double q) {
      return (
          *ms)[std::min(ms->size() - 1, static_cast<size_t>(q * ms->size()))];
    };
    std::printf(
        "ListSubtree(community) as %s, %d calls, %zu bytes: p50 %.2f ms, "
        "p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
        who, calls, tree.ByteSizeLong(), at(0.50), at(0.90), at(0.99),
        ms->back());
  }
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
