#include "common/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/impl/server_builder_option.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/log.h"
#include "common/server/interceptors.h"

namespace cmc {
namespace {

// Serves reflection on one server, or not. Linking grpc++_reflection
// registers its plugin for every server the process builds (a static
// initializer), so the option first takes it out, then adds one when wanted.
class ReflectionOption final : public grpc::ServerBuilderOption {
 public:
  explicit ReflectionOption(bool serve) : serve_(serve) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    const std::string name =
        grpc::reflection::ProtoServerReflectionPlugin().name();
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [&](const auto& plugin) {
                                    return plugin->name() == name;
                                  }),
                   plugins->end());
    if (serve_) {
      plugins->push_back(
          std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
    }
  }

 private:
  const bool serve_;
};

}  // namespace

ServerOptions ServerOptions::FromConfig(const ServiceConfig& config) {
  ServerOptions options;
  options.service_name = config.name;
  options.listen_host = config.listen_host;
  options.grpc_port = config.grpc_port;
  options.metrics_port = config.metrics_port;
  options.shutdown_grace = config.shutdown_grace;
  options.max_message_bytes = config.max_message_bytes;
  options.health_check_interval = config.health_check_interval;
  options.max_pollers = std::max(8, config.db.pool_size * 2);
  return options;
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Server::Server(ServerOptions options)
    : options_(std::move(options)),
      metrics_(std::make_unique<Metrics>(options_.service_name)) {}

Server::~Server() { Shutdown(); }

void Server::AddService(grpc::Service* service, std::string health_name) {
  services_.push_back(service);
  AddHealthName(std::move(health_name));
}

void Server::AddHealthName(std::string name) {
  health_names_.push_back(std::move(name));
}

void Server::AddGenericService(grpc::CallbackGenericService* service) {
  generic_service_ = service;
}

void Server::SetHealthProbe(std::function<bool()> probe) {
  probe_ = std::move(probe);
}

void Server::AddShutdownHook(std::function<void()> hook) {
  shutdown_hooks_.push_back(std::move(hook));
}

grpc::HealthCheckServiceInterface* Server::health() {
  return server_ ? server_->GetHealthCheckService() : nullptr;
}

absl::Status Server::Start() {
  // Debian builds Abseil without NDEBUG, which turns on the mutex deadlock
  // detector: a graph update on every lock, a few per cent of a busy
  // gateway's CPU (perf, docs/benchmarks.md). A serving process turns it
  // off; test binaries that use the libraries without a Server keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.SetOption(std::make_unique<ReflectionOption>(options_.reflection));
  const std::string address =
      absl::StrCat(options_.listen_host, ":", options_.grpc_port);
  builder.AddListeningPort(address,
                           options_.credentials != nullptr
                               ? options_.credentials
                               : grpc::InsecureServerCredentials(),
                           &grpc_port_);
  // gRPC enables SO_REUSEPORT by default, which would let a second process
  // (another replica, a stale run) share the port silently; a port in use must
  // fail start-up instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  if (options_.max_metadata_bytes > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE,
                               options_.max_metadata_bytes);
  }
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, options_.min_pollers);
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, options_.max_pollers);
  for (grpc::Service* service : services_) builder.RegisterService(service);
  if (generic_service_ != nullptr)
    builder.RegisterCallbackGenericService(generic_service_);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(MakeObservabilityInterceptorFactory(metrics_.get()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || grpc_port_ <= 0) {
    server_.reset();
    return absl::UnavailableError(
        absl::StrCat("cannot listen for gRPC on ", address));
  }
  if (options_.metrics_port >= 0) {
    absl::Status status =
        metrics_->Serve(options_.listen_host, options_.metrics_port);
    if (!status.ok()) {
      server_->Shutdown();
      server_.reset();
      return status;
    }
  }
  SetAllServing(probe_ ? probe_() : true);
  if (probe_) health_thread_ = std::thread([this] { HealthLoop(); });
  Log(LogLevel::kInfo, "serving")
      .Field("grpc_port", grpc_port_)
      .Field("metrics_port", metrics_->port());
  return absl::OkStatus();
}

void Server::SetAllServing(bool serving) {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus(serving);  // "" and every name set so far
  for (const std::string& name : health_names_)
    health->SetServingStatus(name, serving);
}

void Server::HealthLoop() {
  bool last = true;
  std::unique_lock<std::mutex> lock(mu_);
  while (!shutting_down_.load()) {
    cv_.wait_for(lock,
                 absl::ToChronoMilliseconds(options_.health_check_interval));
    if (shutting_down_.load()) break;
    lock.unlock();
    const bool serving = probe_();
    lock.lock();
    if (shutting_down_.load()) break;
    SetAllServing(serving);
    if (serving != last) {
      Log(serving ? LogLevel::kInfo : LogLevel::kWarning,
          serving ? "health_serving" : "health_not_serving");
      last = serving;
    }
  }
}

void Server::Shutdown() {
  std::call_once(shutdown_once_, [this] {
    if (server_ == nullptr) {
      std::lock_guard<std::mutex> lock(mu_);
      shutting_down_ = true;
      stopped_ = true;
      cv_.notify_all();
      return;
    }
    Log(LogLevel::kInfo, "shutdown_started")
        .Field("grace_ms", absl::ToInt64Milliseconds(options_.shutdown_grace));
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutting_down_ = true;
      // Health goes NOT_SERVING first, so load balancers stop sending new
      // calls.
      server_->GetHealthCheckService()->Shutdown();
      cv_.notify_all();
    }
    if (health_thread_.joinable()) health_thread_.join();
    for (auto& hook : shutdown_hooks_) hook();
    // Stops accepting, lets in-flight calls finish until the grace period ends,
    // then cancels them.
    server_->Shutdown(
        absl::ToChronoTime(absl::Now() + options_.shutdown_grace));
    server_->Wait();
    metrics_->StopServing();
    Log(LogLevel::kInfo, "shutdown_finished");
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  });
}

void Server::RunUntilSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  while (!shutting_down_.load()) {
    struct timespec timeout = {0, 200 * 1000 * 1000};
    const int signal = sigtimedwait(&set, nullptr, &timeout);
    if (signal == SIGTERM || signal == SIGINT) {
      Log(LogLevel::kInfo, "signal")
          .Field("signal", signal == SIGTERM ? "SIGTERM" : "SIGINT");
      break;
    }
  }
  Shutdown();
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return stopped_; });
}

}  // namespace cmc
