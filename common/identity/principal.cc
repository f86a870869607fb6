#include "common/identity/principal.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/identity/peer.h"
#include "common/status.h"

namespace cmc {
namespace {

std::string Header(const std::multimap<grpc::string_ref, grpc::string_ref>& md,
                   absl::string_view key) {
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

std::vector<std::string> List(absl::string_view text) {
  std::vector<std::string> out;
  for (absl::string_view part :
       absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

}  // namespace

bool Principal::CoversCommunity(absl::string_view id) const {
  return whole_county || communities.count(std::string(id)) > 0;
}

bool Principal::CoversInstitution(absl::string_view id) const {
  return whole_county || institutions.count(std::string(id)) > 0;
}

absl::Status OutOfScope(absl::string_view field, absl::string_view what) {
  return WithErrorInfo(
      FieldError(absl::StatusCode::kPermissionDenied, field,
                 absl::StrCat(what, " is outside the caller's scope")),
      "OUT_OF_SCOPE", "field", field);
}

void MarkPersonalDataRead(grpc::ServerContextBase* context,
                          absl::string_view kind) {
  context->AddTrailingMetadata(kPersonalDataTrailer, std::string(kind));
}

Principal PrincipalFromMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& md) {
  Principal p;
  p.subject = Header(md, kSubjectHeader);
  for (auto& role : List(Header(md, kRolesHeader))) p.roles.insert(role);
  for (auto& scope : List(Header(md, kScopeHeader))) {
    if (scope == "county") {
      p.whole_county = true;
    } else if (absl::StartsWith(scope, "community:")) {
      p.communities.insert(scope.substr(10));
    } else if (absl::StartsWith(scope, "institution:")) {
      p.institutions.insert(scope.substr(12));
    }
  }
  return p;
}

Principal PrincipalFromContext(const grpc::ServerContextBase& context) {
  absl::StatusOr<Principal> who = AuthenticatePrincipal(context);
  if (who.ok()) return *std::move(who);
  // Fails closed: a principal that is neither anonymous nor scoped covers
  // nothing and holds no role.
  Principal nobody;
  nobody.subject = kUnauthenticatedSubject;
  return nobody;
}

void AttachPrincipal(const Principal& principal, grpc::ClientContext* context) {
  if (principal.anonymous()) return;
  context->AddMetadata(kSubjectHeader, principal.subject);
  context->AddMetadata(kRolesHeader, absl::StrJoin(principal.roles, ","));
  std::vector<std::string> scope;
  if (principal.whole_county) scope.push_back("county");
  for (const auto& id : principal.communities)
    scope.push_back("community:" + id);
  for (const auto& id : principal.institutions)
    scope.push_back("institution:" + id);
  context->AddMetadata(kScopeHeader, absl::StrJoin(scope, ","));
}

}  // namespace cmc
