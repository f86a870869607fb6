#include "services/gateway/access_policy.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/identity/jwt.h"
#include "common/status.h"
#include "services/gateway/token_verifier.h"

namespace cmc::gateway {
namespace {

constexpr absl::string_view kHealthService = "grpc.health.v1.Health";

bool IsIdentifier(absl::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// "package.Service": dot-separated identifiers, at least two.
bool IsServiceName(absl::string_view name) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '.');
  return parts.size() >= 2 &&
         std::all_of(parts.begin(), parts.end(), IsIdentifier);
}

bool IsMethodPattern(absl::string_view pattern) {
  const std::vector<absl::string_view> parts = absl::StrSplit(pattern, '/');
  return parts.size() == 2 && IsServiceName(parts[0]) &&
         (parts[1] == "*" || IsIdentifier(parts[1]));
}

// Collects the first parse error of a text-format file with its position.
class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (text_.empty()) {
      text_ = absl::StrCat("line ", line + 1, " column ", column + 1, ": ",
                           message);
    }
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace

absl::StatusOr<AccessPolicy> AccessPolicy::Create(
    const cmc::gateway::v1::GatewayPolicy& policy) {
  std::map<std::string, std::set<std::string>> rules;
  for (int i = 0; i < policy.rules_size(); ++i) {
    const auto& rule = policy.rules(i);
    const std::string field = absl::StrCat("rules[", i, "]");
    if (!IsMethodPattern(rule.method())) {
      return InvalidField(
          absl::StrCat(field, ".method"),
          absl::StrCat(
              "\"", rule.method(),
              "\" is not package.Service/Method or package.Service/*"));
    }
    if (rules.count(rule.method()) > 0) {
      return InvalidField(absl::StrCat(field, ".method"),
                          absl::StrCat("\"", rule.method(), "\" is repeated"));
    }
    if (rule.roles().empty()) {
      return InvalidField(absl::StrCat(field, ".roles"), "at least one role");
    }
    std::set<std::string>& roles = rules[rule.method()];
    for (const std::string& role : rule.roles()) {
      if (!IsRoleName(role)) {
        return InvalidField(
            absl::StrCat(field, ".roles"),
            absl::StrCat("\"", role, "\" is not a role name ([a-z0-9_]+)"));
      }
      roles.insert(role);
    }
  }
  std::map<std::string, Principal, std::less<>> certificates;
  for (int i = 0; i < policy.certificate_principals_size(); ++i) {
    const auto& entry = policy.certificate_principals(i);
    const std::string field = absl::StrCat("certificate_principals[", i, "]");
    if (entry.common_name().empty() ||
        certificates.count(entry.common_name()) > 0) {
      return InvalidField(
          absl::StrCat(field, ".common_name"),
          absl::StrCat("\"", entry.common_name(), "\" is empty or repeated"));
    }
    Principal principal;
    principal.subject = entry.subject();
    if (!IsSubject(principal.subject)) {
      return InvalidField(absl::StrCat(field, ".subject"),
                          "must be system:<name> or user:<name>");
    }
    for (const std::string& role : entry.roles()) {
      if (!IsRoleName(role)) {
        return InvalidField(
            absl::StrCat(field, ".roles"),
            absl::StrCat("\"", role, "\" is not a role name ([a-z0-9_]+)"));
      }
      principal.roles.insert(role);
    }
    for (const std::string& scope : entry.scope()) {
      absl::Status added = AddScopeEntry(scope, &principal);
      if (!added.ok()) {
        return InvalidField(absl::StrCat(field, ".scope"), added.message());
      }
    }
    certificates.emplace(entry.common_name(), std::move(principal));
  }
  return AccessPolicy(std::move(rules), std::move(certificates));
}

const Principal* AccessPolicy::CertificatePrincipal(
    absl::string_view common_name) const {
  auto it = certificates_.find(common_name);
  return it == certificates_.end() ? nullptr : &it->second;
}

absl::StatusOr<AccessPolicy> AccessPolicy::Load(const std::string& path) {
  CMC_ASSIGN_OR_RETURN(const std::string text, ReadTextFile(path));
  cmc::gateway::v1::GatewayPolicy policy;
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &policy)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", errors.text()));
  }
  absl::StatusOr<AccessPolicy> created = Create(policy);
  if (!created.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", created.status().message()));
  }
  return created;
}

absl::Status AccessPolicy::Authorize(absl::string_view full_method,
                                     const Principal& principal) const {
  absl::string_view method = full_method;
  absl::ConsumePrefix(&method, "/");
  const size_t slash = method.find('/');
  const absl::string_view service =
      slash == absl::string_view::npos ? method : method.substr(0, slash);
  if (service == kHealthService) return absl::OkStatus();
  for (const std::string& pattern :
       {std::string(method), absl::StrCat(service, "/*")}) {
    auto rule = rules_.find(pattern);
    if (rule == rules_.end()) continue;
    for (const std::string& role : principal.roles) {
      if (rule->second.count(role) > 0) return absl::OkStatus();
    }
  }
  return WithErrorInfo(absl::PermissionDeniedError(absl::StrCat(
                           "permission denied for method ", full_method)),
                       "METHOD_DENIED", "method", full_method);
}

}  // namespace cmc::gateway
