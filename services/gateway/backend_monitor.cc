#include "services/gateway/backend_monitor.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "common/log.h"

namespace cmc::gateway {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

BackendMonitor::BackendMonitor(std::vector<Backend> backends,
                               const BackendChannels& channels,
                               grpc::HealthCheckServiceInterface* health,
                               BackendMonitorOptions options)
    : health_(health), options_(options) {
  for (Backend& backend : backends) {
    Target target;
    auto channel = channels.find(backend.name);
    if (channel != channels.end() && channel->second != nullptr) {
      target.stub = grpc::health::v1::Health::NewStub(channel->second);
    }
    serving_[backend.name] = std::nullopt;
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
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool BackendMonitor::IsServing(absl::string_view backend) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = serving_.find(backend);
  return it != serving_.end() && it->second.value_or(false);
}

void BackendMonitor::Run() {
  const auto interval = absl::ToChronoMilliseconds(options_.interval);
  auto next_round = std::chrono::steady_clock::now();
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stop_cv_.wait_until(lock, next_round, [this] { return stopping_; })) {
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
  std::mutex done_mu;
  std::condition_variable done_cv;
  size_t pending = 0;

  const auto deadline = std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(options_.check_timeout);
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (targets_[i].stub == nullptr) continue;
    Check& check = checks[i];
    check.context.set_deadline(deadline);
    {
      std::lock_guard<std::mutex> lock(done_mu);
      ++pending;
    }
    targets_[i].stub->async()->Check(
        &check.context, &check.request, &check.response,
        [&check, &done_mu, &done_cv, &pending](grpc::Status status) {
          std::lock_guard<std::mutex> lock(done_mu);
          check.serving = status.ok() && check.response.status() ==
                                             HealthCheckResponse::SERVING;
          if (--pending == 0) done_cv.notify_all();
        });
  }
  std::unique_lock<std::mutex> lock(done_mu);
  done_cv.wait(lock, [&pending] { return pending == 0; });
  std::vector<bool> serving;
  for (const Check& check : checks) serving.push_back(check.serving);
  return serving;
}

void BackendMonitor::Publish(const Target& target, bool serving) {
  std::optional<bool> previous;
  {
    std::lock_guard<std::mutex> lock(mu_);
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
