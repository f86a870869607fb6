// The gateway's generic forwarding: every call no registered service handles
// goes, as opaque bytes, to the backend that owns the method (see RouteTable),
// with the caller's deadline and metadata; the backend's responses, metadata
// and status come back unchanged.
//
//   CMC_ASSIGN_OR_RETURN(std::unique_ptr<Proxy> proxy,
//                        Proxy::Create(routes,
//                        CreateBackendChannels(routes.backends()),
//                                      ProxyOptions()));
//   builder.RegisterCallbackGenericService(proxy.get());  // proxy outlives the
//   server
//
// A published unary method is relayed as one unary backend call, started
// once the caller's request has arrived, and answered with the response and
// the status in one write. Every other call (streaming methods, and methods
// the gateway has no contract for) gets a relay that bridges the caller's
// stream and a bidi stream to the backend, so client-, server- and
// bidi-streaming methods all pass through the same path: each message read from
// one side is written to the other before the next is read (backpressure), the
// caller's half-close becomes the backend's, and the backend's status ends the
// call.
//
// Errors the gateway adds itself:
//   - the caller is not admitted by ProxyOptions::access_control
//   (UNAUTHENTICATED, RESOURCE_EXHAUSTED or PERMISSION_DENIED), without calling
//   any backend;
//   - a request larger than the server's --max_message_bytes:
//     RESOURCE_EXHAUSTED (set by gRPC), without calling the backend and
//     without an audit record, for every published method that takes one
//     request message (all but the client-streaming imports; an import's
//     oversized message cancels the backend's stream);
//   - the method is not routable: the routing status (UNIMPLEMENTED, or
//   INVALID_ARGUMENT naming
//     metadata.x-cmc-service), without calling any backend;
//   - the backend answers UNAVAILABLE (it is down, restarting or shedding
//   load): UNAVAILABLE
//     "backend <name> (<address>) is unavailable: <backend's message>" with an
//     ErrorInfo detail (reason BACKEND_UNAVAILABLE, metadata backend=<name>)
//     added to the backend's details.
// Every other backend status reaches the caller as is (code, message and binary
// details).
#ifndef CMC_SERVICES_GATEWAY_PROXY_H_
#define CMC_SERVICES_GATEWAY_PROXY_H_

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/gateway/access_control.h"
#include "services/gateway/audit_queue.h"
#include "services/gateway/backend_channels.h"
#include "services/gateway/routing.h"

namespace cmc::gateway {

struct ProxyOptions {
  // The deadline given to a forwarded call whose caller set none.
  absl::Duration default_timeout = absl::Seconds(30);
  // No forwarded call runs longer than this, whatever the caller asked. Long
  // event watches end with DEADLINE_EXCEEDED at this point and resume from
  // their last sequence, which every feed consumer already does after a
  // restart.
  absl::Duration max_timeout = absl::Minutes(15);
  // Authenticates, rate-limits and authorizes each call before it is routed,
  // and gives the backend the verified principal (x-cmc-principal-*). Must
  // outlive the proxy. nullptr (unit tests of forwarding only) forwards every
  // call anonymously; cmc-gateway always sets it.
  const AccessControl* access_control = nullptr;
  // Receives the record of each forwarded call to a method that changes data
  // (IsAuditedMethod in audit_record.h) when the call ends, whatever its
  // result. Calls refused before forwarding are not recorded. Must outlive
  // the proxy; nullptr = no audit trail.
  AuditSink* audit = nullptr;
};

// A catch-all service that forwards calls to the backends. Immutable after
// Create; its CreateReactor is called by gRPC from many threads at once. The
// Proxy must outlive the server it is registered with; each call's relay owns
// its own state and deletes itself when both the caller's and the backend's
// stream are done.
class Proxy final : public grpc::CallbackGenericService {
 public:
  // A proxy for the backends of `routes`. INVALID_ARGUMENT when `channels` has
  // no channel for one of them, or `options` has a non-positive timeout.
  static absl::StatusOr<std::unique_ptr<Proxy>> Create(
      RouteTable routes, const BackendChannels& channels, ProxyOptions options);

  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // Called by gRPC for each call; the returned relay deletes itself.
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override;

 private:
  Proxy(RouteTable routes, std::map<std::string, grpc::GenericStub> stubs,
        ProxyOptions options);

  const RouteTable routes_;
  // Backend name -> stub. GenericStub is safe to use from many threads.
  std::map<std::string, grpc::GenericStub> stubs_;
  // "/pkg.Service/Method" of the published methods that take exactly one
  // request message (unary or server streaming; SingleRequestMethods).
  const std::set<std::string> single_request_methods_;
  // Those of them that also answer with one message (UnaryMethods): relayed
  // as one unary backend call.
  const std::set<std::string> unary_methods_;
  const ProxyOptions options_;
};

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_PROXY_H_
