#include "common/service/call_context.h"

#include <utility>

#include "common/deadline.h"
#include "common/identity/peer.h"
#include "common/status.h"

namespace cmc {

absl::StatusOr<CallContext> CallContext::Make(grpc::ServerContextBase* server,
                                              const CallOptions& options) {
  CMC_ASSIGN_OR_RETURN(Principal principal, AuthenticatePrincipal(*server));
  return CallContext(server, options, std::move(principal));
}

CallContext::CallContext(grpc::ServerContextBase* server,
                         const CallOptions& options, Principal principal)
    : server_(server),
      now_(options.clock.Now()),
      today_(CountyDay(now_)),
      // On the real clock, even when the county clock is a test's fixed
      // day: the database and peers keep real time.
      deadline_(EffectiveDeadline(server->deadline(), options.default_deadline,
                                  options.max_deadline)),
      principal_(std::move(principal)) {}

std::string CallContext::Actor(absl::string_view anonymous_as) const {
  return principal_.anonymous() ? std::string(anonymous_as)
                                : principal_.subject;
}

void CallContext::MarkPersonalDataRead(absl::string_view kind) const {
  cmc::MarkPersonalDataRead(server_, kind);
}

}  // namespace cmc
