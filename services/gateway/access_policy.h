// Which roles may call which methods through the gateway: the role table of
// cmc.gateway.v1.GatewayPolicy (protos/cmc/gateway/v1/policy.proto). Pure.
//
//   CMC_ASSIGN_OR_RETURN(AccessPolicy policy, AccessPolicy::Load(path));
//   CMC_RETURN_IF_ERROR(policy.Authorize(
//       "/cmc.institution.v1.InstitutionService/GetCommunity", principal));
#ifndef CMC_SERVICES_GATEWAY_ACCESS_POLICY_H_
#define CMC_SERVICES_GATEWAY_ACCESS_POLICY_H_

#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cmc/gateway/v1/policy.pb.h"
#include "common/identity/principal.h"

namespace cmc::gateway {

// Immutable after Create; Authorize is thread-safe.
class AccessPolicy {
 public:
  // The policy of `policy`. INVALID_ARGUMENT naming "rules[i].method" when a
  // method is not "package.Service/Method" or "package.Service/*" or is
  // repeated, or "rules[i].roles" when a rule has no roles or a malformed one;
  // "certificate_principals[i].<field>" for an empty or repeated common name, a
  // bad subject, role or scope entry.
  static absl::StatusOr<AccessPolicy> Create(
      const cmc::gateway::v1::GatewayPolicy& policy);

  // The policy in the text-format file at `path`. NOT_FOUND when it cannot be
  // read; INVALID_ARGUMENT naming the file (and line) when it does not parse
  // or, as Create, is not valid.
  static absl::StatusOr<AccessPolicy> Load(const std::string& path);

  // OK when `principal` may call `full_method` ("/package.Service/Method"):
  // a rule for the method or its service lists one of the principal's roles,
  // or the method is grpc.health.v1.Health's. PERMISSION_DENIED "permission
  // denied for method <full_method>" otherwise, with an ErrorInfo detail
  // (reason METHOD_DENIED, metadata method=<full_method>); the message never
  // names the rule or the roles that would have been needed.
  absl::Status Authorize(absl::string_view full_method,
                         const Principal& principal) const;

  // The principal of a verified client certificate with subject CN
  // `common_name`, or nullptr when the policy does not list it.
  const Principal* CertificatePrincipal(absl::string_view common_name) const;

 private:
  AccessPolicy(std::map<std::string, std::set<std::string>> rules,
               std::map<std::string, Principal, std::less<>> certificates)
      : rules_(std::move(rules)), certificates_(std::move(certificates)) {}

  // "package.Service/Method" or "package.Service/*" -> roles.
  std::map<std::string, std::set<std::string>> rules_;
  // Client certificate subject CN -> principal.
  std::map<std::string, Principal, std::less<>> certificates_;
};

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_ACCESS_POLICY_H_
