// The gRPC server every CMC binary runs: health service, reflection (unless
// turned off), Prometheus
// metrics and request logging interceptors, message size limits, and graceful
// shutdown.
//
//   cmc::Server server(options);
//   server.AddService(&referral_service);            // must outlive the server
//   server.SetHealthProbe([&] { return pool.Ping(); });
//   CMC_RETURN_IF_ERROR(server.Start());
//   server.RunUntilSignal();                          // SIGTERM/SIGINT ->
//   graceful stop
//
// Health: the probe runs every health_check_interval; while it returns false
// the overall status
// ("") and every registered service's status are NOT_SERVING. On shutdown every
// status becomes NOT_SERVING first, then the server stops accepting calls,
// in-flight calls get shutdown_grace to finish, and the rest are cancelled.
#ifndef CMC_COMMON_SERVER_SERVER_H_
#define CMC_COMMON_SERVER_SERVER_H_

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/config.h"
#include "common/deadline.h"
#include "common/server/metrics.h"

namespace cmc {

// Blocks SIGTERM and SIGINT in the calling thread and the threads it creates
// later, so that RunUntilSignal receives them. Call first thing in main, before
// any thread starts.
void BlockTerminationSignals();

// The default ServerOptions::max_metadata_bytes.
inline constexpr int kMaxMetadataBytes = 64 << 10;

struct ServerOptions {
  std::string service_name;  // "referral"; labels logs and metrics
  std::string listen_host = "0.0.0.0";
  int grpc_port = 0;      // 0 = a free port
  int metrics_port = -1;  // -1 = no /metrics endpoint, 0 = a free port
  absl::Duration shutdown_grace = absl::Seconds(10);
  int max_message_bytes = 16 << 20;
  // Largest request metadata (all headers of a call) the server accepts
  // (gRPC's own default is 8 KiB): room for a token, or the principal
  // headers the gateway forwards, naming a county's 300 institutions (about
  // 22 KB). A call past it is refused by the transport (RESOURCE_EXHAUSTED)
  // before any handler or interceptor runs; other calls go on. 0 = gRPC's.
  int max_metadata_bytes = kMaxMetadataBytes;
  // Serve gRPC server reflection (grpc.reflection.v1alpha). On behind the
  // gateway, where every peer holds a certificate of the deployment's CA;
  // the gateway's public port turns it off unless asked (--public_reflection).
  bool reflection = true;
  absl::Duration health_check_interval = absl::Seconds(1);
  int min_pollers = 1;
  int max_pollers = 8;
  // Credentials of the gRPC port; nullptr = plaintext. The gateway sets TLS
  // (optionally mutual) with --tls_cert_file.
  std::shared_ptr<grpc::ServerCredentials> credentials;

  // The options of a service binary, from its validated configuration.
  static ServerOptions FromConfig(const ServiceConfig& config);
};

class Server {
 public:
  explicit Server(ServerOptions options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Shuts down if still running.
  ~Server();

  // Registers a service (before Start). The service must outlive the server.
  // Its status is reported by the health service under `health_name`, its full
  // name ("cmc.common.v1.EventFeed").
  void AddService(grpc::Service* service, std::string health_name);
  // Reports a further name in the health service, following the probe like the
  // services.
  void AddHealthName(std::string name);
  // Registers a catch-all for methods no registered service has (the gateway's
  // proxy).
  void AddGenericService(grpc::CallbackGenericService* service);
  // Sets the readiness probe (before Start). Without one the server is SERVING
  // while it runs.
  void SetHealthProbe(std::function<bool()> probe);
  // Runs `hook` when shutdown begins, before draining (to end long-lived
  // streams).
  void AddShutdownHook(std::function<void()> hook);

  // Binds the ports and starts serving. UNAVAILABLE when a port cannot be
  // bound.
  absl::Status Start();

  // The bound ports (after Start).
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_ ? metrics_->port() : -1; }

  // The health service, for statuses the owner manages (the gateway's
  // per-backend statuses).
  grpc::HealthCheckServiceInterface* health();
  // The metrics registry, for business counters.
  Metrics& metrics() { return *metrics_; }

  // NOT_SERVING, stop accepting, drain in-flight calls up to shutdown_grace,
  // stop. Idempotent and thread-safe; returns when the server has stopped.
  void Shutdown();
  // True once Shutdown has begun; long-running handlers (watch streams) end
  // when it is.
  bool ShuttingDown() const { return shutting_down_.load(); }

  // Blocks until SIGTERM or SIGINT (or Shutdown from another thread), then
  // shuts down.
  void RunUntilSignal();

 private:
  void HealthLoop();
  void SetAllServing(bool serving);

  ServerOptions options_;
  std::vector<grpc::Service*> services_;
  std::vector<std::string> health_names_;
  grpc::CallbackGenericService* generic_service_ = nullptr;
  std::function<bool()> probe_;
  std::vector<std::function<void()>> shutdown_hooks_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<grpc::Server> server_;
  int grpc_port_ = -1;

  std::atomic<bool> shutting_down_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::thread health_thread_;
  std::once_flag shutdown_once_;
};

}  // namespace cmc

#endif  // CMC_COMMON_SERVER_SERVER_H_
