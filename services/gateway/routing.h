// Which backend serves a call that reaches the gateway: pure logic, no I/O.
//
// Every domain area has one backend; a method of package cmc.<area>.v1 goes to
// <area>. The event feed has the same full name on every backend
// (cmc.common.v1.EventFeed), so the caller names the backend in the request
// metadata key "x-cmc-service".
//
//   CMC_ASSIGN_OR_RETURN(RouteTable routes, RouteTable::Create({{"referral",
//   "10.0.0.7:50052"}})); absl::StatusOr<std::string> backend =
//       routes.Route("/cmc.referral.v1.ReferralService/CreateReferral", ""); //
//       "referral"
#ifndef CMC_SERVICES_GATEWAY_ROUTING_H_
#define CMC_SERVICES_GATEWAY_ROUTING_H_

#include <grpcpp/support/string_ref.h>

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cmc::gateway {

// The request metadata key that picks the backend of an EventFeed call.
inline constexpr absl::string_view kServiceHeader = "x-cmc-service";

// One backend service the gateway forwards to.
struct Backend {
  std::string name;     // the area: "institution", "referral", ...
  std::string address;  // "host:port"
};

// The name a backend's health is reported under by the gateway's health
// service: "referral" -> "cmc.referral.v1.ReferralService".
std::string HealthServiceName(absl::string_view backend);

// Maps full method names to backend names. Immutable after Create, so it is
// safe to share between threads without locking.
class RouteTable {
 public:
  // A table of `backends`. INVALID_ARGUMENT when a name is empty or not
  // lower-case letters, is repeated, is "gateway" or "common" (packages that no
  // backend owns), or an address is empty.
  static absl::StatusOr<RouteTable> Create(std::vector<Backend> backends);

  // The name of the backend that serves `full_method`
  // ("/package.Service/Method"):
  //   - "/cmc.<area>.v1.<Service>/<Method>" -> <area>, when <area> is a
  //   configured backend;
  //   - "/cmc.common.v1.EventFeed/<Method>" -> `service_header` (the value of
  //   x-cmc-service), or
  //     INVALID_ARGUMENT naming field "metadata.x-cmc-service" when it is empty
  //     or not a backend;
  //   - anything else -> UNIMPLEMENTED "method <full_method> is not served by
  //   this gateway".
  absl::StatusOr<std::string> Route(absl::string_view full_method,
                                    absl::string_view service_header) const;

  // The backend called `name`, or nullptr.
  const Backend* Find(absl::string_view name) const;

  // The backends in the order given to Create.
  const std::vector<Backend>& backends() const { return backends_; }

 private:
  explicit RouteTable(std::vector<Backend> backends)
      : backends_(std::move(backends)) {}

  // "dispatch, finance, ..." in name order, for error messages.
  std::string BackendNames() const;

  std::vector<Backend> backends_;
};

// The deadline of the call the gateway makes on behalf of a caller: the
// caller's deadline, or `now + default_timeout` when it set none
// (time_point::max()), never later than `now + max_timeout`. The same rule as
// cmc::EffectiveDeadline, kept here so the gateway library does not depend on
// the server runner.
std::chrono::system_clock::time_point ForwardDeadline(
    std::chrono::system_clock::time_point caller_deadline,
    std::chrono::system_clock::time_point now, absl::Duration default_timeout,
    absl::Duration max_timeout);

// True for a long-lived subscription: a method whose name starts with "Watch"
// ("/cmc.common.v1.EventFeed/WatchEvents"), the naming convention of every
// CMC server-streaming subscription. Such calls default to the maximum
// deadline instead of the default one.
bool IsSubscription(absl::string_view full_method);

// Whether a caller's request metadata key is copied to the backend. False for
// HTTP/2 pseudo and transport headers (":authority", "grpc-*", "content-type",
// "te", "user-agent", "host"), which gRPC sets itself, and for
// "x-cmc-principal-*": those carry the caller's verified identity to the
// backends, which trust them on the internal network, so only the gateway may
// set them and any an outside caller sends are dropped; and for
// "authorization", the caller's bearer token, which the gateway has checked.
bool ForwardsRequestHeader(absl::string_view key);

// Whether a backend's response (initial or trailing) metadata key is copied to
// the caller. False for the keys gRPC sets itself (pseudo headers, "grpc-*"
// including the status details, which travel in the status instead,
// "content-type").
bool ForwardsResponseHeader(absl::string_view key);

// A call's metadata as gRPC hands it over: the caller's request metadata, or a
// backend's initial or trailing metadata.
using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

// Which rule ForwardedHeaders applies: ForwardsRequestHeader for what goes from
// the caller to a backend, ForwardsResponseHeader for what comes back.
enum class HeaderDirection { kRequest, kResponse };

// The (key, value) entries of `metadata` that the gateway passes on in
// `direction`, in the order of `metadata`, repeated keys included.
std::vector<std::pair<std::string, std::string>> ForwardedHeaders(
    const Metadata& metadata, HeaderDirection direction);

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_ROUTING_H_
