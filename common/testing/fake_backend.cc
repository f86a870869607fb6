#include "common/testing/fake_backend.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/identity/principal.h"
#include "common/status.h"
#include "google/rpc/error_details.pb.h"

namespace cmc::testing {
namespace {

using cmc::common::v1::Event;

int64_t Header(const grpc::ServerContext& context, const char* key,
               int64_t fallback) {
  auto it = context.client_metadata().find(key);
  int64_t value = fallback;
  if (it != context.client_metadata().end()) {
    EXPECT_TRUE(absl::SimpleAtoi(FakeFeed::ToString(it->second), &value));
  }
  return value;
}

// Fails at once with UNAVAILABLE, before any header is sent.
class Refuse final : public grpc::ServerGenericBidiReactor {
 public:
  Refuse() {
    Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "injected refusal"));
  }
  void OnDone() override { delete this; }
};

// Strictly one operation at a time, so its reactions never overlap.
class Echo final : public grpc::ServerGenericBidiReactor {
 public:
  explicit Echo(grpc::GenericCallbackServerContext* context)
      : context_(context) {
    context_->AddInitialMetadata("x-backend-initial", "hello");
    StartRead(&message_);
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      context_->AddTrailingMetadata("x-echo-count", std::to_string(count_));
      Finish(grpc::Status::OK);
      return;
    }
    ++count_;
    StartWrite(&message_);
  }
  void OnWriteDone(bool ok) override {
    if (ok) {
      StartRead(&message_);
    } else {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
    }
  }
  void OnDone() override { delete this; }

 private:
  grpc::GenericCallbackServerContext* const context_;
  grpc::ByteBuffer message_;
  int count_ = 0;
};

}  // namespace

grpc::Status FakeFeed::InjectedFailure(grpc::StatusCode code) {
  absl::Status status(static_cast<absl::StatusCode>(code), "injected failure");
  google::rpc::BadRequest detail;
  detail.add_field_violations()->set_field("limit");
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(detail.SerializeAsString()));
  return ToGrpcStatus(status);
}

grpc::Status FakeFeed::ListEvents(
    grpc::ServerContext* context,
    const cmc::common::v1::ListEventsRequest* request,
    cmc::common::v1::ListEventsResponse* response) {
  context->AddInitialMetadata("x-backend-initial", "hello");
  context->AddTrailingMetadata("x-backend-trailer", "bye");
  const auto& metadata = context->client_metadata();
  if (metadata.count("x-test-personal-data") > 0) {
    MarkPersonalDataRead(context, "resident_id");
  }
  if (auto fail = metadata.find("x-test-fail"); fail != metadata.end()) {
    int code = 0;
    EXPECT_TRUE(absl::SimpleAtoi(ToString(fail->second), &code));
    return InjectedFailure(static_cast<grpc::StatusCode>(code));
  }
  for (int i = 1; i <= request->limit(); ++i) {
    Event* event = response->add_events();
    event->set_sequence(request->after_sequence() + i);
    event->set_event_id(absl::StrCat("event-", event->sequence()));
    event->set_source("referral");
    event->set_type("referral.ReferralCreated");
  }
  if (metadata.count("x-test-echo") > 0) {
    for (const auto& [key, value] : metadata) {
      Event* event = response->add_events();
      event->set_type(ToString(key));
      event->mutable_payload()->set_value(ToString(value));
    }
    const auto deadline = context->deadline();
    response->set_last_sequence(
        deadline == std::chrono::system_clock::time_point::max()
            ? -1
            : std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - std::chrono::system_clock::now())
                  .count());
  }
  return grpc::Status::OK;
}

grpc::Status FakeFeed::WatchEvents(
    grpc::ServerContext* context,
    const cmc::common::v1::WatchEventsRequest* request,
    grpc::ServerWriter<Event>* writer) {
  context->AddInitialMetadata("x-backend-initial", "hello");
  const int64_t count = Header(*context, "x-test-count", 5);
  const int64_t interval_ms = Header(*context, "x-test-interval-ms", 0);
  for (int64_t i = 1; count < 0 || i <= count; ++i) {
    Event event;
    event.set_sequence(request->after_sequence() + i);
    if (context->IsCancelled() || !writer->Write(event)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
  if (context->IsCancelled()) {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    cancelled_cv_.notify_all();
    return grpc::Status::CANCELLED;
  }
  return grpc::Status::OK;
}

bool FakeFeed::WaitForCancellation(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cancelled_cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                                [this] { return cancelled_; });
}

std::string FakeFeed::ToString(grpc::string_ref ref) {
  return std::string(ref.data(), ref.size());
}

grpc::ServerGenericBidiReactor* EchoService::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  int call = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    call = ++calls_[context->method()];
  }
  const auto& metadata = context->client_metadata();
  if (auto fail = metadata.find("x-test-fail-first"); fail != metadata.end()) {
    int failing = 0;
    EXPECT_TRUE(absl::SimpleAtoi(FakeFeed::ToString(fail->second), &failing));
    if (call <= failing) {
      int delay_ms = 0;
      if (auto delay = metadata.find("x-test-delay-ms");
          delay != metadata.end()) {
        EXPECT_TRUE(
            absl::SimpleAtoi(FakeFeed::ToString(delay->second), &delay_ms));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      return new Refuse();
    }
  }
  return new Echo(context);
}

int EchoService::calls(const std::string& method) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = calls_.find(method);
  return it == calls_.end() ? 0 : it->second;
}

FakeBackend::FakeBackend() {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port_);
  builder.RegisterService(&feed_);
  builder.RegisterCallbackGenericService(&echo_);
  server_ = builder.BuildAndStart();
  EXPECT_NE(server_, nullptr);
}

FakeBackend::~FakeBackend() { Shutdown(); }

std::string FakeBackend::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

void FakeBackend::Shutdown() {
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_->Wait();
  server_.reset();
}

RefusingPort::RefusingPort() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  port_ = ntohs(addr.sin_port);
}

RefusingPort::~RefusingPort() { close(fd_); }

std::string RefusingPort::address() const {
  return "127.0.0.1:" + std::to_string(port_);
}

}  // namespace cmc::testing
