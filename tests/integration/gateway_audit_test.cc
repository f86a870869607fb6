// The gateway's audit trail against a real MariaDB: the asynchronous writer
// (batches, drops when full, flush on stop, retention purge) and
// ListAuditRecords served through the gateway's access control.
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmc/gateway/v1/gateway.grpc.pb.h"
#include "common/db/migrations.h"
#include "common/identity/jwt.h"
#include "common/server/server.h"
#include "common/status.h"
#include "common/testing/mariadb.h"
#include "services/gateway/access_control.h"
#include "services/gateway/audit_store.h"
#include "services/gateway/audit_writer.h"
#include "services/gateway/gateway_service.h"

namespace cmc::gateway {
const std::vector<db::Migration>& Migrations();

namespace {

using google::protobuf::util::TimeUtil;
using testing::MariaDb;

const std::string kSecret = "gateway-audit-test-secret-0123456789";
const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

v1::AuditRecord Record(const std::string& subject, const std::string& method,
                       const std::string& code, absl::Time time) {
  v1::AuditRecord record;
  *record.mutable_time() =
      TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(time));
  record.set_subject(subject);
  record.add_roles("clinician");
  record.add_roles("township_admin");
  record.set_method(method);
  record.set_request_id("req-" + subject);
  record.set_code(code);
  record.set_latency_ms(12);
  record.set_peer("ipv4:127.0.0.1:4000");
  return record;
}

class GatewayAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig config = MariaDb::Shared().NewDatabase("gateway_audit");
    config.pool_size = 4;
    pool_ = db::Pool::Create(config);
    ASSERT_TRUE(db::ApplyMigrations(*pool_, "gateway", Migrations()).ok());
  }

  std::vector<v1::AuditRecord> All() {
    AuditQuery query;
    query.page_size = 1000;
    auto page =
        QueryAuditRecords(*pool_, query, absl::Now() + absl::Seconds(5));
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return {};
    return {page->records().begin(), page->records().end()};
  }

  std::unique_ptr<db::Pool> pool_;
};

TEST_F(GatewayAuditTest, WriterStoresEveryRecordAndFlushesOnStop) {
  AuditWriterOptions options;
  options.batch_size = 7;
  options.flush_interval = absl::Seconds(30);  // only Stop can flush a part
  AuditWriter writer(pool_.get(), options, nullptr);
  writer.Start();
  for (int i = 0; i < 20; ++i) {
    writer.Record(Record(absl::StrCat("user:", i), "cmc.demo.v1.Demo/Put", "OK",
                         kT0 + absl::Seconds(i)));
  }
  writer.Stop();
  EXPECT_EQ(writer.written(), 20);
  EXPECT_EQ(writer.dropped(), 0);
  const std::vector<v1::AuditRecord> stored = All();
  ASSERT_EQ(stored.size(), 20u);
  EXPECT_EQ(stored[0].subject(), "user:19") << "newest first";
  EXPECT_EQ(stored[19].subject(), "user:0");
  EXPECT_GT(stored[0].id(), stored[19].id());
  EXPECT_EQ(stored[0].method(), "cmc.demo.v1.Demo/Put");
  EXPECT_EQ(stored[0].request_id(), "req-user:19");
  EXPECT_EQ(stored[0].code(), "OK");
  EXPECT_EQ(stored[0].latency_ms(), 12);
  EXPECT_EQ(stored[0].peer(), "ipv4:127.0.0.1:4000");
  ASSERT_EQ(stored[0].roles_size(), 2);
  EXPECT_EQ(stored[0].roles(1), "township_admin");
  EXPECT_EQ(TimeUtil::TimestampToSeconds(stored[0].time()),
            absl::ToUnixSeconds(kT0) + 19);
}

TEST_F(GatewayAuditTest, FullQueueDropsAndCountsInsteadOfBlocking) {
  prometheus::Registry registry;
  prometheus::Counter& dropped = prometheus::BuildCounter()
                                     .Name("cmc_gateway_audit_dropped_total")
                                     .Register(registry)
                                     .Add({});
  AuditWriterOptions options;
  options.queue_capacity = 3;
  AuditWriter writer(pool_.get(), options, &dropped);  // not started: no drain
  for (int i = 0; i < 5; ++i) {
    writer.Record(Record("user:a", "cmc.demo.v1.Demo/Put", "OK", kT0));
  }
  EXPECT_EQ(writer.dropped(), 2);
  EXPECT_EQ(dropped.Value(), 2.0);
  writer.Stop();
  EXPECT_EQ(All().size(), 3u) << "what was queued is written on stop";
  writer.Record(Record("user:a", "cmc.demo.v1.Demo/Put", "OK", kT0));
  EXPECT_EQ(dropped.Value(), 3.0) << "after stop every record is dropped";
}

// Issue #11: one record the database would refuse (a non-UTF-8 x-request-id,
// a roles claim longer than its column, a subject cut inside a character)
// must not drop the batch: strings are cleaned and cut to their columns.
TEST_F(GatewayAuditTest, MalformedAndOverlongStringsAreCleanedNotRefused) {
  AuditWriterOptions options;
  options.batch_size = 500;
  options.flush_interval = absl::Seconds(30);  // one batch, written by Stop
  AuditWriter writer(pool_.get(), options, nullptr);
  writer.Start();
  writer.Record(Record("user:before", "cmc.demo.v1.Demo/Put", "OK", kT0));
  v1::AuditRecord bad = Record("user:bad", "cmc.demo.v1.Demo/Put", "OK", kT0);
  bad.set_request_id("req-\xFF\xFE-" + std::string(300, 'r'));
  bad.set_subject(std::string(254, 's') + "\xE5\xBC\xA0\xE4\xBC\x9F");
  bad.clear_roles();
  for (int i = 0; i < 150; ++i) bad.add_roles(absl::StrCat("role_", 1000 + i));
  writer.Record(bad);
  writer.Record(Record("user:after", "cmc.demo.v1.Demo/Put", "OK", kT0));
  writer.Stop();
  EXPECT_EQ(writer.written(), 3);
  EXPECT_EQ(writer.dropped(), 0);
  const std::vector<v1::AuditRecord> stored = All();
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0].subject(), "user:after");
  EXPECT_EQ(stored[2].subject(), "user:before");
  const v1::AuditRecord& cleaned = stored[1];
  EXPECT_EQ(cleaned.subject(), std::string(254, 's') + "\xE5\xBC\xA0");
  EXPECT_EQ(cleaned.request_id(),
            "req-\xEF\xBF\xBD\xEF\xBF\xBD-" + std::string(121, 'r'));
  EXPECT_EQ(absl::StrJoin(cleaned.roles(), ",").size(), kAuditRolesChars);
  EXPECT_EQ(cleaned.roles(0), "role_1000");
}

// Issue #11: a record the database refuses whatever the cleaning (here a
// time after the year 9999) is written alone, logged and counted; the other
// records of its batch are stored.
TEST_F(GatewayAuditTest, ARefusedRecordIsIsolatedFromItsBatch) {
  prometheus::Registry registry;
  prometheus::Counter& dropped = prometheus::BuildCounter()
                                     .Name("cmc_gateway_audit_dropped_total")
                                     .Register(registry)
                                     .Add({});
  AuditWriterOptions options;
  options.batch_size = 500;
  options.flush_interval = absl::Seconds(30);  // one batch, written by Stop
  options.retry_backoff = absl::Milliseconds(1);
  AuditWriter writer(pool_.get(), options, &dropped);
  writer.Start();
  for (int i = 0; i < 5; ++i) {
    v1::AuditRecord record =
        Record(absl::StrCat("user:", i), "cmc.demo.v1.Demo/Put", "OK",
               kT0 + absl::Seconds(i));
    if (i == 2) {
      record.mutable_time()->set_seconds(absl::ToUnixSeconds(absl::FromCivil(
          absl::CivilSecond(10000, 1, 1, 0, 0, 0), absl::UTCTimeZone())));
    }
    writer.Record(record);
  }
  writer.Stop();
  EXPECT_EQ(writer.written(), 4);
  EXPECT_EQ(writer.dropped(), 1);
  EXPECT_EQ(dropped.Value(), 1.0);
  const std::vector<v1::AuditRecord> stored = All();
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_EQ(stored[0].subject(), "user:4");
  EXPECT_EQ(stored[1].subject(), "user:3");
  EXPECT_EQ(stored[2].subject(), "user:1");
  EXPECT_EQ(stored[3].subject(), "user:0");
}

// Issue #11: audit timestamps survive 2038 (TIMESTAMP ends on 2038-01-19).
TEST_F(GatewayAuditTest, TimesAfter2038AreStoredAndReadBack) {
  const absl::Time t2040 = absl::FromCivil(
      absl::CivilSecond(2040, 6, 1, 8, 30, 0), absl::UTCTimeZone());
  ASSERT_TRUE(InsertAuditRecords(
                  *pool_,
                  {Record("user:late", "cmc.demo.v1.Demo/Put", "OK", t2040)},
                  absl::Now() + absl::Seconds(5))
                  .ok());
  const std::vector<v1::AuditRecord> stored = All();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(TimeUtil::TimestampToSeconds(stored[0].time()),
            absl::ToUnixSeconds(t2040));
}

TEST_F(GatewayAuditTest, PurgeRemovesOnlyRecordsPastRetention) {
  const absl::Time now = absl::Now();
  ASSERT_TRUE(InsertAuditRecords(*pool_,
                                 {Record("user:old", "cmc.demo.v1.Demo/Put",
                                         "OK", now - absl::Hours(50)),
                                  Record("user:new", "cmc.demo.v1.Demo/Put",
                                         "OK", now - absl::Hours(1))},
                                 now + absl::Seconds(5))
                  .ok());
  AuditWriterOptions options;
  options.retention = absl::Hours(48);
  options.flush_interval = absl::Milliseconds(10);
  AuditWriter writer(pool_.get(), options, nullptr);
  writer.Start();  // the first loop purges
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (All().size() != 1 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  writer.Stop();
  const std::vector<v1::AuditRecord> left = All();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].subject(), "user:new");
}

// ListAuditRecords on an in-process gateway server, with tokens checked by the
// same AccessControl as the proxy.
class ListAuditRecordsTest : public GatewayAuditTest {
 protected:
  void SetUp() override {
    GatewayAuditTest::SetUp();
    std::vector<v1::AuditRecord> records = {
        Record("user:a",
               "cmc.institution.v1.InstitutionService/CreateCommunity", "OK",
               kT0),
        Record("user:b", "cmc.referral.v1.ReferralService/CreateReferral",
               "PERMISSION_DENIED", kT0 + absl::Minutes(1)),
        Record("user:a", "cmc.referral.v1.ReferralService/ApproveReferral",
               "OK", kT0 + absl::Minutes(2)),
        Record("user:c", "cmc.referral.v1.ReferralService/CreateReferral", "OK",
               kT0 + absl::Minutes(3)),
    };
    ASSERT_TRUE(
        InsertAuditRecords(*pool_, records, absl::Now() + absl::Seconds(5))
            .ok());

    v1::GatewayPolicy proto;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
        R"pb(rules {
               method: "cmc.gateway.v1.GatewayService/ListAuditRecords"
               roles: [ "auditor" ]
             })pb",
        &proto));
    TokenVerifierOptions verifier;
    verifier.hs256_secret = kSecret;
    verifier.issuer = "cmc";
    verifier.audience = "cmc";
    access_ = std::make_unique<AccessControl>(
        TokenVerifier::Create(verifier).value(),
        AccessPolicy::Create(proto).value(), std::nullopt);
    GatewayService::Options service_options;
    // The institution service's answer, faked: the members of com-x and
    // com-y; com-down cannot be reached.
    service_options.community_members =
        [](const std::string& community, const Principal&,
           absl::Time) -> absl::StatusOr<std::vector<std::string>> {
      if (community == "com-x") {
        return std::vector<std::string>{"ins-x1", "ins-x2"};
      }
      if (community == "com-y") return std::vector<std::string>{"ins-y1"};
      if (community == "com-down") {
        return absl::UnavailableError("backend institution: down");
      }
      return std::vector<std::string>();
    };
    service_ = std::make_unique<GatewayService>(pool_.get(), access_.get(),
                                                service_options);
    ServerOptions options;
    options.service_name = "gateway";
    options.listen_host = "127.0.0.1";
    server_ = std::make_unique<Server>(options);
    server_->AddService(service_.get(),
                        v1::GatewayService::service_full_name());
    ASSERT_TRUE(server_->Start().ok());
    stub_ = v1::GatewayService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  // `scope`: the JSON array's entries, quoted.
  static std::string Token(const std::string& role,
                           const std::string& scope = R"("county")") {
    return SignJwt(JwtAlgorithm::kHs256,
                   absl::StrCat(R"({"sub":"user:t","roles":[")", role,
                                R"("],"scope":[)", scope, R"(],"iss":"cmc",)",
                                R"("aud":"cmc","exp":)",
                                absl::ToUnixSeconds(absl::Now()) + 600, "}"),
                   kSecret)
        .value();
  }

  grpc::Status List(const v1::ListAuditRecordsRequest& request,
                    const std::string& token,
                    v1::ListAuditRecordsResponse* response) {
    grpc::ClientContext context;
    if (!token.empty()) {
      context.AddMetadata("authorization", "Bearer " + token);
    }
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    return stub_->ListAuditRecords(&context, request, response);
  }

  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<GatewayService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::GatewayService::Stub> stub_;
};

TEST_F(ListAuditRecordsTest, OnlyAuditorsMayRead) {
  const struct {
    const char* name;
    std::string token;
    grpc::StatusCode code;
  } cases[] = {
      {"auditor", Token("auditor"), grpc::StatusCode::OK},
      {"other role", Token("community_admin"),
       grpc::StatusCode::PERMISSION_DENIED},
      {"no token", "", grpc::StatusCode::UNAUTHENTICATED},
      {"bad token", "not-a-jwt", grpc::StatusCode::UNAUTHENTICATED},
  };
  for (const auto& c : cases) {
    v1::ListAuditRecordsResponse response;
    grpc::Status status = List({}, c.token, &response);
    EXPECT_EQ(status.error_code(), c.code)
        << c.name << ": " << status.error_message();
    if (c.code == grpc::StatusCode::PERMISSION_DENIED) {
      EXPECT_NE(status.error_message().find("ListAuditRecords"),
                std::string::npos)
          << status.error_message();
    }
  }
}

TEST_F(ListAuditRecordsTest, FiltersSelectTheMatchingRecordsNewestFirst) {
  const struct {
    const char* name;
    std::function<void(v1::ListAuditRecordsRequest&)> edit;
    std::vector<std::string> want;  // subject@minute, newest first
  } cases[] = {
      {"all", [](auto&) {}, {"user:c@3", "user:a@2", "user:b@1", "user:a@0"}},
      {"subject",
       [](auto& r) { r.set_subject("user:a"); },
       {"user:a@2", "user:a@0"}},
      {"method prefix",
       [](auto& r) {
         r.set_method_prefix("cmc.referral.v1.ReferralService/Create");
       },
       {"user:c@3", "user:b@1"}},
      {"code", [](auto& r) { r.set_code("PERMISSION_DENIED"); }, {"user:b@1"}},
      {"time range",
       [](auto& r) {
         r.mutable_start_time()->set_seconds(absl::ToUnixSeconds(kT0) + 60);
         r.mutable_end_time()->set_seconds(absl::ToUnixSeconds(kT0) + 180);
       },
       {"user:a@2", "user:b@1"}},
      {"subject and code",
       [](auto& r) {
         r.set_subject("user:a");
         r.set_code("PERMISSION_DENIED");
       },
       {}},
  };
  for (const auto& c : cases) {
    v1::ListAuditRecordsRequest request;
    c.edit(request);
    v1::ListAuditRecordsResponse response;
    grpc::Status status = List(request, Token("auditor"), &response);
    ASSERT_TRUE(status.ok()) << c.name << ": " << status.error_message();
    std::vector<std::string> got;
    for (const v1::AuditRecord& record : response.records()) {
      got.push_back(absl::StrCat(record.subject(), "@",
                                 (TimeUtil::TimestampToSeconds(record.time()) -
                                  absl::ToUnixSeconds(kT0)) /
                                     60));
    }
    EXPECT_EQ(got, c.want) << c.name;
    EXPECT_EQ(response.page().next_page_token(), "") << c.name;
    EXPECT_EQ(response.page().total_size(), -1) << c.name;
  }
}

TEST_F(ListAuditRecordsTest, PagesFollowEachOtherAndTokensStayWithTheirQuery) {
  v1::ListAuditRecordsRequest request;
  request.mutable_page()->set_page_size(3);
  v1::ListAuditRecordsResponse first;
  ASSERT_TRUE(List(request, Token("auditor"), &first).ok());
  ASSERT_EQ(first.records_size(), 3);
  EXPECT_EQ(first.records(0).subject(), "user:c");
  ASSERT_NE(first.page().next_page_token(), "");

  request.mutable_page()->set_page_token(first.page().next_page_token());
  v1::ListAuditRecordsResponse second;
  ASSERT_TRUE(List(request, Token("auditor"), &second).ok());
  ASSERT_EQ(second.records_size(), 1);
  EXPECT_EQ(second.records(0).subject(), "user:a");
  EXPECT_EQ(second.records(0).method(),
            "cmc.institution.v1.InstitutionService/CreateCommunity");
  EXPECT_EQ(second.page().next_page_token(), "");

  request.set_subject("user:b");
  v1::ListAuditRecordsResponse other;
  grpc::Status status = List(request, Token("auditor"), &other);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(FromGrpcStatus(status)), "page.page_token");
}

// Issue #11: ListAuditRecords honours the auditor's org scope (gateway.proto):
// a scoped auditor sees only callers whose every scope entry lies inside its
// own scope, members of its communities included.
TEST_F(ListAuditRecordsTest, AScopedAuditorSeesOnlyCallersInsideItsScope) {
  const auto scoped = [](const std::string& subject,
                         std::vector<std::string> scope, int minute) {
    v1::AuditRecord record =
        Record(subject, "cmc.demo.v1.Demo/Put", "OK",
               kT0 + absl::Hours(1) + absl::Minutes(minute));
    for (std::string& entry : scope) record.add_scope(std::move(entry));
    return record;
  };
  ASSERT_TRUE(
      InsertAuditRecords(
          *pool_,
          {scoped("user:x-admin", {"community:com-x"}, 1),
           scoped("user:x-clinician", {"institution:ins-x1"}, 2),
           scoped("user:y-clinician", {"institution:ins-y1"}, 3),
           scoped("user:county", {"county"}, 4),
           scoped("user:both", {"institution:ins-x1", "institution:ins-y1"}, 5),
           scoped("user:x2", {"community:com-x", "institution:ins-x2"}, 6)},
          absl::Now() + absl::Seconds(5))
          .ok());
  const auto subjects = [](const v1::ListAuditRecordsResponse& response) {
    std::vector<std::string> out;
    for (const v1::AuditRecord& record : response.records()) {
      out.push_back(record.subject());
    }
    return out;
  };
  using Subjects = std::vector<std::string>;
  const struct {
    const char* name;
    std::string scope;
    Subjects visible;  // newest first
  } cases[] = {
      {"community com-x", R"("community:com-x")",
       Subjects{"user:x2", "user:x-clinician", "user:x-admin"}},
      {"community com-y", R"("community:com-y")", Subjects{"user:y-clinician"}},
      {"institution ins-x1", R"("institution:ins-x1")",
       Subjects{"user:x-clinician"}},
      {"both communities", R"("community:com-x","community:com-y")",
       Subjects{"user:x2", "user:both", "user:y-clinician", "user:x-clinician",
                "user:x-admin"}},
      {"unknown community", R"("community:com-none")", Subjects{}},
      {"no scope", "", Subjects{}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    v1::ListAuditRecordsResponse response;
    const grpc::Status status = List({}, Token("auditor", c.scope), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(subjects(response), c.visible);
  }
  // The county auditor sees every record, the four of the fixture (written
  // without a scope) included, and each record's scope.
  v1::ListAuditRecordsResponse all;
  ASSERT_TRUE(List({}, Token("auditor"), &all).ok());
  ASSERT_EQ(all.records_size(), 10);
  EXPECT_EQ(all.records(0).subject(), "user:x2");
  EXPECT_EQ(std::vector<std::string>(all.records(0).scope().begin(),
                                     all.records(0).scope().end()),
            (Subjects{"community:com-x", "institution:ins-x2"}));
  EXPECT_EQ(all.records(9).scope_size(), 0);
  // Paging and filters stay within the scope.
  v1::ListAuditRecordsRequest first_page;
  first_page.mutable_page()->set_page_size(2);
  v1::ListAuditRecordsResponse page;
  ASSERT_TRUE(
      List(first_page, Token("auditor", R"("community:com-x")"), &page).ok());
  EXPECT_EQ(subjects(page), (Subjects{"user:x2", "user:x-clinician"}));
  v1::ListAuditRecordsRequest next = first_page;
  next.mutable_page()->set_page_token(page.page().next_page_token());
  ASSERT_TRUE(List(next, Token("auditor", R"("community:com-x")"), &page).ok());
  EXPECT_EQ(subjects(page), (Subjects{"user:x-admin"}));
  // The members cannot be asked: UNAVAILABLE, not a silently smaller view.
  v1::ListAuditRecordsResponse down;
  EXPECT_EQ(
      List({}, Token("auditor", R"("community:com-down")"), &down).error_code(),
      grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace cmc::gateway
