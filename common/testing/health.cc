#include "common/testing/health.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace cmc::testing {

std::string HealthStatus(
    const std::string& address, const std::string& service,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  using grpc::health::v1::HealthCheckResponse;
  auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      address, credentials != nullptr ? credentials
                                      : grpc::InsecureChannelCredentials()));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  if (!stub->Check(&context, request, &response).ok()) return "unreachable";
  return HealthCheckResponse::ServingStatus_Name(response.status());
}

bool EventuallyHealth(const std::string& address, const std::string& service,
                      const std::string& want, absl::Duration within,
                      std::shared_ptr<grpc::ChannelCredentials> credentials) {
  const absl::Time give_up = absl::Now() + within;
  while (absl::Now() < give_up) {
    if (HealthStatus(address, service, credentials) == want) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return false;
}

}  // namespace cmc::testing
