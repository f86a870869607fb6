#include "common/server/interceptors.h"

#include <grpcpp/server_context.h>

#include <string>

#include "absl/time/clock.h"
#include "common/log.h"

namespace cmc {
namespace {

using grpc::experimental::InterceptionHookPoints;

LogLevel LevelFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return LogLevel::kDebug;
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return LogLevel::kWarning;
    default:
      return LogLevel::kInfo;
  }
}

class ObservabilityInterceptor : public grpc::experimental::Interceptor {
 public:
  ObservabilityInterceptor(grpc::experimental::ServerRpcInfo* info,
                           Metrics* metrics)
      : info_(info),
        metrics_(metrics),
        method_(info->method()),
        start_(absl::Now()) {}

  // A call that ends without sending a status (the client went away) counts as
  // CANCELLED.
  ~ObservabilityInterceptor() override {
    if (!recorded_) Record(grpc::Status::CANCELLED, /*context_alive=*/false);
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      Record(methods->GetSendStatus(), /*context_alive=*/true);
    }
    methods->Proceed();
  }

 private:
  void Record(const grpc::Status& status, bool context_alive) {
    recorded_ = true;
    const absl::Duration elapsed = absl::Now() - start_;
    metrics_->ObserveRpc(method_, status.error_code(),
                         absl::ToDoubleSeconds(elapsed));
    auto line = Log(LevelFor(status.error_code()), "rpc");
    line.Field("method", method_)
        .Field("code", StatusCodeName(status.error_code()))
        .Field("ms", absl::ToDoubleMilliseconds(elapsed));
    if (!status.ok()) line.Field("message", status.error_message());
    if (context_alive && info_->server_context() != nullptr) {
      line.Field("peer", info_->server_context()->peer());
    }
  }

  grpc::experimental::ServerRpcInfo* info_;
  Metrics* metrics_;
  const std::string method_;
  const absl::Time start_;
  bool recorded_ = false;
};

class ObservabilityInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ObservabilityInterceptorFactory(Metrics* metrics)
      : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ObservabilityInterceptor(info, metrics_);
  }

 private:
  Metrics* metrics_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservabilityInterceptorFactory(Metrics* metrics) {
  return std::make_unique<ObservabilityInterceptorFactory>(metrics);
}

}  // namespace cmc
