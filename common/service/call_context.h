// What a handler knows about the call it serves, built once per call by the
// kit's Serve adapter (handler.h) rather than re-read by each handler: the
// effective deadline, the verified principal, the county's now and today, and
// a way to tell the gateway that the answer carries unmasked personal data.
//
//   return Serve(context, call_options_, response,
//                [&](const CallContext& call) -> absl::StatusOr<Staff> {
//     CMC_ASSIGN_OR_RETURN(OrgScope scope, scopes_.Resolve(call));
//     return store_->GetStaff(request->id(), call.deadline());
//   });
#ifndef CMC_COMMON_SERVICE_CALL_CONTEXT_H_
#define CMC_COMMON_SERVICE_CALL_CONTEXT_H_

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/identity/principal.h"
#include "common/service/county_time.h"

namespace cmc {

// How a service bounds and dates its calls; one per service, set by main.
struct CallOptions {
  // The deadline of a call that arrives without one.
  absl::Duration default_deadline = absl::Seconds(30);
  // No call holds resources longer than this, whatever its deadline says.
  absl::Duration max_deadline = absl::Minutes(5);
  // The county's clock: "today" of every rule and default.
  CountyClock clock;
};

// One call's context. Cheap to build; valid while the call runs. Not
// thread-safe for MarkPersonalDataRead (call it from the handler's thread).
class CallContext {
 public:
  // The context of the call on `server`. UNAUTHENTICATED when the call's
  // peer may not name a principal or names none (common/identity/peer.h).
  static absl::StatusOr<CallContext> Make(grpc::ServerContextBase* server,
                                          const CallOptions& options);
  // The context of a call by `principal` (already authenticated).
  CallContext(grpc::ServerContextBase* server, const CallOptions& options,
              Principal principal);

  // The caller's deadline, defaulted and capped (cmc::EffectiveDeadline), on
  // the real clock.
  absl::Time deadline() const { return deadline_; }
  // The principal the gateway verified; anonymous for a call from inside the
  // deployment (see common/identity/principal.h).
  const Principal& principal() const { return principal_; }
  // The principal's subject, or `anonymous_as` for an anonymous call: the
  // actor recorded in events and transitions.
  std::string Actor(absl::string_view anonymous_as) const;
  // The county's time when the call arrived, and its civil day.
  absl::Time now() const { return now_; }
  absl::CivilDay today() const { return today_; }

  // Marks the response as carrying unmasked personal data of `kind`
  // ("resident_id"): the gateway audits the call (trailer
  // x-cmc-personal-data). At most once per call, before the response.
  void MarkPersonalDataRead(absl::string_view kind) const;

  // The gRPC context, for what the kit does not cover (streams, peers).
  grpc::ServerContextBase* server() const { return server_; }

 private:
  grpc::ServerContextBase* server_;
  absl::Time now_;
  absl::CivilDay today_;
  absl::Time deadline_;
  Principal principal_;
};

}  // namespace cmc

#endif  // CMC_COMMON_SERVICE_CALL_CONTEXT_H_
