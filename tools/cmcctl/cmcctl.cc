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
// Exit status: 0 success, 1 the call failed or the target is not serving, 2 bad
// usage.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cmc/common/v1/event.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

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

namespace {

std::shared_ptr<grpc::Channel> Connect() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);  // a page of events may be large
  return grpc::CreateCustomChannel(absl::GetFlag(FLAGS_addr),
                                   grpc::InsecureChannelCredentials(), args);
}

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(
      absl::Now() + absl::Milliseconds(absl::GetFlag(FLAGS_timeout_ms))));
}

// One health check: the status name, or "unreachable: <why>".
std::string CheckOnce(grpc::health::v1::Health::Stub& stub, bool* serving) {
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(absl::GetFlag(FLAGS_service));
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  SetDeadline(&context);
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
  SetDeadline(&context);
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
      "cmcctl <health|events> [flags]: a client of a CMC deployment (see "
      "--help)");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    std::fprintf(
        stderr,
        "usage: cmcctl <health|events> [flags]; cmcctl --help for flags\n");
    return 2;
  }
  const std::string command = args[1];
  if (command == "health") return Health();
  if (command == "events") return Events();
  std::fprintf(stderr, "unknown command '%s'; expected health or events\n",
               command.c_str());
  return 2;
}
