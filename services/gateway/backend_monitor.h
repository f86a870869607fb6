// Watches the backends' health and republishes it through the gateway's own
// health service, so that monitoring sees which backend is down while an
// orchestrator, which checks the overall status "", keeps the gateway in
// rotation.
//
//   BackendMonitor monitor(routes.backends(), channels, server.health(),
//   BackendMonitorOptions()); monitor.Start();
//   ...
//   monitor.Stop();
//
// Every interval it calls grpc.health.v1.Health/Check (service "") on all
// backends in parallel, each with a short deadline, and sets the gateway's
// status for HealthServiceName(backend) to SERVING when the backend answered
// SERVING and to NOT_SERVING otherwise (unreachable, timed out, NOT_SERVING).
// It never sets the overall status "". Transitions are logged as backend_up and
// backend_down.
#ifndef CMC_SERVICES_GATEWAY_BACKEND_MONITOR_H_
#define CMC_SERVICES_GATEWAY_BACKEND_MONITOR_H_

#include <grpcpp/health_check_service_interface.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/gateway/backend_channels.h"
#include "services/gateway/routing.h"

namespace cmc::gateway {

struct BackendMonitorOptions {
  // Time between the starts of two rounds of checks.
  absl::Duration interval = absl::Seconds(1);
  // Deadline of one check; a backend slower than this counts as down.
  absl::Duration check_timeout = absl::Milliseconds(500);
};

// Thread-safe. Start and Stop are called by the owner; IsServing from any
// thread. `health` must outlive the monitor; the channels are shared.
class BackendMonitor {
 public:
  // Monitors each of `backends` through its channel in `channels` (a backend
  // without a channel is reported NOT_SERVING).
  BackendMonitor(std::vector<Backend> backends, const BackendChannels& channels,
                 grpc::HealthCheckServiceInterface* health,
                 BackendMonitorOptions options);
  BackendMonitor(const BackendMonitor&) = delete;
  BackendMonitor& operator=(const BackendMonitor&) = delete;
  // Stops if running.
  ~BackendMonitor();

  // Marks every backend NOT_SERVING, then starts the checking thread, whose
  // first round runs at once. Call at most once.
  void Start();
  // Stops the checking thread; returns within about one check_timeout.
  // Idempotent.
  void Stop();

  // The backend's status after the last round: true when it answered SERVING.
  // False before the first round and for a name that is not a backend.
  bool IsServing(absl::string_view backend) const;

 private:
  struct Target {
    Backend backend;
    std::unique_ptr<grpc::health::v1::Health::Stub>
        stub;  // null without a channel
  };

  void Run();
  // Checks all backends at once and waits for the answers; the statuses in
  // backend order.
  std::vector<bool> CheckAll();
  void Publish(const Target& target, bool serving);

  std::vector<Target> targets_;
  grpc::HealthCheckServiceInterface* const health_;
  const BackendMonitorOptions options_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Backend name -> last status; nullopt before its first check.
  std::map<std::string, std::optional<bool>, std::less<>> serving_
      ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_BACKEND_MONITOR_H_
