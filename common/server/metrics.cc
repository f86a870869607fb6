#include "common/server/metrics.h"

#include <dirent.h>
#include <google/protobuf/descriptor.h>
#include <prometheus/collectable.h>
#include <prometheus/gauge.h>
#include <prometheus/metric_family.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log.h"

#ifndef CMC_VERSION
#define CMC_VERSION "dev"
#endif
#ifndef CMC_GIT_COMMIT
#define CMC_GIT_COMMIT "unknown"
#endif

namespace cmc {

const char* StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

// Computes process and pool gauges at scrape time.
class Metrics::ProcessCollector : public prometheus::Collectable {
 public:
  explicit ProcessCollector(std::string binary) : binary_(std::move(binary)) {
    start_time_ = static_cast<double>(absl::ToUnixMicros(absl::Now())) / 1e6;
  }

  void SetPoolStatsSource(std::function<db::PoolStats()> source) {
    std::lock_guard<std::mutex> lock(mu_);
    pool_source_ = std::move(source);
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> out;
    out.push_back(Gauge("cmc_build_info", "Build of this binary; always 1",
                        {{"binary", binary_},
                         {"version", CMC_VERSION},
                         {"commit", CMC_GIT_COMMIT}},
                        1));
    out.push_back(Gauge("process_start_time_seconds",
                        "Start time of the process since the Unix epoch", {},
                        start_time_));
    // /proc/self/stat: utime and stime (fields 14, 15) in clock ticks; threads
    // (20); vsize (23) in bytes; rss (24) in pages.
    std::ifstream stat_file("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(stat_file)),
                     std::istreambuf_iterator<char>());
    const size_t close = stat.rfind(')');
    if (close != std::string::npos) {
      std::vector<std::string> f = absl::StrSplit(stat.substr(close + 2), ' ');
      // f[0] is field 3 (state).
      if (f.size() > 21) {
        const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
        const double cpu = (std::stod(f[11]) + std::stod(f[12])) / ticks;
        out.push_back(Counter("process_cpu_seconds_total",
                              "User and system CPU time spent in seconds",
                              cpu));
        out.push_back(Gauge("process_threads", "Threads of the process", {},
                            std::stod(f[17])));
        out.push_back(Gauge("process_virtual_memory_bytes",
                            "Virtual memory size in bytes", {},
                            std::stod(f[20])));
        out.push_back(Gauge(
            "process_resident_memory_bytes", "Resident memory size in bytes",
            {}, std::stod(f[21]) * static_cast<double>(sysconf(_SC_PAGESIZE))));
      }
    }
    out.push_back(
        Gauge("process_open_fds", "Open file descriptors", {}, OpenFds()));
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
      out.push_back(Gauge("process_max_fds", "Limit of open file descriptors",
                          {}, static_cast<double>(limit.rlim_cur)));
    }
    std::function<db::PoolStats()> source;
    {
      std::lock_guard<std::mutex> lock(mu_);
      source = pool_source_;
    }
    if (source) {
      const db::PoolStats stats = source();
      prometheus::MetricFamily connections =
          Gauge("cmc_db_pool_connections", "Database connections by state",
                {{"state", "in_use"}}, stats.in_use);
      connections.metric.push_back(
          Gauge("", "", {{"state", "idle"}}, stats.idle).metric.front());
      out.push_back(std::move(connections));
      out.push_back(Gauge("cmc_db_pool_size", "Most connections the pool opens",
                          {}, stats.size));
      out.push_back(Counter("cmc_db_pool_wait_timeouts_total",
                            "Requests that found no free connection in time",
                            static_cast<double>(stats.wait_timeouts)));
      out.push_back(Counter("cmc_db_pool_connect_failures_total",
                            "Failed attempts to open a database connection",
                            static_cast<double>(stats.connect_failures)));
      out.push_back(Counter("cmc_db_pool_discarded_total",
                            "Connections dropped as dead or broken",
                            static_cast<double>(stats.discarded)));
    }
    return out;
  }

 private:
  static prometheus::MetricFamily Gauge(
      const std::string& name, const std::string& help,
      std::vector<std::pair<std::string, std::string>> labels, double value) {
    prometheus::MetricFamily family;
    family.name = name;
    family.help = help;
    family.type = prometheus::MetricType::Gauge;
    prometheus::ClientMetric metric;
    for (auto& [k, v] : labels) metric.label.push_back({k, v});
    metric.gauge.value = value;
    family.metric.push_back(std::move(metric));
    return family;
  }

  static prometheus::MetricFamily Counter(const std::string& name,
                                          const std::string& help,
                                          double value) {
    prometheus::MetricFamily family;
    family.name = name;
    family.help = help;
    family.type = prometheus::MetricType::Counter;
    prometheus::ClientMetric metric;
    metric.counter.value = value;
    family.metric.push_back(std::move(metric));
    return family;
  }

  static double OpenFds() {
    double count = 0;
    if (DIR* dir = opendir("/proc/self/fd")) {
      while (readdir(dir) != nullptr) ++count;
      closedir(dir);
      count -= 3;  // ".", ".." and the directory's own descriptor
    }
    return count;
  }

  const std::string binary_;
  double start_time_;
  mutable std::mutex mu_;
  std::function<db::PoolStats()> pool_source_;
};

Metrics::Metrics(std::string binary)
    : registry_(std::make_shared<prometheus::Registry>()),
      process_(std::make_shared<ProcessCollector>(std::move(binary))) {
  requests_ =
      &prometheus::BuildCounter()
           .Name("cmc_grpc_requests_total")
           .Help("gRPC calls handled, by service, method and status code")
           .Register(*registry_);
  latency_ = &prometheus::BuildHistogram()
                  .Name("cmc_grpc_request_duration_seconds")
                  .Help("Time from receiving a call to sending its status")
                  .Register(*registry_);
}

Metrics::~Metrics() { StopServing(); }

absl::Status Metrics::Serve(const std::string& host, int port) {
  try {
    exposer_ =
        std::make_unique<prometheus::Exposer>(absl::StrCat(host, ":", port));
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", host,
                                               ":", port, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  exposer_->RegisterCollectable(process_);
  const auto ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? port : ports.front();
  return absl::OkStatus();
}

void Metrics::StopServing() {
  exposer_.reset();
  port_ = -1;
}

void Metrics::SetPoolStatsSource(std::function<db::PoolStats()> source) {
  process_->SetPoolStatsSource(std::move(source));
}

namespace {

// True for a method of a service compiled into this binary (its descriptor
// is in the generated pool), and for the health service, which gRPC serves
// without generated protobuf descriptors.
bool IsKnownMethod(const std::string& service, const std::string& method) {
  if (service == "grpc.health.v1.Health") {
    return method == "Check" || method == "Watch";
  }
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          service);
  return descriptor != nullptr && descriptor->FindMethodByName(method);
}

}  // namespace

void Metrics::ObserveRpc(absl::string_view full_method, grpc::StatusCode code,
                         double seconds) {
  // "/cmc.referral.v1.ReferralService/CreateReferral"
  absl::string_view path = full_method;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  const size_t slash = path.find('/');
  std::string service(path.substr(0, slash));
  std::string method(slash == absl::string_view::npos ? ""
                                                      : path.substr(slash + 1));
  // Labels come from the caller's path, so only methods this binary knows
  // get their own series; any other path, with or without a token, counts as
  // one "other" series and cannot grow the registry.
  if (!IsKnownMethod(service, method)) service = method = "other";
  requests_
      ->Add({{"service", service},
             {"method", method},
             {"code", StatusCodeName(code)}})
      .Increment();
  static const auto* const kBuckets =
      new prometheus::Histogram::BucketBoundaries{
          0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  latency_->Add({{"service", service}, {"method", method}}, *kBuckets)
      .Observe(seconds);
}

}  // namespace cmc
