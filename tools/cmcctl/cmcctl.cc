// cmcctl: a command-line client of a CMC deployment for people and scripts.
//
//   cmcctl health --addr=127.0.0.1:50050
//   [--service=cmc.referral.v1.ReferralService]
//                 [--wait_ms=30000]
//       Prints SERVING / NOT_SERVING / UNKNOWN / unreachable. Exit 0 when
//       SERVING, else 1. With
//       --wait_ms, keeps asking until SERVING or the time is up.
//   cmcctl events --addr=127.0.0.1:50050 --source=referral [--after=0]
//   [--limit=100]
//       Prints one page of a service's event feed, one JSON object per line.
//       Through the gateway
//       --source picks the service (x-cmc-service); against a service directly
//       it is ignored.
//
//   cmcctl demo-county --addr=127.0.0.1:50050
//       Loads a small demo county through the gateway (community DEMO of
//       county 360426: a lead hospital, 3 township centers, 6 village clinics,
//       6 villages, 20 staff) and prints a summary of what the community
//       holds. Every create has a fixed request_id, so a rerun changes nothing.
//       Needs a token with role community_admin. See demo_county.h.
//
//   cmcctl token --secret_file=.local/jwt-hs256.secret --sub=user:dev
//                --roles=community_admin,auditor [--scope=county]
//                [--ttl_s=3600]
//                [--iss=cmc] [--aud=cmc]
//       Prints a bearer token signed with the HS256 secret in the file, for
//       local use (production tokens come from the county's identity
//       provider).
//
// Every call sends "authorization: Bearer <token>" when --token (or the
// environment variable CMC_TOKEN) is set. The gateway needs one for
// everything but health. --tls_ca_file (and --tls_cert_file, --tls_key_file
// for mutual TLS, --tls_server_name) connect to a gateway serving TLS.
//
// Exit status: 0 success, 1 the call failed or the target is not serving, 2 bad
// usage.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cmc/common/v1/event.grpc.pb.h"
#include "common/identity/jwt.h"
#include "common/log.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/cmcctl/demo_county.h"

ABSL_FLAG(std::string, addr, "127.0.0.1:50050",
          "host:port of the gateway or a service");
ABSL_FLAG(std::string, service, "",
          "health: the service name to ask about ('' = overall)");
ABSL_FLAG(int, wait_ms, 0,
          "health: keep asking until SERVING for up to this long");
ABSL_FLAG(int, timeout_ms, 2000, "deadline of each call");
ABSL_FLAG(std::string, source, "", "events: the service whose feed to read");
ABSL_FLAG(int64_t, after, 0, "events: the sequence to read after");
ABSL_FLAG(int, limit, 100, "events: at most this many");
ABSL_FLAG(std::string, token, "",
          "bearer token sent with every call (default: $CMC_TOKEN)");
ABSL_FLAG(std::string, tls_ca_file, "",
          "PEM CA of the server's certificate; connects with TLS when set");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM client certificate for mutual TLS (with --tls_key_file)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM key of --tls_cert_file");
ABSL_FLAG(std::string, tls_server_name, "",
          "name to check the server's certificate against, when --addr is an "
          "IP address or another name");
ABSL_FLAG(std::string, secret_file, "", "token: file of the HS256 secret");
ABSL_FLAG(std::string, sub, "", "token: subject, user:<name> or system:<name>");
ABSL_FLAG(std::string, roles, "", "token: comma-separated roles");
ABSL_FLAG(std::string, scope, "county",
          "token: comma-separated org scope (county, community:<id>, "
          "institution:<id>)");
ABSL_FLAG(int, ttl_s, 3600, "token: seconds until it expires");
ABSL_FLAG(std::string, iss, "cmc", "token: issuer");
ABSL_FLAG(std::string, aud, "cmc", "token: audience");

namespace {

std::string FileOrEmpty(const std::string& path) {
  if (path.empty()) return "";
  absl::StatusOr<std::string> text = cmc::ReadTextFile(path);
  if (!text.ok()) {
    std::fprintf(stderr, "%s\n", std::string(text.status().message()).c_str());
    std::exit(2);
  }
  return *text;
}

std::shared_ptr<grpc::Channel> Connect() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);  // a page of events may be large
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  if (!absl::GetFlag(FLAGS_tls_ca_file).empty()) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = FileOrEmpty(absl::GetFlag(FLAGS_tls_ca_file));
    tls.pem_cert_chain = FileOrEmpty(absl::GetFlag(FLAGS_tls_cert_file));
    tls.pem_private_key = FileOrEmpty(absl::GetFlag(FLAGS_tls_key_file));
    credentials = grpc::SslCredentials(tls);
    if (!absl::GetFlag(FLAGS_tls_server_name).empty()) {
      args.SetSslTargetNameOverride(absl::GetFlag(FLAGS_tls_server_name));
    }
  }
  return grpc::CreateCustomChannel(absl::GetFlag(FLAGS_addr), credentials,
                                   args);
}

// The deadline and the bearer token of every call.
void PrepareCall(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(
      absl::Now() + absl::Milliseconds(absl::GetFlag(FLAGS_timeout_ms))));
  std::string token = absl::GetFlag(FLAGS_token);
  if (token.empty() && std::getenv("CMC_TOKEN") != nullptr) {
    token = std::getenv("CMC_TOKEN");
  }
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
}

// A JSON array of the comma-separated `list`.
std::string JsonArray(const std::string& list) {
  std::vector<std::string> items;
  for (absl::string_view item :
       absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    items.push_back(absl::StrCat("\"", cmc::JsonEscape(item), "\""));
  }
  return absl::StrCat("[", absl::StrJoin(items, ","), "]");
}

int Token() {
  if (absl::GetFlag(FLAGS_secret_file).empty() ||
      absl::GetFlag(FLAGS_sub).empty()) {
    std::fprintf(stderr, "token: --secret_file and --sub are required\n");
    return 2;
  }
  absl::StatusOr<std::string> secret =
      cmc::ReadHs256SecretFile(absl::GetFlag(FLAGS_secret_file));
  if (!secret.ok()) {
    std::fprintf(stderr, "token: %s\n",
                 std::string(secret.status().message()).c_str());
    return 2;
  }
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const std::string claims = absl::StrCat(
      "{\"sub\":\"", cmc::JsonEscape(absl::GetFlag(FLAGS_sub)),
      "\",\"roles\":", JsonArray(absl::GetFlag(FLAGS_roles)),
      ",\"scope\":", JsonArray(absl::GetFlag(FLAGS_scope)), ",\"iss\":\"",
      cmc::JsonEscape(absl::GetFlag(FLAGS_iss)), "\",\"aud\":\"",
      cmc::JsonEscape(absl::GetFlag(FLAGS_aud)), "\",\"iat\":", now,
      ",\"exp\":", now + absl::GetFlag(FLAGS_ttl_s), "}");
  absl::StatusOr<std::string> token =
      cmc::SignJwt(cmc::JwtAlgorithm::kHs256, claims, *secret);
  if (!token.ok()) {
    std::fprintf(stderr, "token: %s\n",
                 std::string(token.status().message()).c_str());
    return 2;
  }
  std::printf("%s\n", token->c_str());
  return 0;
}

// One health check: the status name, or "unreachable: <why>".
std::string CheckOnce(grpc::health::v1::Health::Stub& stub, bool* serving) {
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(absl::GetFlag(FLAGS_service));
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  PrepareCall(&context);
  grpc::Status status = stub.Check(&context, request, &response);
  *serving = false;
  if (!status.ok())
    return absl::StrCat("unreachable: ", status.error_message());
  *serving =
      response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
      response.status());
}

int Health() {
  auto stub = grpc::health::v1::Health::NewStub(Connect());
  const absl::Time give_up =
      absl::Now() + absl::Milliseconds(absl::GetFlag(FLAGS_wait_ms));
  while (true) {
    bool serving = false;
    const std::string text = CheckOnce(*stub, &serving);
    if (serving || absl::Now() >= give_up) {
      std::printf("%s\n", text.c_str());
      return serving ? 0 : 1;
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
}

int Events() {
  auto stub = cmc::common::v1::EventFeed::NewStub(Connect());
  cmc::common::v1::ListEventsRequest request;
  request.set_after_sequence(absl::GetFlag(FLAGS_after));
  request.set_limit(absl::GetFlag(FLAGS_limit));
  cmc::common::v1::ListEventsResponse response;
  grpc::ClientContext context;
  PrepareCall(&context);
  if (!absl::GetFlag(FLAGS_source).empty()) {
    context.AddMetadata("x-cmc-service", absl::GetFlag(FLAGS_source));
  }
  grpc::Status status = stub->ListEvents(&context, request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "ListEvents failed: %d %s\n", status.error_code(),
                 status.error_message().c_str());
    return 1;
  }
  for (const auto& event : response.events()) {
    cmc::common::v1::Event printable = event;
    printable.clear_payload();  // its type is known to the producer's contract,
                                // not to cmcctl
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(printable, &json,
                                                      options);
    std::printf("%s\n", json.c_str());
  }
  std::fprintf(stderr, "last_sequence %lld\n",
               static_cast<long long>(response.last_sequence()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "cmcctl <health|events|demo-county|token> [flags]: a client of a CMC "
      "deployment (see --help)");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    std::fprintf(stderr,
                 "usage: cmcctl <health|events|demo-county|token> [flags]; "
                 "cmcctl --help for flags\n");
    return 2;
  }
  const std::string command = args[1];
  if (command == "health") return Health();
  if (command == "events") return Events();
  if (command == "token") return Token();
  if (command == "demo-county") {
    return cmc::cmcctl::DemoCounty(Connect(), PrepareCall);
  }
  std::fprintf(stderr,
               "unknown command '%s'; expected health, events, demo-county or "
               "token\n",
               command.c_str());
  return 2;
}
