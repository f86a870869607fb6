#include "services/gateway/backend_monitor.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/synchronization/blocking_counter.h"
#include "common/log.h"

namespace cmc::gateway {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

BackendMonitor::BackendMonitor(std::vector<Backend> backends,
                               const BackendChannels& channels,
                               grpc::HealthCheckServiceInterface* health,
                               BackendMonitorOptions options)
    : health_(health), options_(options) {
  absl::MutexLock lock(&mu_);
  for (Backend& backend : backends) {
    serving_[backend.name] = std::nullopt;
    Target target;
    auto channel = channels.find(backend.name);
    if (channel != channels.end() && channel->second != nullptr) {
      target.stub = grpc::health::v1::Health::NewStub(channel->second);
    }
    target.backend = std::move(backend);
    targets_.push_back(std::move(target));
  }
}

BackendMonitor::~BackendMonitor() { Stop(); }

void BackendMonitor::Start() {
  for (const Target& target : targets_) {
    health_->SetServingStatus(HealthServiceName(target.backend.name), false);
  }
  thread_ = std::thread([this] { Run(); });
}

void BackendMonitor::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool BackendMonitor::IsServing(absl::string_view backend) const {
  absl::MutexLock lock(&mu_);
  auto it = serving_.find(backend);
  return it != serving_.end() && it->second.value_or(false);
}

void BackendMonitor::Run() {
  const auto interval = absl::ToChronoMilliseconds(options_.interval);
  auto next_round = std::chrono::steady_clock::now();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(
              absl::Condition(&stopping_),
              absl::FromChrono(next_round -
                               std::chrono::steady_clock::now()))) {
        return;
      }
    }
    next_round += interval;
    const std::vector<bool> serving = CheckAll();
    for (size_t i = 0; i < targets_.size(); ++i) {
      Publish(targets_[i], serving[i]);
    }
    // After a slow round, start the next one an interval from now rather than
    // catching up.
    next_round = std::max(next_round, std::chrono::steady_clock::now());
  }
}

std::vector<bool> BackendMonitor::CheckAll() {
  // One in-flight check; kept until its callback ran, which the deadline
  // bounds.
  struct Check {
    grpc::ClientContext context;
    HealthCheckRequest request;
    HealthCheckResponse response;
    bool serving = false;
  };
  std::vector<Check> checks(targets_.size());
  int started = 0;
  for (const Target& target : targets_) {
    if (target.stub != nullptr) ++started;
  }
  // Each callback writes only its own Check; Wait orders those writes before
  // the reads below.
  absl::BlockingCounter pending(started);

  const auto deadline = std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(options_.check_timeout);
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (targets_[i].stub == nullptr) continue;
    Check& check = checks[i];
    check.context.set_deadline(deadline);
    targets_[i].stub->async()->Check(
        &check.context, &check.request, &check.response,
        [&check, &pending](grpc::Status status) {
          check.serving = status.ok() && check.response.status() ==
                                             HealthCheckResponse::SERVING;
          pending.DecrementCount();
        });
  }
  pending.Wait();
  std::vector<bool> serving;
  for (const Check& check : checks) serving.push_back(check.serving);
  return serving;
}

void BackendMonitor::Publish(const Target& target, bool serving) {
  std::optional<bool> previous;
  {
    absl::MutexLock lock(&mu_);
    previous = serving_[target.backend.name];
    serving_[target.backend.name] = serving;
  }
  health_->SetServingStatus(HealthServiceName(target.backend.name), serving);
  if (previous == serving) return;
  Log(serving ? LogLevel::kInfo : LogLevel::kWarning,
      serving ? "backend_up" : "backend_down")
      .Field("backend", target.backend.name)
      .Field("address", target.backend.address);
}

}  // namespace cmc::gateway
