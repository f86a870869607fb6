#include "services/gateway/retry_policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmc/common/v1/event.pb.h"
#include "cmc/institution/v1/institution.pb.h"
#include "cmc/referral/v1/referral.pb.h"
#include "services/gateway/audit_record.h"

namespace cmc::gateway {

bool IsRetryableRead(const google::protobuf::MethodDescriptor& method) {
  // Watch* methods are reads too, but they stream.
  if (method.client_streaming() || method.server_streaming()) return false;
  return IsReadMethodName(method.name());
}

std::vector<std::string> RetryableReadMethods(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  std::vector<std::string> methods;
  for (const google::protobuf::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      if (IsRetryableRead(*service->method(i))) {
        methods.push_back(absl::StrCat(service->full_name(), "/",
                                       service->method(i)->name()));
      }
    }
  }
  return methods;
}

std::string ReadRetryServiceConfig(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  std::vector<std::string> names;
  for (const std::string& method : RetryableReadMethods(services)) {
    const size_t slash = method.find('/');
    names.push_back(absl::StrCat(R"({"service":")", method.substr(0, slash),
                                 R"(","method":")", method.substr(slash + 1),
                                 R"("})"));
  }
  if (names.empty()) return "{}";
  return absl::StrCat(
      R"({"methodConfig":[{"name":[)", absl::StrJoin(names, ","),
      R"(],"retryPolicy":{"maxAttempts":3,"initialBackoff":"0.02s",)",
      R"("maxBackoff":"0.2s","backoffMultiplier":2,)",
      R"("retryableStatusCodes":["UNAVAILABLE"]}}],)",
      R"("retryThrottling":{"maxTokens":100,"tokenRatio":0.1}})");
}

std::set<std::string> SingleRequestMethods(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  std::set<std::string> methods;
  for (const google::protobuf::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      if (!service->method(i)->client_streaming()) {
        methods.insert(absl::StrCat("/", service->full_name(), "/",
                                    service->method(i)->name()));
      }
    }
  }
  return methods;
}

std::set<std::string> UnaryMethods(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  std::set<std::string> methods;
  for (const google::protobuf::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      if (!method->client_streaming() && !method->server_streaming()) {
        methods.insert(
            absl::StrCat("/", service->full_name(), "/", method->name()));
      }
    }
  }
  return methods;
}

std::vector<const google::protobuf::ServiceDescriptor*> PublishedServices() {
  std::vector<const google::protobuf::ServiceDescriptor*> services = {
      common::v1::Event::descriptor()->file()->FindServiceByName("EventFeed"),
      institution::v1::Community::descriptor()->file()->FindServiceByName(
          "InstitutionService"),
      referral::v1::Referral::descriptor()->file()->FindServiceByName(
          "ReferralService"),
  };
  // Areas without messages yet: found when their descriptors are linked in.
  const google::protobuf::DescriptorPool* pool =
      google::protobuf::DescriptorPool::generated_pool();
  for (const char* service :
       {"cmc.dispatch.v1.DispatchService", "cmc.finance.v1.FinanceService",
        "cmc.indicator.v1.IndicatorService"}) {
    if (const auto* found = pool->FindServiceByName(service)) {
      services.push_back(found);
    }
  }
  services.erase(std::remove(services.begin(), services.end(), nullptr),
                 services.end());
  return services;
}

}  // namespace cmc::gateway
