#include "common/service/call_context.h"

#include "common/deadline.h"

namespace cmc {

CallContext::CallContext(grpc::ServerContextBase* server,
                         const CallOptions& options)
    : server_(server),
      now_(options.clock.Now()),
      today_(CountyDay(now_)),
      // On the real clock, even when the county clock is a test's fixed
      // day: the database and peers keep real time.
      deadline_(EffectiveDeadline(server->deadline(), options.default_deadline,
                                  options.max_deadline)),
      principal_(PrincipalFromContext(*server)) {}

std::string CallContext::Actor(absl::string_view anonymous_as) const {
  return principal_.anonymous() ? std::string(anonymous_as)
                                : principal_.subject;
}

void CallContext::MarkPersonalDataRead(absl::string_view kind) const {
  cmc::MarkPersonalDataRead(server_, kind);
}

}  // namespace cmc
