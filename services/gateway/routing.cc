#include "services/gateway/routing.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status.h"

namespace cmc::gateway {
namespace {

constexpr absl::string_view kEventFeedService = "cmc.common.v1.EventFeed";

bool IsAreaName(absl::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return c >= 'a' && c <= 'z';
  });
}

bool IsIdentifier(absl::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// now + d, or time_point::max() when that does not fit (an infinite or huge d).
std::chrono::system_clock::time_point AddClamped(
    std::chrono::system_clock::time_point now, absl::Duration d) {
  using Clock = std::chrono::system_clock;
  const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(
      Clock::time_point::max() - now);
  if (d >= absl::FromChrono(room)) return Clock::time_point::max();
  return now + absl::ToChronoMilliseconds(d);
}

absl::Status NotServed(absl::string_view full_method) {
  return absl::UnimplementedError(
      absl::StrCat("method ", full_method, " is not served by this gateway"));
}

}  // namespace

std::string HealthServiceName(absl::string_view backend) {
  std::string service(backend);
  if (!service.empty()) {
    service[0] = absl::ascii_toupper(static_cast<unsigned char>(service[0]));
  }
  return absl::StrCat("cmc.", backend, ".v1.", service, "Service");
}

absl::StatusOr<RouteTable> RouteTable::Create(std::vector<Backend> backends) {
  for (size_t i = 0; i < backends.size(); ++i) {
    const Backend& backend = backends[i];
    const std::string field = absl::StrCat("backends[", i, "]");
    if (!IsAreaName(backend.name)) {
      return InvalidField(
          absl::StrCat(field, ".name"),
          absl::StrCat("\"", backend.name, "\" is not a lower-case area name"));
    }
    if (backend.name == "gateway" || backend.name == "common") {
      return InvalidField(
          absl::StrCat(field, ".name"),
          absl::StrCat("no backend owns package cmc.", backend.name, ".v1"));
    }
    if (backend.address.empty()) {
      return InvalidField(absl::StrCat(field, ".address"), "empty");
    }
    for (size_t j = 0; j < i; ++j) {
      if (backends[j].name == backend.name) {
        return InvalidField(absl::StrCat(field, ".name"),
                            absl::StrCat("\"", backend.name, "\" is repeated"));
      }
    }
  }
  return RouteTable(std::move(backends));
}

const Backend* RouteTable::Find(absl::string_view name) const {
  for (const Backend& backend : backends_) {
    if (backend.name == name) return &backend;
  }
  return nullptr;
}

std::string RouteTable::BackendNames() const {
  std::vector<std::string> names;
  for (const Backend& backend : backends_) names.push_back(backend.name);
  std::sort(names.begin(), names.end());
  return absl::StrJoin(names, ", ");
}

absl::StatusOr<std::string> RouteTable::Route(
    absl::string_view full_method, absl::string_view service_header) const {
  // "/cmc.referral.v1.ReferralService/CreateReferral" splits into "", service,
  // method.
  const std::vector<absl::string_view> parts = absl::StrSplit(full_method, '/');
  if (parts.size() != 3 || !parts[0].empty() || !IsIdentifier(parts[2])) {
    return NotServed(full_method);
  }
  const absl::string_view service = parts[1];
  if (service == kEventFeedService) {
    if (service_header.empty()) {
      return InvalidField("metadata.x-cmc-service",
                          absl::StrCat("required for the event feed; one of: ",
                                       BackendNames()));
    }
    if (Find(service_header) == nullptr) {
      return InvalidField("metadata.x-cmc-service",
                          absl::StrCat("unknown service \"", service_header,
                                       "\"; one of: ", BackendNames()));
    }
    return std::string(service_header);
  }
  const std::vector<absl::string_view> names = absl::StrSplit(service, '.');
  if (names.size() != 4 || names[0] != "cmc" || names[2] != "v1" ||
      !IsIdentifier(names[3]) || Find(names[1]) == nullptr) {
    return NotServed(full_method);
  }
  return std::string(names[1]);
}

bool IsSubscription(absl::string_view full_method) {
  const size_t slash = full_method.rfind('/');
  if (slash == absl::string_view::npos) return false;
  return absl::StartsWith(full_method.substr(slash + 1), "Watch");
}

std::chrono::system_clock::time_point ForwardDeadline(
    std::chrono::system_clock::time_point caller_deadline,
    std::chrono::system_clock::time_point now, absl::Duration default_timeout,
    absl::Duration max_timeout) {
  const auto latest = AddClamped(now, max_timeout);
  if (caller_deadline == std::chrono::system_clock::time_point::max()) {
    return std::min(AddClamped(now, default_timeout), latest);
  }
  return std::min(caller_deadline, latest);
}

bool ForwardsRequestHeader(absl::string_view key) {
  if (absl::StartsWith(key, "x-cmc-principal-")) return false;
  // The caller's credential stays at the gateway: backends get the verified
  // principal instead, and a token that travels further can leak further.
  if (key == "authorization") return false;
  return ForwardsResponseHeader(key) && key != "te" && key != "user-agent" &&
         key != "host";
}

bool ForwardsResponseHeader(absl::string_view key) {
  return !key.empty() && key[0] != ':' && !absl::StartsWith(key, "grpc-") &&
         key != "content-type";
}

std::vector<std::pair<std::string, std::string>> ForwardedHeaders(
    const Metadata& metadata, HeaderDirection direction) {
  std::vector<std::pair<std::string, std::string>> forwarded;
  for (const auto& [key, value] : metadata) {
    const absl::string_view name(key.data(), key.size());
    const bool forwards = direction == HeaderDirection::kRequest
                              ? ForwardsRequestHeader(name)
                              : ForwardsResponseHeader(name);
    if (forwards) {
      forwarded.emplace_back(std::string(name),
                             std::string(value.data(), value.size()));
    }
  }
  return forwarded;
}

}  // namespace cmc::gateway
