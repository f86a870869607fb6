// Prometheus metrics of one CMC process, served on its metrics port at
// /metrics:
//   cmc_grpc_requests_total{service,method,code}       calls by gRPC service,
//   method and result cmc_grpc_request_duration_seconds{service,method} latency
//   histogram cmc_db_pool_connections{state="in_use"|"idle"}, cmc_db_pool_size,
//   cmc_db_pool_wait_timeouts_total, cmc_db_pool_connect_failures_total,
//   cmc_db_pool_discarded_total
//   cmc_build_info{binary,version,commit} = 1
//   process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds,
//   ... (from /proc)
// Business counters are added by services through registry().
#ifndef CMC_COMMON_SERVER_METRICS_H_
#define CMC_COMMON_SERVER_METRICS_H_

#include <grpcpp/support/status_code_enum.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/db/pool.h"

namespace cmc {

class Metrics {
 public:
  // `binary` labels cmc_build_info ("referral", "gateway").
  explicit Metrics(std::string binary);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;
  ~Metrics();

  // Serves /metrics on host:port (0 = a free port). UNAVAILABLE when the port
  // cannot be bound.
  absl::Status Serve(const std::string& host, int port);
  // The bound port, or -1 when not serving.
  int port() const { return port_; }
  // Stops serving (takes up to ~2 s: civetweb's polling quantum).
  void StopServing();

  prometheus::Registry& registry() { return *registry_; }

  // Records one finished call. `full_method` is "/package.Service/Method";
  // a method not compiled into this binary is labelled service="other",
  // method="other", so callers' paths cannot grow the registry. Thread-safe.
  void ObserveRpc(absl::string_view full_method, grpc::StatusCode code,
                  double seconds);

  // Reports the pool's statistics at every scrape. Call before Serve.
  void SetPoolStatsSource(std::function<db::PoolStats()> source);

 private:
  class ProcessCollector;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<ProcessCollector> process_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* latency_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = -1;
};

// "OK", "INVALID_ARGUMENT", ... as in the gRPC specification.
const char* StatusCodeName(grpc::StatusCode code);

}  // namespace cmc

#endif  // CMC_COMMON_SERVER_METRICS_H_
