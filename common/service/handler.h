// The one shape of a handler. A handler body is a function of the call's
// context that returns absl::StatusOr<Response> (or absl::Status for a stream
// handler that writes its own messages); Serve builds the CallContext once
// (UNAUTHENTICATED, without running the body, for a call whose peer may not
// name a principal: common/identity/peer.h), runs the body, and turns its
// result into the gRPC reply, errors with their details (cmc::ToGrpcStatus).
// No handler converts a status by hand.
//
//   grpc::Status ReferralService::GetReferral(grpc::ServerContext* context,
//                                             const GetReferralRequest*
//                                             request, Referral* response) {
//     return Serve(context, options_.call, response,
//                  [&](const CallContext& call) { return Get(call, *request);
//                  });
//   }
#ifndef CMC_COMMON_SERVICE_HANDLER_H_
#define CMC_COMMON_SERVICE_HANDLER_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/service/call_context.h"
#include "common/status.h"

namespace cmc {

// Runs `body(call)` (returning absl::StatusOr<Response>) and moves its value
// into `*response`, or returns its error in gRPC form.
template <typename Response, typename Body>
grpc::Status Serve(grpc::ServerContextBase* context, const CallOptions& options,
                   Response* response, Body&& body) {
  absl::StatusOr<CallContext> call = CallContext::Make(context, options);
  if (!call.ok()) return ToGrpcStatus(call.status());
  absl::StatusOr<Response> result = std::forward<Body>(body)(*call);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

// Runs `body(call)` (returning absl::Status): for handlers that fill their
// response in place or write a stream.
template <typename Body>
grpc::Status ServeStatus(grpc::ServerContextBase* context,
                         const CallOptions& options, Body&& body) {
  absl::StatusOr<CallContext> call = CallContext::Make(context, options);
  if (!call.ok()) return ToGrpcStatus(call.status());
  return ToGrpcStatus(std::forward<Body>(body)(*call));
}

}  // namespace cmc

#endif  // CMC_COMMON_SERVICE_HANDLER_H_
