#include "services/gateway/backend_monitor.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/testing/fake_backend.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace cmc::gateway {
namespace {

using ::cmc::testing::FakeBackend;
using ::cmc::testing::RefusingPort;

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// Stands for the gateway: a server whose health service the monitor writes to.
class HealthServer {
 public:
  HealthServer() {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    // A server with only the health service fails to start in gRPC 1.51 ("At
    // least one of the completion queues must be frequently polled"); the base
    // generic service answers UNIMPLEMENTED to everything else.
    builder.RegisterCallbackGenericService(&unimplemented_);
    server_ = builder.BuildAndStart();
    EXPECT_NE(server_, nullptr);
    stub_ = Health::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  ~HealthServer() { server_->Shutdown(); }

  grpc::HealthCheckServiceInterface* health() {
    return server_->GetHealthCheckService();
  }

  // The status the gateway reports for `service`; UNKNOWN when the check itself
  // failed.
  HealthCheckResponse::ServingStatus Check(const std::string& service) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(2));
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    if (!stub_->Check(&context, request, &response).ok())
      return HealthCheckResponse::UNKNOWN;
    return response.status();
  }

 private:
  grpc::CallbackGenericService unimplemented_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Health::Stub> stub_;
};

// Polls `condition` every 10 ms for up to `timeout`; the time it took, or
// nullopt.
template <typename Condition>
std::optional<std::chrono::milliseconds> WaitFor(
    Condition condition, std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < timeout) {
    if (condition()) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

TEST(BackendMonitorTest, PublishesEachBackendUnderItsServiceName) {
  HealthServer gateway;
  auto backend =
      std::make_unique<FakeBackend>();  // health on:
                                        // EnableDefaultHealthCheckService
  RefusingPort down;
  const std::vector<Backend> backends = {{"referral", backend->address()},
                                         {"dispatch", down.address()}};
  BackendMonitorOptions options;
  options.interval = absl::Milliseconds(200);
  options.check_timeout = absl::Milliseconds(100);
  BackendMonitor monitor(backends, CreateInsecureChannels(backends),
                         gateway.health(), options);
  monitor.Start();

  ASSERT_TRUE(WaitFor([&] { return monitor.IsServing("referral"); },
                      std::chrono::milliseconds(3000)));
  EXPECT_EQ(gateway.Check("cmc.referral.v1.ReferralService"),
            HealthCheckResponse::SERVING);
  EXPECT_FALSE(monitor.IsServing("dispatch"));
  EXPECT_EQ(gateway.Check("cmc.dispatch.v1.DispatchService"),
            HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(gateway.Check(""), HealthCheckResponse::SERVING);
  EXPECT_FALSE(monitor.IsServing("finance"));

  backend->Shutdown();
  // Two intervals, one check timeout, and slack for a loaded two-core machine.
  const auto took = WaitFor([&] { return !monitor.IsServing("referral"); },
                            std::chrono::milliseconds(3000));
  ASSERT_TRUE(took.has_value());
  EXPECT_LE(took->count(), 2 * 200 + 100 + 300);
  EXPECT_EQ(gateway.Check("cmc.referral.v1.ReferralService"),
            HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(gateway.Check(""), HealthCheckResponse::SERVING);

  const auto stop_start = std::chrono::steady_clock::now();
  monitor.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start,
            std::chrono::milliseconds(500));
}

TEST(BackendMonitorTest, StopDoesNotWaitForTheInterval) {
  HealthServer gateway;
  RefusingPort down;
  const std::vector<Backend> backends = {{"finance", down.address()}};
  BackendMonitorOptions options;
  options.interval = absl::Seconds(30);
  BackendMonitor monitor(backends, CreateInsecureChannels(backends),
                         gateway.health(), options);
  monitor.Start();
  ASSERT_TRUE(WaitFor(
      [&] {
        return gateway.Check("cmc.finance.v1.FinanceService") ==
               HealthCheckResponse::NOT_SERVING;
      },
      std::chrono::milliseconds(2000)));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  monitor.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace cmc::gateway
