// End to end: the six binaries as separate processes against the shared
// MariaDB, called through the gateway the way a hospital system or the
// provincial platform would.
#include "common/testing/stack.h"

#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cmc/common/v1/event.grpc.pb.h"
#include "cmc/gateway/v1/gateway.grpc.pb.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/identity/principal.h"
#include "common/status.h"
#include "common/testing/health.h"
#include "common/testing/mariadb.h"
#include "common/testing/process.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace cmc {
namespace {

const char* const kAreas[] = {"institution", "referral", "dispatch", "finance",
                              "indicator"};

// The repository root, from this file's path (.../tests/e2e/stack_test.cc).
std::string SourceDir() {
  const std::string file = __FILE__;
  return file.substr(0, file.rfind("/tests/e2e/"));
}

std::string PolicyFile() {
  return SourceDir() + "/deploy/gateway/policy.textproto";
}

// Writes an HS256 secret file; its path.
std::string WriteSecret(const std::string& name, char fill) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << std::string(64, fill) << "\n";
  return path;
}

// A bearer token minted by `cmcctl token` with `flags` (--secret_file, --sub,
// --roles, ...): the same tool run-local uses.
std::string MintToken(const std::string& flags) {
  const std::string command =
      std::string(CMC_BINARY_DIR "/tools/cmcctl/cmcctl token ") + flags;
  FILE* out = popen(command.c_str(), "r");
  std::string token;
  char buffer[512];
  while (out != nullptr && fgets(buffer, sizeof(buffer), out) != nullptr) {
    token += buffer;
  }
  EXPECT_EQ(out == nullptr ? -1 : pclose(out), 0) << command;
  while (!token.empty() && token.back() == '\n') token.pop_back();
  EXPECT_FALSE(token.empty()) << command;
  return token;
}

bool MetricsAnswer(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string request = "GET /metrics HTTP/1.0\r\n\r\n";
    if (write(fd, request.data(), request.size()) > 0) {
      char buffer[4096];
      ssize_t n;
      while ((n = read(fd, buffer, sizeof(buffer))) > 0) out.append(buffer, n);
    }
  }
  close(fd);
  return out.find("200 OK") != std::string::npos &&
         out.find("cmc_build_info") != std::string::npos;
}

// The whole stack, started once for the suite (starting six processes is the
// slow part).
class StackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ =
        new testing::Stack(testing::StackOptions(CMC_BINARY_DIR, SourceDir()));
    start_ = stack_->Start();
  }

  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(start_.ok()) << start_ << stack_->Logs();
  }

  static std::string GatewayAddress() { return stack_->GatewayAddress(); }

  // A token of the deployment's issuer for `sub` with `roles` over the whole
  // county, plus `flags`.
  static std::string Token(const std::string& sub, const std::string& roles,
                           const std::string& flags = "") {
    return stack_->Token(sub, roles, "county", flags);
  }

  // The provincial platform's token: it may read every event feed.
  static const std::string& PlatformToken() {
    static const std::string token =
        Token("system:provincial-platform", "provincial_platform");
    return token;
  }

  static grpc::Status ListEventsVia(
      const std::string& source, common::v1::ListEventsResponse* response,
      const std::string& token = PlatformToken()) {
    auto stub = common::v1::EventFeed::NewStub(stack_->GatewayChannel());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    if (!source.empty()) context.AddMetadata("x-cmc-service", source);
    if (!token.empty()) testing::Stack::AddBearer(&context, token);
    common::v1::ListEventsRequest request;
    request.set_limit(10);
    return stub->ListEvents(&context, request, response);
  }

  static std::string GatewayLog() {
    std::ifstream in(stack_->log_dir() + "/gateway.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static inline testing::Stack* stack_ = nullptr;
  static inline absl::Status start_;
};

// Behind the gateway every hop is mutual TLS with the deployment's CA, and a
// service believes a principal only from the gateway's certificate: a process
// that reaches a backend port cannot read the county by writing headers.
TEST_F(StackTest, BackendsBelievePrincipalHeadersOnlyFromTheGateway) {
  const auto call = [](std::shared_ptr<grpc::ChannelCredentials> credentials,
                       bool forged_headers) {
    auto stub = common::v1::EventFeed::NewStub(grpc::CreateChannel(
        stack_->ServiceAddress("institution"), std::move(credentials)));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    if (forged_headers) {
      Principal county;
      county.subject = "user:mallory";
      county.roles = {"community_admin"};
      county.whole_county = true;
      AttachPrincipal(county, &context);
    }
    common::v1::ListEventsRequest request;
    common::v1::ListEventsResponse response;
    return stub->ListEvents(&context, request, &response).error_code();
  };
  grpc::SslCredentialsOptions no_certificate;
  {
    std::ifstream ca(stack_->cert_dir() + "/ca.crt");
    no_certificate.pem_root_certs.assign(std::istreambuf_iterator<char>(ca),
                                         {});
  }
  // Plaintext and TLS without a client certificate never get past the
  // handshake.
  EXPECT_EQ(call(grpc::InsecureChannelCredentials(), true),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(call(grpc::SslCredentials(no_certificate), true),
            grpc::StatusCode::UNAVAILABLE);
  // A certificate of the CA that is not the gateway's: the headers count
  // for nothing, and no headers is no principal.
  EXPECT_EQ(call(stack_->InternalCredentials("cmcctl"), true),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(call(stack_->InternalCredentials("gateway"), false),
            grpc::StatusCode::UNAUTHENTICATED);
  // The gateway's certificate with its principal, and the gateway path.
  EXPECT_EQ(call(stack_->InternalCredentials("gateway"), true),
            grpc::StatusCode::OK);
  common::v1::ListEventsResponse response;
  EXPECT_TRUE(ListEventsVia("institution", &response).ok());
}

TEST_F(StackTest,
       EveryServiceServesHealthMetricsAndItsEventFeedThroughTheGateway) {
  for (const char* area : kAreas) {
    SCOPED_TRACE(area);
    const std::string name = testing::Stack::HealthName(area);
    EXPECT_EQ(testing::HealthStatus(GatewayAddress(), name), "SERVING");
    EXPECT_EQ(testing::HealthStatus(stack_->ServiceAddress(area), name,
                                    stack_->InternalCredentials("cmcctl")),
              "SERVING");
    EXPECT_EQ(testing::HealthStatus(stack_->ServiceAddress(area),
                                    "cmc.common.v1.EventFeed",
                                    stack_->InternalCredentials("cmcctl")),
              "SERVING");
    EXPECT_TRUE(MetricsAnswer(stack_->MetricsPort(area)));
    common::v1::ListEventsResponse response;
    const grpc::Status status = ListEventsVia(area, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_GE(response.last_sequence(), 0);
  }
  EXPECT_TRUE(MetricsAnswer(stack_->MetricsPort("gateway")));
}

TEST_F(StackTest, GatewayRejectsCallsItCannotRoute) {
  common::v1::ListEventsResponse response;
  grpc::Status status = ListEventsVia("", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(FromGrpcStatus(status)), "metadata.x-cmc-service");
  status = ListEventsVia("pharmacy", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // A method no rule lists is denied before routing, naming the method.
  grpc::GenericStub stub(grpc::CreateChannel(
      GatewayAddress(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + PlatformToken());
  grpc::Slice slice(std::string("{}"));
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer reply;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/cmc.pharmacy.v1.PharmacyService/Dispense",
                 grpc::StubOptions(), &request, &reply,
                 [&done](grpc::Status s) { done.set_value(s); });
  const grpc::Status denied = done.get_future().get();
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(denied.error_message(),
            "permission denied for method "
            "/cmc.pharmacy.v1.PharmacyService/Dispense");
}

TEST_F(StackTest, GatewayAdmitsOnlyValidTokensWithAnAllowedRole) {
  const std::string other_secret = WriteSecret("other-jwt.secret", 'z');
  struct Case {
    std::string name;
    std::string token;
    grpc::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"no token", "", grpc::StatusCode::UNAUTHENTICATED, "invalid token"},
      {"expired", Token("user:li", "auditor", "--ttl_s=-120"),
       grpc::StatusCode::UNAUTHENTICATED, "invalid token"},
      {"wrong signature",
       MintToken("--secret_file=" + other_secret +
                 " --sub=user:li --roles=auditor"),
       grpc::StatusCode::UNAUTHENTICATED, "invalid token"},
      {"wrong audience", Token("user:li", "auditor", "--aud=elsewhere"),
       grpc::StatusCode::UNAUTHENTICATED, "invalid token"},
      {"wrong issuer", Token("user:li", "auditor", "--iss=elsewhere"),
       grpc::StatusCode::UNAUTHENTICATED, "invalid token"},
      {"wrong role", Token("user:li", "clinician"),
       grpc::StatusCode::PERMISSION_DENIED,
       "permission denied for method /cmc.common.v1.EventFeed/ListEvents"},
      {"right role", Token("user:li", "clinician,auditor"),
       grpc::StatusCode::OK, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    common::v1::ListEventsResponse response;
    const grpc::Status status =
        ListEventsVia("institution", &response, c.token);
    EXPECT_EQ(status.error_code(), c.code);
    EXPECT_EQ(status.error_message(), c.message);
  }
  // Health needs no token, at the gateway and per backend.
  EXPECT_EQ(testing::HealthStatus(GatewayAddress(), ""), "SERVING");
  EXPECT_EQ(
      testing::HealthStatus(GatewayAddress(), "cmc.finance.v1.FinanceService"),
      "SERVING");
  // The reason is logged at the gateway, never told to the caller.
  EXPECT_NE(GatewayLog().find("\"reason\":\"expired at"), std::string::npos);
}

TEST_F(StackTest, ABackendThatIsDownIsUnavailableByNameAndNothingElseIs) {
  stack_->Kill("referral");
  // The gateway stays in rotation; monitoring sees which backend is down.
  EXPECT_TRUE(testing::EventuallyHealth(GatewayAddress(),
                                        "cmc.referral.v1.ReferralService",
                                        "NOT_SERVING", absl::Seconds(5)));
  EXPECT_EQ(testing::HealthStatus(GatewayAddress(), ""), "SERVING");
  EXPECT_EQ(testing::HealthStatus(GatewayAddress(),
                                  "cmc.institution.v1.InstitutionService"),
            "SERVING");

  common::v1::ListEventsResponse response;
  grpc::Status status = ListEventsVia("referral", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("backend referral"), std::string::npos)
      << status.error_message();
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(status.error_details()));
  bool named = false;
  for (const auto& any : rich.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info))
      named = info.metadata().count("backend") &&
              info.metadata().at("backend") == "referral";
  }
  EXPECT_TRUE(named) << "ErrorInfo names the backend";
  EXPECT_TRUE(ListEventsVia("institution", &response).ok());

  // It comes back on the same port and the gateway notices.
  EXPECT_TRUE(stack_->Restart("referral", absl::Seconds(30)).ok())
      << stack_->Logs();
  EXPECT_TRUE(ListEventsVia("referral", &response).ok());
}

TEST_F(StackTest, WritesThroughTheGatewayAreAuditedForAuditorsOnly) {
  const std::string admin = Token("user:e2e-admin", "community_admin");
  auto institution =
      institution::v1::InstitutionService::NewStub(grpc::CreateChannel(
          GatewayAddress(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext write;
  write.AddMetadata("authorization", "Bearer " + admin);
  write.AddMetadata("x-request-id", "e2e-audit-1");
  write.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
  institution::v1::CreateCommunityRequest create;
  create.set_request_id("e2e-audit-community-1");
  create.mutable_community()->set_code("E2EAUDIT");
  create.mutable_community()->set_name("审计测试医共体");
  create.mutable_community()->set_county_division_code("330122");
  institution::v1::Community created;
  const grpc::Status written =
      institution->CreateCommunity(&write, create, &created);

  auto gateway = gateway::v1::GatewayService::NewStub(grpc::CreateChannel(
      GatewayAddress(), grpc::InsecureChannelCredentials()));
  gateway::v1::ListAuditRecordsRequest request;
  request.set_subject("user:e2e-admin");
  request.set_method_prefix(
      "cmc.institution.v1.InstitutionService/CreateCommunity");
  auto list = [&](const std::string& token,
                  gateway::v1::ListAuditRecordsResponse* response) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    return gateway->ListAuditRecords(&context, request, response);
  };
  // The writer is asynchronous: the record appears within about a second.
  const std::string auditor = Token("user:e2e-auditor", "auditor");
  gateway::v1::ListAuditRecordsResponse response;
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (absl::Now() < give_up) {
    ASSERT_TRUE(list(auditor, &response).ok());
    if (response.records_size() > 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_EQ(response.records_size(), 1) << stack_->Logs();
  const gateway::v1::AuditRecord& record = response.records(0);
  EXPECT_EQ(record.method(),
            "cmc.institution.v1.InstitutionService/CreateCommunity");
  EXPECT_EQ(record.request_id(), "e2e-audit-1");
  EXPECT_EQ(record.code(),
            absl::StatusCodeToString(
                static_cast<absl::StatusCode>(written.error_code())));
  ASSERT_EQ(record.roles_size(), 1);
  EXPECT_EQ(record.roles(0), "community_admin");
  EXPECT_NE(record.peer().find("127.0.0.1"), std::string::npos);

  const grpc::Status denied = list(admin, &response);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(denied.error_message(),
            "permission denied for method "
            "/cmc.gateway.v1.GatewayService/ListAuditRecords");
}

TEST_F(StackTest, SigtermStopsEveryProcessCleanly) {
  // Runs last (alphabetical order is not guaranteed; the suite fixture restarts
  // nothing after).
  EXPECT_EQ(stack_->Terminate("gateway"), 0) << stack_->Logs();
  for (const char* area : kAreas) {
    EXPECT_EQ(stack_->Terminate(area), 0) << area;
    std::ifstream in(absl::StrCat(stack_->log_dir(), "/", area, ".log"));
    const std::string log(std::istreambuf_iterator<char>(in), {});
    EXPECT_NE(log.find("shutdown_finished"), std::string::npos) << area;
  }
}

}  // namespace
}  // namespace cmc

namespace cmc {
namespace {

using testing::ChildProcess;
using testing::MariaDb;

// How a process reaches its own schema in the shared MariaDB (CMC_MYSQL_*).
std::map<std::string, std::string> MysqlEnv(const std::string& area) {
  const DbConfig db = MariaDb::Shared().CmcConfig(area);
  return {{"CMC_MYSQL_HOST", db.host},
          {"CMC_MYSQL_PORT", std::to_string(db.port)},
          {"CMC_MYSQL_USER", db.user},
          {"CMC_MYSQL_PASSWORD", db.password},
          {"CMC_MYSQL_SCHEMA", db.schema}};
}

constexpr char kDispatch[] = CMC_BINARY_DIR "/services/dispatch/cmc-dispatch";
constexpr char kGateway[] = CMC_BINARY_DIR "/services/gateway/cmc-gateway";

// Runs `binary` (a domain service by default) with `env` until it exits (at
// most 30 s); its exit status.
int RunToExit(const std::map<std::string, std::string>& env,
              const std::string& log, std::string* output,
              const std::string& binary = kDispatch) {
  ChildProcess process({binary}, env, ::testing::TempDir() + "/" + log);
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (process.Running() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  *output = process.ReadLog();
  return process.Terminate();
}

TEST(BinaryTest, GatewayRefusesToStartWithoutAPolicyOrAGoodKey) {
  const std::string short_secret = ::testing::TempDir() + "/short.secret";
  std::ofstream(short_secret) << "too-short\n";
  struct Case {
    std::map<std::string, std::string> env;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{}, "--policy_file: required"},
      {{{"CMC_POLICY_FILE", PolicyFile() + ".missing"}},
       "--policy_file: cannot read"},
      {{{"CMC_POLICY_FILE", PolicyFile()}}, "--jwt_hs256_secret_file: this or"},
      {{{"CMC_POLICY_FILE", PolicyFile()},
        {"CMC_JWT_HS256_SECRET_FILE", short_secret}},
       "needs at least 32 bytes"},
      {{{"CMC_POLICY_FILE", PolicyFile()}, {"CMC_AUTH_MODE", "off"}},
       "--auth_mode: must be required or disabled"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    std::map<std::string, std::string> env = c.env;
    env["CMC_MYSQL_PASSWORD"] = "x";  // the policy is checked before the DB
    env["CMC_GRPC_PORT"] = "0";
    env["CMC_METRICS_PORT"] = "-1";
    env["CMC_LISTEN_HOST"] = "127.0.0.1";
    std::string output;
    EXPECT_EQ(RunToExit(env, "gateway-bad-config.log", &output, kGateway), 2);
    EXPECT_NE(output.find(c.message), std::string::npos) << output;
  }
}

TEST(BinaryTest, GatewayWithAuthDisabledWarnsAndAdmitsEveryCaller) {
  const int port = testing::FreePort();
  MariaDb::Shared().CreateCmcSchemas();
  std::map<std::string, std::string> env = {
      {"CMC_GRPC_PORT", std::to_string(port)},
      {"CMC_METRICS_PORT", "-1"},
      {"CMC_LISTEN_HOST", "127.0.0.1"},
      {"CMC_POLICY_FILE", PolicyFile()},
      {"CMC_AUTH_MODE", "disabled"},
      {"CMC_REFERRAL_ADDR", absl::StrCat("127.0.0.1:", testing::FreePort())}};
  env.merge(MysqlEnv("gateway"));
  ChildProcess gateway({kGateway}, env,
                       ::testing::TempDir() + "/gateway-auth-disabled.log");
  const std::string address = absl::StrCat("127.0.0.1:", port);
  ASSERT_TRUE(
      testing::EventuallyHealth(address, "", "SERVING", absl::Seconds(30)))
      << gateway.ReadLog();
  EXPECT_NE(gateway.ReadLog().find("\"event\":\"auth_disabled\""),
            std::string::npos);
  // No token, yet admitted as the development principal: the call reaches
  // routing and fails only because the backend is down.
  auto stub = common::v1::EventFeed::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  context.AddMetadata("x-cmc-service", "referral");
  common::v1::ListEventsResponse response;
  EXPECT_EQ(stub->ListEvents(&context, {}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(gateway.Terminate(), 0);
}

TEST(BinaryTest, BadConfigurationExitsWithStatus2NamingTheFlag) {
  std::string output;
  EXPECT_EQ(
      RunToExit({{"CMC_MYSQL_PASSWORD", "x"}, {"CMC_MYSQL_POOL_SIZE", "0"}},
                "bad-config.log", &output),
      2);
  EXPECT_NE(output.find("--mysql_pool_size"), std::string::npos) << output;
  EXPECT_EQ(RunToExit({}, "no-password.log", &output), 2);
  EXPECT_NE(output.find("--mysql_password"), std::string::npos) << output;
}

TEST(BinaryTest, UnreachableDatabaseAtStartExitsWithStatus1AfterTheWait) {
  std::string output;
  const absl::Time start = absl::Now();
  EXPECT_EQ(RunToExit({{"CMC_MYSQL_PASSWORD", "x"},
                       {"CMC_MYSQL_PORT", std::to_string(testing::FreePort())},
                       {"CMC_STARTUP_DB_WAIT_MS", "1500"},
                       {"CMC_GRPC_PORT", "0"},
                       {"CMC_METRICS_PORT", "-1"}},
                      "no-db.log", &output),
            1);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(1000))
      << "it retried first";
  EXPECT_NE(output.find("database_unreachable"), std::string::npos) << output;
  EXPECT_NE(output.find("startup_failed"), std::string::npos) << output;
}

TEST(BinaryTest, RefusesToStartWhenAnAppliedMigrationChanged) {
  MariaDb& db = MariaDb::Shared();
  const DbConfig config = db.NewDatabase("tampered");
  const std::map<std::string, std::string> env = {
      {"CMC_MYSQL_HOST", config.host},
      {"CMC_MYSQL_PORT", std::to_string(config.port)},
      {"CMC_MYSQL_USER", config.user},
      {"CMC_MYSQL_PASSWORD", config.password},
      {"CMC_MYSQL_SCHEMA", config.schema},
      {"CMC_GRPC_PORT", "0"},
      {"CMC_METRICS_PORT", "-1"},
      {"CMC_LISTEN_HOST", "127.0.0.1"}};
  {
    // First start applies the migrations; SIGTERM stops it cleanly.
    ChildProcess first({CMC_BINARY_DIR "/services/dispatch/cmc-dispatch"}, env,
                       ::testing::TempDir() + "/tampered-first.log");
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (first.ReadLog().find("\"serving\"") == std::string::npos &&
           absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_EQ(first.Terminate(), 0) << first.ReadLog();
  }
  // Someone edits an applied file: here, its recorded checksum no longer
  // matches the binary's.
  ASSERT_TRUE(db.RunSql("UPDATE `" + config.schema +
                        "`.schema_migrations SET checksum = REPEAT('0', 64) "
                        "WHERE component = 'outbox' AND version = 1;"));
  std::string output;
  EXPECT_EQ(RunToExit(env, "tampered-second.log", &output), 1);
  EXPECT_NE(output.find("outbox/0001_outbox was changed after it was applied"),
            std::string::npos)
      << output;
}

}  // namespace
}  // namespace cmc
