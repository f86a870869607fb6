// A stand-in for a domain service in the gateway's tests: a real gRPC server on
// 127.0.0.1 with
//   - cmc.common.v1.EventFeed (sync API), steered by request metadata:
//       ListEvents returns `limit` events after `after_sequence`; with
//       "x-test-echo" it also returns one event per request metadata entry
//       (type = key, payload.value = value) and sets last_sequence to the
//       milliseconds left until its deadline (-1 for none); with "x-test-fail:
//       <code>" it fails with InjectedFailure(code); with
//       "x-test-personal-data" it marks its response as carrying an unmasked
//       resident ID (trailing x-cmc-personal-data, MarkPersonalDataRead).
//       WatchEvents streams "x-test-count" events (default 5, -1 until
//       cancelled), one every "x-test-interval-ms", and records when it sees
//       the call cancelled.
//   - every other method: an echo of each request message, ending OK when the
//   caller half-closes
//     with trailing metadata "x-echo-count" (the number of messages). Each
//     call is counted per method (calls(method)). With "x-test-fail-first:
//     <n>", the first n calls of the method fail at once with UNAVAILABLE
//     (trailers only, as a backend refusing the call), each after
//     "x-test-delay-ms" (default 0).
// Both also send initial metadata "x-backend-initial: hello"; ListEvents sends
// trailing "x-backend-trailer: bye".
#ifndef CMC_SERVICES_GATEWAY_FAKE_BACKEND_H_
#define CMC_SERVICES_GATEWAY_FAKE_BACKEND_H_

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cmc/common/v1/event.grpc.pb.h"
#include "common/identity/principal.h"
#include "common/status.h"
#include "google/rpc/error_details.pb.h"

namespace cmc::gateway {

class FakeFeed final : public cmc::common::v1::EventFeed::Service {
 public:
  // The status ListEvents fails with under "x-test-fail: <code>": message
  // "injected failure" and a BadRequest detail naming field "limit".
  static grpc::Status InjectedFailure(grpc::StatusCode code) {
    absl::Status status(static_cast<absl::StatusCode>(code),
                        "injected failure");
    google::rpc::BadRequest detail;
    detail.add_field_violations()->set_field("limit");
    status.SetPayload(kBadRequestTypeUrl,
                      absl::Cord(detail.SerializeAsString()));
    return ToGrpcStatus(status);
  }

  grpc::Status ListEvents(
      grpc::ServerContext* context,
      const cmc::common::v1::ListEventsRequest* request,
      cmc::common::v1::ListEventsResponse* response) override {
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
      cmc::common::v1::Event* event = response->add_events();
      event->set_sequence(request->after_sequence() + i);
      event->set_event_id(absl::StrCat("event-", event->sequence()));
      event->set_source("referral");
      event->set_type("referral.ReferralCreated");
    }
    if (metadata.count("x-test-echo") > 0) {
      for (const auto& [key, value] : metadata) {
        cmc::common::v1::Event* event = response->add_events();
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

  grpc::Status WatchEvents(
      grpc::ServerContext* context,
      const cmc::common::v1::WatchEventsRequest* request,
      grpc::ServerWriter<cmc::common::v1::Event>* writer) override {
    context->AddInitialMetadata("x-backend-initial", "hello");
    const int64_t count = Header(*context, "x-test-count", 5);
    const int64_t interval_ms = Header(*context, "x-test-interval-ms", 0);
    for (int64_t i = 1; count < 0 || i <= count; ++i) {
      cmc::common::v1::Event event;
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

  // True once a WatchEvents call saw its cancellation, waiting up to `timeout`
  // for it.
  bool WaitForCancellation(absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cancelled_cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                                  [this] { return cancelled_; });
  }

  static std::string ToString(grpc::string_ref ref) {
    return std::string(ref.data(), ref.size());
  }

 private:
  static int64_t Header(const grpc::ServerContext& context, const char* key,
                        int64_t fallback) {
    auto it = context.client_metadata().find(key);
    int64_t value = fallback;
    if (it != context.client_metadata().end()) {
      EXPECT_TRUE(absl::SimpleAtoi(ToString(it->second), &value));
    }
    return value;
  }

  std::mutex mu_;
  std::condition_variable cancelled_cv_;
  bool cancelled_ = false;
};

// Echoes every message of any other method (see the file comment).
class EchoService final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    int call = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      call = ++calls_[context->method()];
    }
    const auto& metadata = context->client_metadata();
    if (auto fail = metadata.find("x-test-fail-first");
        fail != metadata.end()) {
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
        return new Refuse(context);
      }
    }
    return new Echo(context);
  }

  // How many calls of `method` ("/pkg.Service/Method") arrived.
  int calls(const std::string& method) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = calls_.find(method);
    return it == calls_.end() ? 0 : it->second;
  }

 private:
  // Fails at once with UNAVAILABLE, before any header is sent.
  class Refuse final : public grpc::ServerGenericBidiReactor {
   public:
    explicit Refuse(grpc::GenericCallbackServerContext* /*context*/) {
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

  std::mutex mu_;
  std::map<std::string, int> calls_;
};

class FakeBackend {
 public:
  FakeBackend() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&feed_);
    builder.RegisterCallbackGenericService(&echo_);
    server_ = builder.BuildAndStart();
    EXPECT_NE(server_, nullptr);
  }
  FakeBackend(const FakeBackend&) = delete;
  FakeBackend& operator=(const FakeBackend&) = delete;
  ~FakeBackend() { Shutdown(); }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  FakeFeed& feed() { return feed_; }
  EchoService& echo() { return echo_; }

  // Stops serving; calls still running are cancelled after a second.
  void Shutdown() {
    if (server_ == nullptr) return;
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(1));
    server_->Wait();
    server_.reset();
  }

 private:
  FakeFeed feed_;
  EchoService echo_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_FAKE_BACKEND_H_
