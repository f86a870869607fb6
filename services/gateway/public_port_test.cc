// The gateway's public port as main.cc builds it (PublicServerOptions on a
// cmc::Server, the proxy behind access control) in front of a fake backend:
// the header limit that fits a county-wide token, what happens past it, the
// message limit, and reflection served only when asked (issue #11).
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "cmc/common/v1/event.grpc.pb.h"
#include "common/identity/jwt.h"
#include "common/server/server.h"
#include "common/testing/fake_backend.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/proxy.h"

namespace cmc::gateway {
namespace {

using cmc::common::v1::Event;
using cmc::common::v1::EventFeed;
using cmc::common::v1::ListEventsRequest;
using cmc::common::v1::ListEventsResponse;
using cmc::common::v1::WatchEventsRequest;
using ::cmc::testing::FakeFeed;

constexpr char kSecret[] = "public-port-test-secret-0123456789abc";

// A token for an auditor whose scope names `institutions` institutions by id
// ("institution:ins-<36 characters>"): about 22 KB for 300.
std::string Token(int institutions, absl::Duration ttl = absl::Minutes(5)) {
  std::string scope;
  for (int i = 0; i < institutions; ++i) {
    absl::StrAppend(&scope, i == 0 ? "" : ",", "\"institution:ins-",
                    absl::StrCat(100000 + i), "-7d3f-4a9b-b0c1-2e5f6a7b8c9d\"");
  }
  return SignJwt(JwtAlgorithm::kHs256,
                 absl::StrCat(R"({"sub":"system:his","roles":["auditor"],)",
                              R"("scope":[)", scope, R"(],"iss":"cmc",)",
                              R"("aud":"cmc","exp":)",
                              absl::ToUnixSeconds(absl::Now() + ttl), "}"),
                 kSecret)
      .value();
}

class PublicPortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The backend on a cmc::Server as the domain services run it: the
    // principal headers the gateway forwards (the scope of a county-wide
    // system) must fit its metadata limit too.
    ServerOptions backend_options;
    backend_options.service_name = "referral";
    backend_options.listen_host = "127.0.0.1";
    backend_ = std::make_unique<Server>(backend_options);
    backend_->AddService(&feed_service_, EventFeed::service_full_name());
    ASSERT_TRUE(backend_->Start().ok());
    Start(/*reflection=*/false);
  }

  void Start(bool reflection) {
    if (server_ != nullptr) server_->Shutdown();
    absl::FlagSaver saver;
    SetFlag("mysql_password", "secret");
    SetFlag("policy_file", CMC_SOURCE_DIR "/deploy/gateway/policy.textproto");
    SetFlag("auth_mode", "disabled");
    SetFlag("public_reflection", reflection ? "true" : "false");
    absl::StatusOr<GatewayConfig> config = GatewayConfigFromFlags();
    ASSERT_TRUE(config.ok()) << config.status();
    config->service.listen_host = "127.0.0.1";
    config->service.grpc_port = 0;
    config->service.metrics_port = -1;
    // Tokens, as with --auth_mode=required.
    TokenVerifierOptions verifier;
    verifier.hs256_secret = kSecret;
    verifier.issuer = "cmc";
    verifier.audience = "cmc";
    verifier.clock_skew = absl::ZeroDuration();  // streams end at exp
    v1::GatewayPolicy policy;
    auto* rule = policy.add_rules();
    rule->set_method("cmc.common.v1.EventFeed/*");
    rule->add_roles("auditor");
    access_ = std::make_unique<AccessControl>(
        TokenVerifier::Create(verifier).value(),
        AccessPolicy::Create(policy).value(), std::nullopt);
    absl::StatusOr<RouteTable> routes = RouteTable::Create(
        {{"referral", absl::StrCat("127.0.0.1:", backend_->grpc_port())}});
    ASSERT_TRUE(routes.ok()) << routes.status();
    ProxyOptions options;
    options.access_control = access_.get();
    auto proxy = Proxy::Create(
        *routes, CreateBackendChannels(routes->backends()), options);
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = std::move(*proxy);
    server_ = std::make_unique<Server>(PublicServerOptions(*config));
    server_->AddGenericService(proxy_.get());
    ASSERT_TRUE(server_->Start().ok());
    channel_ =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                            grpc::InsecureChannelCredentials());
    feed_ = EventFeed::NewStub(channel_);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
    backend_->Shutdown();
  }

  static void SetFlag(const std::string& flag, const std::string& value) {
    std::string error;
    ASSERT_TRUE(absl::FindCommandLineFlag(flag)->ParseFrom(value, &error))
        << flag << ": " << error;
  }

  // ListEvents through the gateway with `token` as the bearer token and
  // `padding` bytes of another header.
  grpc::Status List(const std::string& token, size_t padding = 0) {
    grpc::ClientContext context;
    context.AddMetadata("x-cmc-service", "referral");
    context.AddMetadata("authorization", "Bearer " + token);
    if (padding > 0)
      context.AddMetadata("x-padding", std::string(padding, 'p'));
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    ListEventsRequest request;
    request.set_limit(1);
    ListEventsResponse response;
    return feed_->ListEvents(&context, request, &response);
  }

  FakeFeed feed_service_;
  std::unique_ptr<Server> backend_;
  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<Proxy> proxy_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<EventFeed::Stub> feed_;
};

TEST_F(PublicPortTest, ATokenNamingThreeHundredInstitutionsIsAdmitted) {
  const std::string token = Token(300);
  ASSERT_GT(token.size(), 20000u);
  ASSERT_LE(token.size(), kMaxTokenBytes);
  const grpc::Status status = List(token);
  EXPECT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message() << " (token of "
                           << token.size() << " bytes)";
}

TEST_F(PublicPortTest, ATokenPastTheLimitIsInvalidAndHarmsNoOtherCall) {
  // A stream in flight on the same connection.
  grpc::ClientContext watch_context;
  watch_context.AddMetadata("x-cmc-service", "referral");
  watch_context.AddMetadata("authorization", "Bearer " + Token(1));
  watch_context.AddMetadata("x-test-count", "-1");
  watch_context.AddMetadata("x-test-interval-ms", "20");
  auto watch = feed_->WatchEvents(&watch_context, WatchEventsRequest());
  Event event;
  ASSERT_TRUE(watch->Read(&event));

  for (int institutions : {500, 1500, 3000}) {  // about 37, 107, 214 KB
    SCOPED_TRACE(institutions);
    const std::string too_long = Token(institutions);
    ASSERT_GT(too_long.size(), kMaxTokenBytes);
    ASSERT_LT(too_long.size() + 1000,
              static_cast<size_t>(kPublicMaxMetadataBytes));
    const grpc::Status status = List(too_long);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << status.error_message();
    EXPECT_EQ(status.error_message(), "invalid token");
    // The stream and new calls on the connection go on.
    EXPECT_TRUE(watch->Read(&event));
    EXPECT_TRUE(List(Token(300)).ok());
  }
  watch_context.TryCancel();
  while (watch->Read(&event)) {
  }
  EXPECT_EQ(watch->Finish().error_code(), grpc::StatusCode::CANCELLED);

  // Headers past the transport's limit are refused before the gateway; a
  // connection of another caller (its own subchannel pool: its own
  // connection), open before and after, is not touched.
  grpc::ChannelArguments own_connection;
  own_connection.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto other = EventFeed::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", server_->grpc_port()),
      grpc::InsecureChannelCredentials(), own_connection));
  const auto other_call = [&] {
    grpc::ClientContext context;
    context.AddMetadata("x-cmc-service", "referral");
    context.AddMetadata("authorization", "Bearer " + Token(1));
    ListEventsResponse response;
    return other->ListEvents(&context, ListEventsRequest(), &response);
  };
  EXPECT_TRUE(other_call().ok());
  EXPECT_FALSE(List(Token(1), kPublicMaxMetadataBytes + 1000).ok());
  EXPECT_TRUE(other_call().ok());
}

// Issue #11: a stream through the gateway ends when its token expires.
TEST_F(PublicPortTest, AStreamEndsUnauthenticatedWhenItsTokenExpires) {
  const absl::Time start = absl::Now();
  const std::string token = Token(1, absl::Seconds(2));  // exp in 1..2 s
  grpc::ClientContext context;
  context.AddMetadata("x-cmc-service", "referral");
  context.AddMetadata("authorization", "Bearer " + token);
  context.AddMetadata("x-test-count", "-1");
  context.AddMetadata("x-test-interval-ms", "20");
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  auto watch = feed_->WatchEvents(&context, WatchEventsRequest());
  Event event;
  int events = 0;
  while (watch->Read(&event)) ++events;
  const grpc::Status status = watch->Finish();
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << status.error_message();
  EXPECT_EQ(status.error_message(), "token expired");
  EXPECT_GT(events, 5) << "the stream ran until then";
  EXPECT_LT(took, absl::Seconds(4));
  EXPECT_GE(took, absl::Milliseconds(900));
}

TEST_F(PublicPortTest, MessagesAreLimitedToTheCountySize) {
  EXPECT_EQ(kPublicMaxMessageBytes, 4 << 20);
  grpc::ClientContext context;
  context.AddMetadata("x-cmc-service", "referral");
  context.AddMetadata("authorization", "Bearer " + Token(1));
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  ListEventsRequest request;
  // A field the contract does not know, 4 MiB long: only the size matters.
  request.GetReflection()->MutableUnknownFields(&request)->AddLengthDelimited(
      99, std::string(kPublicMaxMessageBytes + 1024, 's'));
  ListEventsResponse response;
  const grpc::Status status = feed_->ListEvents(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
}

// Asks for the list of services by reflection (ServerReflectionRequest
// {list_services: ""}, field 7, encoded by hand); the raw answer, or "" when
// the call fails. `code` gets the call's status code.
std::string ListServicesByReflection(const std::shared_ptr<grpc::Channel>& ch,
                                     grpc::StatusCode* code) {
  grpc::GenericStub stub(ch);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  auto call = stub.PrepareCall(
      &context,
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  auto step = [&](int want) {
    return cq.Next(&tag, &ok) && ok && tag == reinterpret_cast<void*>(want);
  };
  std::string bytes;
  call->StartCall(reinterpret_cast<void*>(1));
  if (step(1)) {
    const std::string request("\x3a\x00", 2);
    grpc::Slice slice(request);
    grpc::ByteBuffer out(&slice, 1);
    call->Write(out, reinterpret_cast<void*>(2));
    grpc::ByteBuffer in;
    if (step(2)) {
      call->Read(&in, reinterpret_cast<void*>(3));
      std::vector<grpc::Slice> slices;
      if (step(3) && in.Dump(&slices).ok()) {
        for (auto& s : slices) {
          bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
        }
      }
    }
  }
  call->WritesDone(reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(5)) {
  }
  *code = status.error_code();
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return bytes;
}

TEST_F(PublicPortTest, ReflectionIsServedOnlyWhenAsked) {
  grpc::StatusCode code;
  std::string listed = ListServicesByReflection(channel_, &code);
  EXPECT_EQ(listed, "");
  EXPECT_NE(code, grpc::StatusCode::OK);

  Start(/*reflection=*/true);
  listed = ListServicesByReflection(channel_, &code);
  EXPECT_NE(listed.find("grpc.health.v1.Health"), std::string::npos) << listed;
}

}  // namespace
}  // namespace cmc::gateway
