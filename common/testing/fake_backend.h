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
//     caller half-closes with trailing metadata "x-echo-count" (the number of
//     messages). Each call is counted per method (calls(method)). With
//     "x-test-fail-first: <n>", the first n calls of the method fail at once
//     with UNAVAILABLE (trailers only, as a backend refusing the call), each
//     after "x-test-delay-ms" (default 0).
// Both also send initial metadata "x-backend-initial: hello"; ListEvents sends
// trailing "x-backend-trailer: bye".
//
//   FakeBackend referral;
//   RefusingPort dispatch;  // a backend that is down
//   routes = RouteTable::Create({{"referral", referral.address()},
//                                {"dispatch", dispatch.address()}});
//
// Test-only (target cmc_testing_fake_backend): unexpected input fails the
// running test through gtest's EXPECT_*.
#ifndef CMC_COMMON_TESTING_FAKE_BACKEND_H_
#define CMC_COMMON_TESTING_FAKE_BACKEND_H_

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/time/time.h"
#include "cmc/common/v1/event.grpc.pb.h"

namespace cmc::testing {

class FakeFeed final : public cmc::common::v1::EventFeed::Service {
 public:
  // The status ListEvents fails with under "x-test-fail: <code>": message
  // "injected failure" and a BadRequest detail naming field "limit".
  static grpc::Status InjectedFailure(grpc::StatusCode code);

  grpc::Status ListEvents(
      grpc::ServerContext* context,
      const cmc::common::v1::ListEventsRequest* request,
      cmc::common::v1::ListEventsResponse* response) override;

  grpc::Status WatchEvents(
      grpc::ServerContext* context,
      const cmc::common::v1::WatchEventsRequest* request,
      grpc::ServerWriter<cmc::common::v1::Event>* writer) override;

  // True once a WatchEvents call saw its cancellation, waiting up to `timeout`
  // for it.
  bool WaitForCancellation(absl::Duration timeout);

  static std::string ToString(grpc::string_ref ref);

 private:
  std::mutex mu_;
  std::condition_variable cancelled_cv_;
  bool cancelled_ = false;
};

// Echoes every message of any other method (see the file comment).
class EchoService final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override;

  // How many calls of `method` ("/pkg.Service/Method") arrived.
  int calls(const std::string& method);

 private:
  std::mutex mu_;
  std::map<std::string, int> calls_;
};

// Serves FakeFeed and EchoService on a free port of 127.0.0.1 from
// construction until Shutdown or destruction.
class FakeBackend {
 public:
  FakeBackend();
  FakeBackend(const FakeBackend&) = delete;
  FakeBackend& operator=(const FakeBackend&) = delete;
  ~FakeBackend();

  std::string address() const;
  FakeFeed& feed() { return feed_; }
  EchoService& echo() { return echo_; }

  // Stops serving; calls still running are cancelled after a second.
  // Idempotent.
  void Shutdown();

 private:
  FakeFeed feed_;
  EchoService echo_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// A port on 127.0.0.1 that is bound but not listening: a connection to it is
// refused at once, and no other process can take the port while this object
// lives. Stands for a backend that is down.
class RefusingPort {
 public:
  RefusingPort();
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  ~RefusingPort();

  std::string address() const;

 private:
  int fd_;
  int port_ = 0;
};

}  // namespace cmc::testing

#endif  // CMC_COMMON_TESTING_FAKE_BACKEND_H_
