#include "services/gateway/token_verifier.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status.h"

namespace cmc::gateway {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(why);
}

// An org id inside a scope entry: no separators of the principal headers.
bool IsOrgId(absl::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isgraph(static_cast<unsigned char>(c)) && c != ',';
  });
}

const Value* Claim(const Struct& claims, const std::string& name) {
  auto it = claims.fields().find(name);
  return it == claims.fields().end() ? nullptr : &it->second;
}

// The string array claim `name`, or an error naming it.
absl::StatusOr<std::vector<std::string>> StringArray(const Struct& claims,
                                                     const std::string& name) {
  const Value* value = Claim(claims, name);
  if (value == nullptr || !value->has_list_value()) {
    return Unauthenticated(absl::StrCat("claim ", name, " is not an array"));
  }
  std::vector<std::string> out;
  for (const Value& item : value->list_value().values()) {
    if (item.kind_case() != Value::kStringValue) {
      return Unauthenticated(
          absl::StrCat("claim ", name, " has a non-string entry"));
    }
    out.push_back(item.string_value());
  }
  return out;
}

// The numeric date claim `name` as a time; absl::InfinitePast() when it is
// absent and optional.
absl::StatusOr<absl::Time> DateClaim(const Struct& claims,
                                     const std::string& name, bool required) {
  const Value* value = Claim(claims, name);
  if (value == nullptr) {
    if (required)
      return Unauthenticated(absl::StrCat("claim ", name, " is missing"));
    return absl::InfinitePast();
  }
  // Bounded (about year 33658) so the conversion below cannot overflow.
  if (value->kind_case() != Value::kNumberValue ||
      !(std::fabs(value->number_value()) < 1e12)) {
    return Unauthenticated(
        absl::StrCat("claim ", name, " is not a number in range"));
  }
  return absl::FromUnixMillis(
      static_cast<int64_t>(std::floor(value->number_value() * 1000)));
}

}  // namespace

absl::StatusOr<TokenVerifier> TokenVerifier::Create(
    TokenVerifierOptions options) {
  if (options.issuer.empty()) return InvalidField("issuer", "required");
  if (options.audience.empty()) return InvalidField("audience", "required");
  if (options.clock_skew < absl::ZeroDuration() ||
      options.clock_skew > kMaxClockSkew) {
    return InvalidField(
        "clock_skew",
        absl::StrCat("must be in 0s..", absl::FormatDuration(kMaxClockSkew)));
  }
  if (options.max_lifetime < absl::ZeroDuration()) {
    return InvalidField("max_lifetime", "must not be negative");
  }
  CMC_ASSIGN_OR_RETURN(JwtSignatureVerifier signatures,
                       JwtSignatureVerifier::Create(options.hs256_secret,
                                                    options.rs256_public_key));
  return TokenVerifier(std::move(signatures), std::move(options));
}

absl::StatusOr<Principal> TokenVerifier::Verify(absl::string_view token,
                                                absl::Time now,
                                                absl::Time* valid_until) const {
  if (token.empty()) return Unauthenticated("no bearer token");
  if (token.size() > kMaxTokenBytes) {
    return Unauthenticated(absl::StrCat(
        "token of ", token.size(), " bytes, longer than ", kMaxTokenBytes));
  }
  {
    absl::MutexLock lock(&cache_->mu);
    auto it = cache_->entries.find(token);
    if (it != cache_->entries.end()) {
      const Verified& verified = it->second;
      // The same checks, in the same words, as VerifyUncached's.
      if (now >= verified.accepted_until) {
        return Unauthenticated(absl::StrCat(
            "expired at ",
            absl::FormatTime(verified.accepted_until - options_.clock_skew)));
      }
      if (now >= verified.accepted_from) {
        if (valid_until != nullptr) *valid_until = verified.accepted_until;
        return verified.principal;
      }
    }
  }
  CMC_ASSIGN_OR_RETURN(Verified verified, VerifyUncached(token, now));
  absl::MutexLock lock(&cache_->mu);
  if (cache_->entries.size() >= kVerifiedTokenCacheSize) {
    cache_->entries.clear();
  }
  cache_->entries[std::string(token)] = verified;
  if (valid_until != nullptr) *valid_until = verified.accepted_until;
  return std::move(verified.principal);
}

absl::StatusOr<TokenVerifier::Verified> TokenVerifier::VerifyUncached(
    absl::string_view token, absl::Time now) const {
  CMC_ASSIGN_OR_RETURN(const Struct claims, signatures_.Verify(token));

  const Value* iss = Claim(claims, "iss");
  if (iss == nullptr || iss->string_value() != options_.issuer) {
    return Unauthenticated("issuer does not match");
  }
  const Value* aud = Claim(claims, "aud");
  bool audience_ok = aud != nullptr &&
                     aud->kind_case() == Value::kStringValue &&
                     aud->string_value() == options_.audience;
  if (aud != nullptr && aud->has_list_value()) {
    for (const Value& item : aud->list_value().values()) {
      audience_ok |= item.kind_case() == Value::kStringValue &&
                     item.string_value() == options_.audience;
    }
  }
  if (!audience_ok) return Unauthenticated("audience does not match");

  CMC_ASSIGN_OR_RETURN(const absl::Time exp, DateClaim(claims, "exp", true));
  CMC_ASSIGN_OR_RETURN(const absl::Time nbf, DateClaim(claims, "nbf", false));
  CMC_ASSIGN_OR_RETURN(const absl::Time iat, DateClaim(claims, "iat", false));
  const absl::Duration skew = options_.clock_skew;
  if (now >= exp + skew) {
    return Unauthenticated(absl::StrCat("expired at ", absl::FormatTime(exp)));
  }
  if (now < nbf - skew) {
    return Unauthenticated(
        absl::StrCat("not valid before ", absl::FormatTime(nbf)));
  }
  if (iat != absl::InfinitePast() && iat > now + skew) {
    return Unauthenticated(
        absl::StrCat("issued in the future, at ", absl::FormatTime(iat)));
  }

  const absl::Duration max_lifetime = options_.max_lifetime;
  if (max_lifetime > absl::ZeroDuration()) {
    if (iat != absl::InfinitePast() && exp - iat > max_lifetime) {
      return Unauthenticated(absl::StrCat(
          "lives ", absl::FormatDuration(exp - iat), " from iat, longer than ",
          absl::FormatDuration(max_lifetime)));
    }
    // Without iat (or with an iat that lies), the time left tells.
    if (exp - now > max_lifetime + skew) {
      return Unauthenticated(absl::StrCat("expires in ",
                                          absl::FormatDuration(exp - now),
                                          ", later than the maximum lifetime ",
                                          absl::FormatDuration(max_lifetime)));
    }
  }

  Principal principal;
  const Value* sub = Claim(claims, "sub");
  principal.subject = sub == nullptr ? "" : sub->string_value();
  if (!IsSubject(principal.subject)) {
    return Unauthenticated("claim sub is not user:<name> or system:<name>");
  }
  CMC_ASSIGN_OR_RETURN(const std::vector<std::string> roles,
                       StringArray(claims, "roles"));
  for (const std::string& role : roles) {
    if (!IsRoleName(role)) {
      return Unauthenticated(absl::StrCat("role \"", role, "\" is malformed"));
    }
    principal.roles.insert(role);
  }
  CMC_ASSIGN_OR_RETURN(const std::vector<std::string> scope,
                       StringArray(claims, "scope"));
  for (const std::string& entry : scope) {
    absl::Status added = AddScopeEntry(entry, &principal);
    if (!added.ok()) return Unauthenticated(added.message());
  }
  // Accepted from the later of nbf and iat (each less the skew) to exp (plus
  // the skew): the window the checks above test `now` against.
  return Verified{std::move(principal), std::max(nbf, iat) - skew, exp + skew};
}

absl::Status AddScopeEntry(absl::string_view entry, Principal* principal) {
  absl::string_view id = entry;
  if (entry == "county") {
    principal->whole_county = true;
  } else if (absl::ConsumePrefix(&id, "community:") && IsOrgId(id)) {
    principal->communities.insert(std::string(id));
  } else if (absl::ConsumePrefix(&id, "institution:") && IsOrgId(id)) {
    principal->institutions.insert(std::string(id));
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("scope entry \"", entry,
                     "\" is not county, community:<id> or institution:<id>"));
  }
  return absl::OkStatus();
}

bool IsSubject(absl::string_view subject) {
  return (absl::ConsumePrefix(&subject, "user:") ||
          absl::ConsumePrefix(&subject, "system:")) &&
         IsOrgId(subject);
}

bool IsRoleName(absl::string_view role) {
  return !role.empty() && std::all_of(role.begin(), role.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || absl::ascii_isdigit(c) || c == '_';
  });
}

absl::string_view BearerToken(absl::string_view authorization) {
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(authorization.substr(0, kScheme.size()),
                              kScheme)) {
    return "";
  }
  return absl::StripAsciiWhitespace(authorization.substr(kScheme.size()));
}

}  // namespace cmc::gateway
