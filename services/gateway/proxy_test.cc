#include "services/gateway/proxy.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cmc/common/v1/event.grpc.pb.h"
#include "common/status.h"
#include "common/testing/fake_backend.h"
#include "common/testing/generic_call.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace cmc::gateway {
namespace {

using ::cmc::testing::FakeBackend;
using ::cmc::testing::FakeFeed;
using ::cmc::testing::GenericCall;
using ::cmc::testing::RefusingPort;

using cmc::common::v1::Event;
using cmc::common::v1::EventFeed;
using cmc::common::v1::ListEventsRequest;
using cmc::common::v1::ListEventsResponse;
using cmc::common::v1::WatchEventsRequest;

std::string ToString(grpc::string_ref ref) {
  return std::string(ref.data(), ref.size());
}

// Keeps what the proxy hands it, for assertions.
class RecordingSink final : public AuditSink {
 public:
  void Record(v1::AuditRecord record) override {
    std::lock_guard<std::mutex> lock(mu_);
    records_.push_back(std::move(record));
  }
  std::vector<v1::AuditRecord> records() {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }

 private:
  std::mutex mu_;
  std::vector<v1::AuditRecord> records_;
};

// A proxy in front of one live backend ("referral") and one that is down
// ("dispatch").
class ProxyTest : public ::testing::Test {
 protected:
  static constexpr int kMaxMessageBytes = 1 << 20;

  // A unary call of `method` through the proxy with a request of `payload`,
  // extra request metadata and a deadline; `elapsed` (optional) gets its
  // duration.
  grpc::Status CallWith(const std::string& method, const std::string& payload,
                        const std::map<std::string, std::string>& metadata,
                        std::chrono::milliseconds timeout,
                        std::chrono::milliseconds* elapsed = nullptr) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext context;
    for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    grpc::Slice slice(payload);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer reply;
    std::promise<grpc::Status> done;
    const auto start = std::chrono::steady_clock::now();
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &reply,
                   [&done](grpc::Status s) { done.set_value(s); });
    grpc::Status status = done.get_future().get();
    if (elapsed != nullptr) {
      *elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
    }
    return status;
  }

  void SetUp() override {
    absl::StatusOr<RouteTable> routes = RouteTable::Create(
        {{"referral", backend_.address()}, {"dispatch", down_.address()}});
    ASSERT_TRUE(routes.ok()) << routes.status();
    ProxyOptions options;
    options.default_timeout = absl::Seconds(7);
    options.max_timeout = absl::Seconds(20);
    options.access_control = access_control();
    options.audit = &audit_;
    auto proxy = Proxy::Create(
        *routes, CreateInsecureChannels(routes->backends()), options);
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = std::move(*proxy);

    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterCallbackGenericService(proxy_.get());
    // As cmc::Server sets --max_message_bytes on the gateway.
    builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials());
    feed_ = EventFeed::NewStub(channel_);
  }

  // The proxy's access control; none by default (forwarding tests).
  virtual const AccessControl* access_control() { return nullptr; }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() +
                        std::chrono::seconds(2));
    }
    backend_.Shutdown();
  }

  // A context for the event feed of `service`.
  static std::unique_ptr<grpc::ClientContext> FeedContext(
      const std::string& service = "referral") {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!service.empty()) context->AddMetadata("x-cmc-service", service);
    return context;
  }

  // The echoed request metadata of a ListEvents called with "x-test-echo": key
  // -> value.
  static std::multimap<std::string, std::string> Echoed(
      const ListEventsResponse& response) {
    std::multimap<std::string, std::string> metadata;
    for (const Event& event : response.events()) {
      if (event.sequence() == 0)
        metadata.emplace(event.type(), event.payload().value());
    }
    return metadata;
  }

  // A unary call of `method` with an empty message through the proxy.
  grpc::Status CallGeneric(const std::string& method,
                           const std::string& request_id) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext context;
    if (!request_id.empty()) context.AddMetadata("x-request-id", request_id);
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    grpc::ByteBuffer request(nullptr, 0);
    grpc::ByteBuffer reply;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &reply,
                   [&done](grpc::Status s) { done.set_value(s); });
    return done.get_future().get();
  }

  RecordingSink audit_;
  FakeBackend backend_;
  RefusingPort down_;
  std::unique_ptr<Proxy> proxy_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<EventFeed::Stub> feed_;
};

TEST_F(ProxyTest, UnaryResponseAndMetadataArriveUnchanged) {
  ListEventsRequest request;
  request.set_after_sequence(40);
  request.set_limit(3);

  grpc::ClientContext direct_context;
  ListEventsResponse direct;
  auto direct_stub = EventFeed::NewStub(grpc::CreateChannel(
      backend_.address(), grpc::InsecureChannelCredentials()));
  ASSERT_TRUE(direct_stub->ListEvents(&direct_context, request, &direct).ok());

  auto context = FeedContext();
  ListEventsResponse proxied;
  grpc::Status status = feed_->ListEvents(context.get(), request, &proxied);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(proxied.SerializeAsString(), direct.SerializeAsString());
  ASSERT_EQ(proxied.events_size(), 3);
  EXPECT_EQ(proxied.events(0).sequence(), 41);

  auto initial = context->GetServerInitialMetadata().find("x-backend-initial");
  ASSERT_NE(initial, context->GetServerInitialMetadata().end());
  EXPECT_EQ(ToString(initial->second), "hello");
  auto trailer = context->GetServerTrailingMetadata().find("x-backend-trailer");
  ASSERT_NE(trailer, context->GetServerTrailingMetadata().end());
  EXPECT_EQ(ToString(trailer->second), "bye");
}

TEST_F(ProxyTest, ForwardedWritesAreAuditedWithTheirResultReadsAreNot) {
  const struct {
    std::string method;
    std::string request_id;
    grpc::StatusCode code;  // what the caller gets, and the record says
  } writes[] = {
      // The fake backend echoes every method that is not EventFeed's.
      {"/cmc.referral.v1.ReferralService/CreateReferral", "req-1",
       grpc::StatusCode::OK},
      {"/cmc.dispatch.v1.DispatchService/CreateTour", "",
       grpc::StatusCode::UNAVAILABLE},
  };
  ListEventsResponse response;
  ASSERT_TRUE(
      feed_->ListEvents(FeedContext().get(), ListEventsRequest(), &response)
          .ok());
  ASSERT_TRUE(
      CallGeneric("/cmc.referral.v1.ReferralService/GetReferral", "r").ok());
  EXPECT_TRUE(audit_.records().empty()) << "reads are not audited";

  for (const auto& c : writes) {
    EXPECT_EQ(CallGeneric(c.method, c.request_id).error_code(), c.code)
        << c.method;
  }
  const std::vector<v1::AuditRecord> records = audit_.records();
  ASSERT_EQ(records.size(), std::size(writes));
  for (size_t i = 0; i < records.size(); ++i) {
    SCOPED_TRACE(writes[i].method);
    EXPECT_EQ("/" + records[i].method(), writes[i].method);
    EXPECT_EQ(records[i].request_id(), writes[i].request_id);
    EXPECT_EQ(records[i].code(),
              absl::StatusCodeToString(
                  static_cast<absl::StatusCode>(writes[i].code)));
    EXPECT_EQ(records[i].subject(), "") << "no access control: anonymous";
    EXPECT_NE(records[i].peer().find("127.0.0.1"), std::string::npos);
    EXPECT_GT(records[i].time().seconds(), 1'700'000'000);
  }
}

TEST_F(ProxyTest, ServerStreamArrivesCompleteAndInOrder) {
  constexpr int kCount = 200;
  auto context = FeedContext();
  context->AddMetadata("x-test-count", std::to_string(kCount));
  WatchEventsRequest request;
  request.set_after_sequence(1000);
  auto reader = feed_->WatchEvents(context.get(), request);
  Event event;
  std::vector<int64_t> sequences;
  while (reader->Read(&event)) sequences.push_back(event.sequence());
  grpc::Status status = reader->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(sequences.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(sequences[i], 1001 + i);
}

TEST_F(ProxyTest, CallerMetadataForwardedExceptPrincipalAndAuthorization) {
  auto context = FeedContext();
  context->AddMetadata("x-test-echo", "1");
  context->AddMetadata("x-request-id", "req-42");
  context->AddMetadata("authorization", "Bearer abc");
  context->AddMetadata("x-trace-bin", std::string("\x00\x01\xff", 3));
  context->AddMetadata("x-cmc-principal-subject", "forged-admin");
  context->AddMetadata("x-cmc-principal-roles", "county_admin");
  ListEventsResponse response;
  ASSERT_TRUE(
      feed_->ListEvents(context.get(), ListEventsRequest(), &response).ok());

  const auto seen = Echoed(response);
  const std::pair<const char*, std::string> forwarded[] = {
      {"x-request-id", "req-42"},
      {"x-trace-bin", std::string("\x00\x01\xff", 3)},
      {"x-cmc-service", "referral"},
  };
  for (const auto& [key, value] : forwarded) {
    SCOPED_TRACE(key);
    ASSERT_EQ(seen.count(key), 1u);
    EXPECT_EQ(seen.find(key)->second, value);
  }
  for (const auto& [key, value] : seen) {
    EXPECT_NE(key.rfind("x-cmc-principal-", 0), 0u)
        << key << " reached the backend";
  }
  EXPECT_EQ(seen.count("authorization"), 0u)
      << "the token stays at the gateway";
}

TEST_F(ProxyTest, BackendErrorsKeepCodeMessageAndDetails) {
  const grpc::StatusCode codes[] = {
      grpc::StatusCode::INVALID_ARGUMENT,    grpc::StatusCode::NOT_FOUND,
      grpc::StatusCode::FAILED_PRECONDITION, grpc::StatusCode::ABORTED,
      grpc::StatusCode::PERMISSION_DENIED,   grpc::StatusCode::INTERNAL};
  for (grpc::StatusCode code : codes) {
    SCOPED_TRACE(static_cast<int>(code));
    auto context = FeedContext();
    context->AddMetadata("x-test-fail", std::to_string(static_cast<int>(code)));
    ListEventsResponse response;
    grpc::Status status =
        feed_->ListEvents(context.get(), ListEventsRequest(), &response);
    const grpc::Status want = FakeFeed::InjectedFailure(code);
    EXPECT_EQ(status.error_code(), code);
    EXPECT_EQ(status.error_message(), "injected failure");
    EXPECT_EQ(status.error_details(), want.error_details());
    EXPECT_EQ(BadField(FromGrpcStatus(status)), "limit");
  }
}

// The ErrorInfo the gateway adds to a backend's UNAVAILABLE.
google::rpc::ErrorInfo UnavailableInfo(const grpc::Status& status) {
  google::rpc::ErrorInfo info;
  auto payload = FromGrpcStatus(status).GetPayload(kErrorInfoTypeUrl);
  EXPECT_TRUE(payload.has_value());
  if (payload.has_value()) {
    EXPECT_TRUE(info.ParseFromString(std::string(*payload)));
  }
  return info;
}

TEST_F(ProxyTest, BackendUnavailableNamesTheBackendAndKeepsItsDetails) {
  auto context = FeedContext();
  context->AddMetadata("x-test-fail",
                       std::to_string(grpc::StatusCode::UNAVAILABLE));
  ListEventsResponse response;
  grpc::Status status =
      feed_->ListEvents(context.get(), ListEventsRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(),
            absl::StrCat("backend referral (", backend_.address(),
                         ") is unavailable: injected failure"));
  EXPECT_EQ(BadField(FromGrpcStatus(status)), "limit");
  const google::rpc::ErrorInfo info = UnavailableInfo(status);
  EXPECT_EQ(info.reason(), "BACKEND_UNAVAILABLE");
  EXPECT_EQ(info.metadata().at("backend"), "referral");
}

TEST_F(ProxyTest, BackendDownIsUnavailableNamingBackendAndAddress) {
  auto context = FeedContext("dispatch");
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(5));
  ListEventsResponse response;
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status =
      feed_->ListEvents(context.get(), ListEventsRequest(), &response);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find(absl::StrCat(
                "backend dispatch (", down_.address(), ") is unavailable")),
            std::string::npos)
      << status.error_message();
  EXPECT_EQ(UnavailableInfo(status).metadata().at("backend"), "dispatch");
}

TEST_F(ProxyTest, DeadlineForwarded) {
  struct Case {
    const char* name;
    std::chrono::seconds caller_timeout;  // 0: the caller sets none
    int64_t min_ms;
    int64_t max_ms;
  };
  const Case cases[] = {
      {"caller's deadline", std::chrono::seconds(5), 4000, 5000},
      {"default when the caller sets none", std::chrono::seconds(0), 6000,
       7000},
      {"capped at max_timeout", std::chrono::seconds(3600), 19000, 20000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto context = FeedContext();
    context->AddMetadata("x-test-echo", "1");
    if (c.caller_timeout.count() > 0) {
      context->set_deadline(std::chrono::system_clock::now() +
                            c.caller_timeout);
    }
    ListEventsResponse response;
    ASSERT_TRUE(
        feed_->ListEvents(context.get(), ListEventsRequest(), &response).ok());
    EXPECT_GT(response.last_sequence(), c.min_ms);
    // grpc-timeout is sent rounded up, so the backend may see a little more.
    EXPECT_LE(response.last_sequence(), c.max_ms + 250);
  }
}

TEST_F(ProxyTest, EventFeedNeedsAKnownServiceHeader) {
  for (const char* service : {"", "billing"}) {
    SCOPED_TRACE(service);
    auto context = FeedContext(service);
    ListEventsResponse response;
    grpc::Status status =
        feed_->ListEvents(context.get(), ListEventsRequest(), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(BadField(FromGrpcStatus(status)), "metadata.x-cmc-service");
  }
}

TEST_F(ProxyTest, UnknownMethodsAreUnimplemented) {
  grpc::GenericStub stub(channel_);
  for (const char* method : {"/cmc.billing.v1.BillingService/Pay",
                             "/cmc.gateway.v1.GatewayService/Overview",
                             "/cmc.finance.v1.FinanceService/SubmitClaim"}) {
    SCOPED_TRACE(method);
    grpc::ClientContext context;
    GenericCall call(stub, &context, method);
    call.Write("request");
    call.WritesDone();
    grpc::Status status = call.Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_EQ(
        status.error_message(),
        absl::StrCat("method ", method, " is not served by this gateway"));
  }
}

TEST_F(ProxyTest, CallerCancellingAStreamCancelsTheBackend) {
  auto context = FeedContext();
  context->AddMetadata("x-test-count", "-1");
  context->AddMetadata("x-test-interval-ms", "10");
  auto reader = feed_->WatchEvents(context.get(), WatchEventsRequest());
  Event event;
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(reader->Read(&event));
    EXPECT_EQ(event.sequence(), i);
  }
  context->TryCancel();
  EXPECT_TRUE(backend_.feed().WaitForCancellation(absl::Seconds(1)));
  while (reader->Read(&event)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(ProxyTest, ClientStreamHalfCloseReachesTheBackend) {
  grpc::GenericStub stub(channel_);
  grpc::ClientContext context;
  GenericCall call(stub, &context, "/cmc.referral.v1.ReferralService/Upload");
  for (const char* text : {"one", "two", "three"})
    ASSERT_TRUE(call.Write(text));
  call.WritesDone();
  std::vector<std::string> echoed;
  std::string text;
  while (call.Read(&text)) echoed.push_back(text);
  grpc::Status status = call.Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(echoed, (std::vector<std::string>{"one", "two", "three"}));
  auto count = context.GetServerTrailingMetadata().find("x-echo-count");
  ASSERT_NE(count, context.GetServerTrailingMetadata().end());
  EXPECT_EQ(ToString(count->second), "3");
}

TEST_F(ProxyTest, BidiStreamInterleaves) {
  grpc::GenericStub stub(channel_);
  grpc::ClientContext context;
  GenericCall call(stub, &context, "/cmc.referral.v1.ReferralService/Chat");
  for (int i = 0; i < 20; ++i) {
    const std::string sent =
        absl::StrCat("message ", i, std::string(i * 1000, 'x'));
    ASSERT_TRUE(call.Write(sent));
    std::string received;
    ASSERT_TRUE(call.Read(&received));
    EXPECT_EQ(received, sent);
  }
  call.WritesDone();
  std::string extra;
  EXPECT_FALSE(call.Read(&extra));
  EXPECT_TRUE(call.Finish().ok());
  auto initial = context.GetServerInitialMetadata().find("x-backend-initial");
  ASSERT_NE(initial, context.GetServerInitialMetadata().end());
  EXPECT_EQ(ToString(initial->second), "hello");
}

TEST_F(ProxyTest, ConcurrentUnaryCallsAllSucceed) {
  constexpr int kThreads = 8;
  constexpr int kCallsPerThread = 25;
  std::atomic<int> succeeded{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &succeeded] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        auto context = FeedContext();
        ListEventsRequest request;
        request.set_after_sequence(t * 1000 + i);
        request.set_limit(1);
        ListEventsResponse response;
        grpc::Status status =
            feed_->ListEvents(context.get(), request, &response);
        if (status.ok() && response.events_size() == 1 &&
            response.events(0).sequence() == t * 1000 + i + 1) {
          ++succeeded;
        } else {
          ADD_FAILURE() << status.error_code() << " " << status.error_message();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), kThreads * kCallsPerThread);
}

TEST(ProxyCreateTest, RejectsMissingChannelsAndBadTimeouts) {
  absl::StatusOr<RouteTable> routes =
      RouteTable::Create({{"referral", "127.0.0.1:1"}});
  ASSERT_TRUE(routes.ok());
  EXPECT_EQ(
      BadField(
          Proxy::Create(*routes, BackendChannels(), ProxyOptions()).status()),
      "channels");
  ProxyOptions options;
  options.default_timeout = absl::ZeroDuration();
  EXPECT_EQ(
      BadField(Proxy::Create(
                   *routes, CreateInsecureChannels(routes->backends()), options)
                   .status()),
      "default_timeout");
}

// Reads are not audited, unless the backend says the response carried
// unmasked personal data: then the read is recorded with the flag set.
TEST_F(ProxyTest, ReadsReturningUnmaskedPersonalDataAreAudited) {
  auto plain = FeedContext();
  ListEventsResponse response;
  ASSERT_TRUE(
      feed_->ListEvents(plain.get(), ListEventsRequest(), &response).ok());
  auto personal = FeedContext();
  personal->AddMetadata("x-test-personal-data", "1");
  personal->AddMetadata("x-request-id", "req-pd");
  ASSERT_TRUE(
      feed_->ListEvents(personal.get(), ListEventsRequest(), &response).ok());
  EXPECT_EQ(personal->GetServerTrailingMetadata().count(kPersonalDataTrailer),
            1u)
      << "the caller sees the marker too";
  auto failing = FeedContext();
  failing->AddMetadata("x-test-personal-data", "1");
  failing->AddMetadata("x-test-fail", "7");
  EXPECT_EQ(feed_->ListEvents(failing.get(), ListEventsRequest(), &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Writes are still recorded, without the flag.
  ASSERT_TRUE(
      CallGeneric("/cmc.referral.v1.ReferralService/CreateReferral", "req-w")
          .ok());

  const std::vector<v1::AuditRecord> records = audit_.records();
  ASSERT_EQ(records.size(), 3u) << "the plain read is not recorded";
  EXPECT_EQ(records[0].method(), "cmc.common.v1.EventFeed/ListEvents");
  EXPECT_EQ(records[0].request_id(), "req-pd");
  EXPECT_EQ(records[0].code(), "OK");
  EXPECT_TRUE(records[0].personal_data_read());
  EXPECT_EQ(records[1].code(), "PERMISSION_DENIED");
  EXPECT_TRUE(records[1].personal_data_read())
      << "a failed call whose backend set the marker is recorded";
  EXPECT_EQ(records[2].method(),
            "cmc.referral.v1.ReferralService/CreateReferral");
  EXPECT_FALSE(records[2].personal_data_read());
}

// A request larger than --max_message_bytes is refused by the gateway with
// RESOURCE_EXHAUSTED and never reaches the backend; one just under it passes.
TEST_F(ProxyTest, OversizedRequestIsRefusedAndNeverReachesTheBackend) {
  const std::string method = "/cmc.referral.v1.ReferralService/CreateReferral";
  for (int i = 0; i < 20; ++i) {
    const grpc::Status status =
        CallWith(method, std::string(kMaxMessageBytes + 1, 'x'), {},
                 std::chrono::milliseconds(5000));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << status.error_message();
  }
  // A later call on the same channel still reaches the backend.
  const grpc::Status fits =
      CallWith(method, std::string(kMaxMessageBytes - 1024, 'x'), {},
               std::chrono::milliseconds(5000));
  EXPECT_TRUE(fits.ok()) << fits.error_message();
  EXPECT_EQ(backend_.echo().calls(method), 1)
      << "only the request that fits reached the backend";
  EXPECT_EQ(audit_.records().size(), 1u)
      << "refusals by the gateway are not audited";
}

// A read the backend refuses once with UNAVAILABLE succeeds after exactly one
// retry; a read refused every time gives up after three attempts.
TEST_F(ProxyTest, ReadRefusedOnceSucceedsAfterOneRetry) {
  const std::string read = "/cmc.referral.v1.ReferralService/GetReferral";
  const grpc::Status status =
      CallWith(read, "ref-1", {{"x-test-fail-first", "1"}},
               std::chrono::milliseconds(5000));
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(backend_.echo().calls(read), 2);

  const std::string list = "/cmc.referral.v1.ReferralService/ListReferrals";
  const grpc::Status down = CallWith(list, "", {{"x-test-fail-first", "100"}},
                                     std::chrono::milliseconds(5000));
  EXPECT_EQ(down.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(down.error_message().find("backend referral"), std::string::npos)
      << down.error_message();
  EXPECT_EQ(backend_.echo().calls(list), 3) << "at most 3 attempts";
}

// Writes and subscriptions are attempted once: the caller sees UNAVAILABLE.
TEST_F(ProxyTest, WriteRefusedOnceIsNotRetried) {
  for (const std::string method :
       {"/cmc.referral.v1.ReferralService/CreateReferral",
        "/cmc.referral.v1.ReferralService/AcceptReferral",
        "/cmc.referral.v1.ReferralService/WatchReferrals"}) {
    SCOPED_TRACE(method);
    const grpc::Status status =
        CallWith(method, "write", {{"x-test-fail-first", "1"}},
                 std::chrono::milliseconds(5000));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_NE(status.error_message().find("injected refusal"),
              std::string::npos)
        << status.error_message();
    EXPECT_EQ(backend_.echo().calls(method), 1);
  }
}

// Retries never outlast the caller's deadline: a backend that refuses each
// attempt after 150 ms gets two attempts within a 250 ms deadline.
TEST_F(ProxyTest, RetriesStayWithinTheCallersDeadline) {
  const std::string read = "/cmc.referral.v1.ReferralService/GetReferral";
  std::chrono::milliseconds elapsed{};
  const grpc::Status status = CallWith(
      read, "ref-1", {{"x-test-fail-first", "100"}, {"x-test-delay-ms", "150"}},
      std::chrono::milliseconds(250), &elapsed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << status.error_message();
  EXPECT_LT(elapsed.count(), 400);
  // The backend sleeps before refusing, so a third attempt may just have
  // started when the deadline passed; a fourth never.
  EXPECT_GE(backend_.echo().calls(read), 2);
  EXPECT_LE(backend_.echo().calls(read), 3);
}

// The proxy with access control: HS256 tokens, the feed open to auditors, and
// 2 calls at once per principal.
class ProxyAccessTest : public ProxyTest {
 protected:
  static constexpr char kSecret[] = "proxy-access-test-secret-0123456789";

  const AccessControl* access_control() override {
    TokenVerifierOptions verifier;
    verifier.hs256_secret = kSecret;
    verifier.issuer = "cmc";
    verifier.audience = "cmc";
    v1::GatewayPolicy policy;
    auto* rule = policy.add_rules();
    rule->set_method("cmc.common.v1.EventFeed/*");
    rule->add_roles("auditor");
    access_ = std::make_unique<AccessControl>(
        TokenVerifier::Create(verifier).value(),
        AccessPolicy::Create(policy).value(),
        RateLimiterOptions{/*rate_per_s=*/0.01, /*burst=*/2});
    return access_.get();
  }

  static std::string Token(const std::string& sub, const std::string& role,
                           const std::string& audience = "cmc") {
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    return SignJwt(JwtAlgorithm::kHs256,
                   absl::StrCat(
                       R"({"sub":")", sub, R"(","roles":[")", role,
                       R"("],"scope":["community:com-1"],"iss":"cmc",)",
                       R"("aud":")", audience, R"(","exp":)", now + 60, "}"),
                   kSecret)
        .value();
  }

  // ListEvents through the proxy with `token` ("" = none); the echoed
  // metadata the backend saw in `seen` (empty when it was not called).
  grpc::Status Call(const std::string& token,
                    std::multimap<std::string, std::string>* seen = nullptr) {
    auto context = FeedContext();
    context->AddMetadata("x-test-echo", "1");
    context->AddMetadata("x-cmc-principal-roles", "forged");
    if (!token.empty())
      context->AddMetadata("authorization", "Bearer " + token);
    ListEventsResponse response;
    grpc::Status status =
        feed_->ListEvents(context.get(), ListEventsRequest(), &response);
    const bool backend_called =
        context->GetServerInitialMetadata().count("x-backend-initial") > 0;
    EXPECT_EQ(backend_called, status.ok()) << status.error_message();
    if (seen != nullptr) *seen = Echoed(response);
    return status;
  }

  std::unique_ptr<AccessControl> access_;
};

TEST_F(ProxyAccessTest, RejectedCallsNeverReachTheBackend) {
  struct Case {
    std::string name;
    std::string token;
    grpc::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"no token", "", grpc::StatusCode::UNAUTHENTICATED, "invalid token"},
      {"wrong audience", Token("user:li", "auditor", "other"),
       grpc::StatusCode::UNAUTHENTICATED, "invalid token"},
      {"wrong role", Token("user:li", "clinician"),
       grpc::StatusCode::PERMISSION_DENIED,
       "permission denied for method /cmc.common.v1.EventFeed/ListEvents"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const grpc::Status status = Call(c.token);
    EXPECT_EQ(status.error_code(), c.code);
    EXPECT_EQ(status.error_message(), c.message);
  }
}

TEST_F(ProxyAccessTest, CallsRefusedByTheGatewayAreNotAudited) {
  EXPECT_EQ(CallGeneric("/cmc.referral.v1.ReferralService/CreateReferral", "")
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(audit_.records().empty());
}

TEST_F(ProxyAccessTest, TheBackendGetsTheVerifiedPrincipal) {
  std::multimap<std::string, std::string> seen;
  const grpc::Status status = Call(Token("user:li", "auditor"), &seen);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::pair<const char*, const char*> expected[] = {
      {"x-cmc-principal-subject", "user:li"},
      {"x-cmc-principal-roles", "auditor"},
      {"x-cmc-principal-scope", "community:com-1"},
  };
  for (const auto& [key, value] : expected) {
    SCOPED_TRACE(key);
    ASSERT_EQ(seen.count(key), 1u) << "forged headers are dropped";
    EXPECT_EQ(seen.find(key)->second, value);
  }
  EXPECT_EQ(seen.count("authorization"), 0u);
}

TEST_F(ProxyAccessTest, ANoisyPrincipalIsLimitedAndAnotherIsNot) {
  const std::string noisy = Token("user:noisy", "auditor");
  EXPECT_TRUE(Call(noisy).ok());
  EXPECT_TRUE(Call(noisy).ok());
  const grpc::Status limited = Call(noisy);
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(limited.error_details()));
  google::rpc::RetryInfo retry;
  ASSERT_EQ(rich.details_size(), 1);
  ASSERT_TRUE(rich.details(0).UnpackTo(&retry));
  EXPECT_GT(retry.retry_delay().seconds(), 90) << "one token per 100 s";
  EXPECT_TRUE(Call(Token("user:quiet", "auditor")).ok());
}

}  // namespace
}  // namespace cmc::gateway
