// Server interceptors installed on every CMC server: one records each call's
// code and latency in Metrics and writes one log line per call (debug for OK,
// info for errors the caller caused, warning for server-side failures).
#ifndef CMC_COMMON_SERVER_INTERCEPTORS_H_
#define CMC_COMMON_SERVER_INTERCEPTORS_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>

#include "common/server/metrics.h"

namespace cmc {

// `metrics` must outlive the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservabilityInterceptorFactory(Metrics* metrics);

}  // namespace cmc

#endif  // CMC_COMMON_SERVER_INTERCEPTORS_H_
