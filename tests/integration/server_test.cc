// The server runner: health following the database, graceful shutdown, and the
// metrics endpoint.
#include "common/server/server.h"

#include <arpa/inet.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include "cmc/common/v1/event.grpc.pb.h"
#include "common/db/pool.h"
#include "common/testing/health.h"
#include "common/testing/mariadb.h"

namespace cmc {
namespace {

std::string Local(int port) { return "127.0.0.1:" + std::to_string(port); }

std::string HealthOf(int port, const std::string& service) {
  return testing::HealthStatus(Local(port), service);
}

bool EventuallyHealth(int port, const std::string& service,
                      const std::string& want, absl::Duration within) {
  return testing::EventuallyHealth(Local(port), service, want, within);
}

TEST(ServerTest, HealthFollowsTheDatabase) {
  auto mariadb = testing::MariaDb::StartPrivate();
  DbConfig config = mariadb->NewDatabase("health");
  config.pool_wait = absl::Milliseconds(500);
  auto pool = db::Pool::Create(config);

  ServerOptions options;
  options.service_name = "test";
  options.listen_host = "127.0.0.1";
  options.health_check_interval = absl::Milliseconds(100);
  Server server(options);
  server.AddHealthName("cmc.test.v1.ThingService");
  server.SetHealthProbe([&] { return pool->Ping(); });
  ASSERT_TRUE(server.Start().ok());
  const int port = server.grpc_port();
  EXPECT_EQ(HealthOf(port, ""), "SERVING");
  EXPECT_EQ(HealthOf(port, "cmc.test.v1.ThingService"), "SERVING");

  mariadb->Stop();
  EXPECT_TRUE(EventuallyHealth(port, "", "NOT_SERVING", absl::Seconds(10)));
  EXPECT_EQ(HealthOf(port, "cmc.test.v1.ThingService"), "NOT_SERVING");

  mariadb->Start();
  EXPECT_TRUE(EventuallyHealth(port, "", "SERVING", absl::Seconds(10)));
  EXPECT_EQ(HealthOf(port, "cmc.test.v1.ThingService"), "SERVING");
  server.Shutdown();
}

// A generic handler that answers every call with its request after `delay`.
class SlowEcho : public grpc::CallbackGenericService {
 public:
  explicit SlowEcho(absl::Duration delay) : delay_(delay) {}
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* /*context*/) override {
    return new Reactor(delay_);
  }

 private:
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    explicit Reactor(absl::Duration delay) : delay_(delay) {
      StartRead(&message_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request"));
        return;
      }
      std::thread([this] {
        absl::SleepFor(delay_);
        StartWrite(&message_);
      }).detach();
    }
    void OnWriteDone(bool /*ok*/) override { Finish(grpc::Status::OK); }
    void OnDone() override { delete this; }

   private:
    absl::Duration delay_;
    grpc::ByteBuffer message_;
  };
  absl::Duration delay_;
};

TEST(ServerTest, GracefulShutdownFinishesAnInFlightCall) {
  SlowEcho slow(absl::Milliseconds(700));
  ServerOptions options;
  options.service_name = "test";
  options.listen_host = "127.0.0.1";
  options.shutdown_grace = absl::Seconds(5);
  Server server(options);
  server.AddGenericService(&slow);
  ASSERT_TRUE(server.Start().ok());

  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(server.grpc_port()),
                          grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::Slice slice(std::string("村卫生室"));
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext context;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/cmc.test.v1.Slow/Echo", grpc::StubOptions(),
                 &request, &response,
                 [&done](grpc::Status s) { done.set_value(s); });
  absl::SleepFor(absl::Milliseconds(200));  // the call is in flight

  const absl::Time start = absl::Now();
  std::thread stopper([&] { server.Shutdown(); });
  const grpc::Status status = done.get_future().get();
  stopper.join();
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string body;
  for (auto& s : slices)
    body += std::string(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_EQ(body, "村卫生室");
  EXPECT_LT(absl::Now() - start, absl::Seconds(4))
      << "drained without waiting out the grace";
  EXPECT_TRUE(server.ShuttingDown());

  // After shutdown nothing answers.
  EXPECT_EQ(HealthOf(server.grpc_port(), ""), "unreachable");
}

TEST(ServerTest, ShutdownCancelsCallsThatOutliveTheGrace) {
  SlowEcho slow(absl::Seconds(3));
  ServerOptions options;
  options.service_name = "test";
  options.listen_host = "127.0.0.1";
  options.shutdown_grace = absl::Milliseconds(300);
  Server server(options);
  server.AddGenericService(&slow);
  ASSERT_TRUE(server.Start().ok());
  grpc::GenericStub stub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(server.grpc_port()),
                          grpc::InsecureChannelCredentials()));
  grpc::Slice slice(std::string("x"));
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext context;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/cmc.test.v1.Slow/Echo", grpc::StubOptions(),
                 &request, &response,
                 [&done](grpc::Status s) { done.set_value(s); });
  absl::SleepFor(absl::Milliseconds(100));
  // The caller learns at the end of the grace that its call was cancelled, even
  // though the handler itself only returns later (Shutdown returns once it
  // has).
  std::thread stopper([&] { server.Shutdown(); });
  auto result = done.get_future();
  ASSERT_EQ(result.wait_for(std::chrono::milliseconds(1500)),
            std::future_status::ready);
  EXPECT_FALSE(result.get().ok());
  stopper.join();
}

// Asks the server reflection service (v1alpha) to list the services, by
// hand-encoding ServerReflectionRequest{list_services: ""} (field 7), and
// returns the raw response bytes.
std::string ListServicesByReflection(int port) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
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
  call->StartCall(reinterpret_cast<void*>(1));
  if (!step(1)) return "";
  const std::string request("\x3a\x00", 2);
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  if (!step(2)) return "";
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(3));
  if (!step(3)) return "";
  call->WritesDone(reinterpret_cast<void*>(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  std::vector<grpc::Slice> slices;
  if (!in.Dump(&slices).ok()) return "";
  std::string bytes;
  for (auto& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return bytes;
}

TEST(ServerTest, ReflectionListsTheRegisteredServices) {
  common::v1::EventFeed::Service
      feed;  // unimplemented methods are enough to be listed
  ServerOptions options;
  options.service_name = "test";
  options.listen_host = "127.0.0.1";
  Server server(options);
  server.AddService(&feed, "cmc.common.v1.EventFeed");
  ASSERT_TRUE(server.Start().ok());
  const std::string listed = ListServicesByReflection(server.grpc_port());
  EXPECT_NE(listed.find("cmc.common.v1.EventFeed"), std::string::npos)
      << listed;
  EXPECT_NE(listed.find("grpc.health.v1.Health"), std::string::npos) << listed;
  EXPECT_EQ(HealthOf(server.grpc_port(), "cmc.common.v1.EventFeed"), "SERVING");
  server.Shutdown();
}

std::string HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  const std::string request =
      "GET " + path +
      " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (write(fd, request.data(), request.size()) < 0) {
    close(fd);
    return "";
  }
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) out.append(buffer, n);
  close(fd);
  return out;
}

TEST(ServerTest, MetricsEndpointCountsCallsAndPassesPromtool) {
  ServerOptions options;
  options.service_name = "test";
  options.listen_host = "127.0.0.1";
  options.metrics_port = 0;
  Server server(options);
  ASSERT_TRUE(server.Start().ok());
  ASSERT_GT(server.metrics_port(), 0);
  EXPECT_EQ(HealthOf(server.grpc_port(), ""), "SERVING");
  EXPECT_EQ(HealthOf(server.grpc_port(), "cmc.no.such.Service"), "unreachable");
  grpc::GenericStub stub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(server.grpc_port()),
                          grpc::InsecureChannelCredentials()));
  for (int i = 0; i < 20; ++i) {
    grpc::Slice slice(std::string("x"));
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext context;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context,
                   "/cmc.random" + std::to_string(i) + ".Service/Method" +
                       std::to_string(i),
                   grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status s) { done.set_value(s); });
    EXPECT_EQ(done.get_future().get().error_code(),
              grpc::StatusCode::UNIMPLEMENTED);
  }

  const std::string scrape = HttpGet(server.metrics_port(), "/metrics");
  EXPECT_NE(scrape.find("200 OK"), std::string::npos);
  EXPECT_NE(scrape.find("cmc_grpc_requests_total{code=\"OK\",method=\"Check\","
                        "service=\"grpc.health.v1.Health\"} 1"),
            std::string::npos)
      << scrape;
  EXPECT_NE(scrape.find("code=\"NOT_FOUND\",method=\"Check\""),
            std::string::npos)
      << scrape;
  // Paths the binary does not serve share one series, however many there are.
  EXPECT_NE(scrape.find("cmc_grpc_requests_total{code=\"UNIMPLEMENTED\","
                        "method=\"other\",service=\"other\"} 20"),
            std::string::npos)
      << scrape;
  EXPECT_EQ(scrape.find("random"), std::string::npos) << scrape;
  EXPECT_NE(scrape.find("cmc_grpc_request_duration_seconds_bucket"),
            std::string::npos);
  EXPECT_NE(scrape.find("cmc_build_info{binary=\"test\""), std::string::npos);
  EXPECT_NE(scrape.find("process_resident_memory_bytes"), std::string::npos);
  EXPECT_NE(scrape.find("process_open_fds"), std::string::npos);

  const std::string body = scrape.substr(scrape.find("\r\n\r\n") + 4);
  const std::string path = ::testing::TempDir() + "/cmc_scrape.txt";
  std::ofstream(path) << body;
  EXPECT_EQ(std::system(("promtool check metrics < " + path).c_str()), 0)
      << "promtool rejected the exposition (is promtool installed? run "
         "scripts/bootstrap)";
  server.Shutdown();
}

}  // namespace
}  // namespace cmc
