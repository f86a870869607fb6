#include "services/gateway/access_policy.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "cmc/common/v1/event.pb.h"
#include "cmc/gateway/v1/gateway.pb.h"
#include "cmc/institution/v1/institution.pb.h"
#include "cmc/referral/v1/referral.pb.h"
#include "common/status.h"
#include "google/rpc/error_details.pb.h"

namespace cmc::gateway {
namespace {

Principal WithRoles(std::set<std::string> roles) {
  Principal p;
  p.subject = "user:test";
  p.roles = std::move(roles);
  return p;
}

AccessPolicy FromText(const std::string& text) {
  cmc::gateway::v1::GatewayPolicy proto;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &proto));
  absl::StatusOr<AccessPolicy> policy = AccessPolicy::Create(proto);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return std::move(policy).value();
}

TEST(AccessPolicyTest, AllowsListedRolesAndDeniesEverythingElse) {
  const AccessPolicy policy = FromText(R"pb(
    rules {
      method: "cmc.demo.v1.Demo/Get"
      roles: [ "reader", "writer" ]
    }
    rules {
      method: "cmc.demo.v1.Demo/Put"
      roles: [ "writer" ]
    }
    rules {
      method: "cmc.feed.v1.Feed/*"
      roles: [ "auditor" ]
    }
    rules {
      method: "cmc.feed.v1.Feed/Watch"
      roles: [ "watcher" ]
    }
  )pb");
  struct Case {
    std::string method;
    std::set<std::string> roles;
    bool allowed;
  };
  const std::vector<Case> cases = {
      {"/cmc.demo.v1.Demo/Get", {"reader"}, true},
      {"/cmc.demo.v1.Demo/Get", {"writer"}, true},
      {"/cmc.demo.v1.Demo/Put", {"writer"}, true},
      {"/cmc.demo.v1.Demo/Put", {"reader"}, false},
      {"/cmc.demo.v1.Demo/Put", {"reader", "writer"}, true},
      {"/cmc.demo.v1.Demo/Put", {}, false},
      {"/cmc.demo.v1.Demo/Delete", {"reader", "writer", "auditor"}, false},
      {"/cmc.feed.v1.Feed/List", {"auditor"}, true},
      {"/cmc.feed.v1.Feed/Watch", {"auditor"}, true},  // the wildcard adds up
      {"/cmc.feed.v1.Feed/Watch", {"watcher"}, true},
      {"/cmc.feed.v1.Feed/List", {"watcher"}, false},
      {"/cmc.other.v1.Other/Get", {"auditor"}, false},
      {"/grpc.health.v1.Health/Check", {}, true},
      {"/grpc.health.v1.Health/Watch", {}, true},
      {"/grpc.health.v1.HealthX/Check", {}, false},
      {"garbage", {"reader"}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method);
    const absl::Status status = policy.Authorize(c.method, WithRoles(c.roles));
    if (c.allowed) {
      EXPECT_TRUE(status.ok()) << status;
      continue;
    }
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(status.message(), "permission denied for method " + c.method);
    google::rpc::ErrorInfo info;
    ASSERT_TRUE(info.ParseFromString(
        std::string(*status.GetPayload(kErrorInfoTypeUrl))));
    EXPECT_EQ(info.reason(), "METHOD_DENIED");
    EXPECT_EQ(info.metadata().at("method"), c.method);
  }
}

TEST(AccessPolicyTest, CreateRefusesBadRulesNamingTheField) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"pb(rules { method: "Demo/Get" roles: "r" })pb",
       "rules[0].method: \"Demo/Get\" is not package.Service/Method"},
      {R"pb(rules { method: "/cmc.demo.v1.Demo/Get" roles: "r" })pb",
       "rules[0].method"},
      {R"pb(rules { method: "cmc.demo.v1.Demo/Get/X" roles: "r" })pb",
       "rules[0].method"},
      {R"pb(rules { method: "cmc.demo.v1.Demo/G*" roles: "r" })pb",
       "rules[0].method"},
      {R"pb(rules { method: "cmc.demo.v1.Demo/Get" roles: "r" }
            rules { method: "cmc.demo.v1.Demo/Get" roles: "s" })pb",
       "rules[1].method: \"cmc.demo.v1.Demo/Get\" is repeated"},
      {R"pb(rules { method: "cmc.demo.v1.Demo/Get" })pb",
       "rules[0].roles: at least one role"},
      {R"pb(rules { method: "cmc.demo.v1.Demo/Get" roles: "Admin" })pb",
       "rules[0].roles: \"Admin\" is not a role name"},
      {R"pb(rules { method: "cmc.demo.v1.Demo/Get" roles: "a,b" })pb",
       "rules[0].roles"},
      {R"pb(certificate_principals { subject: "system:a" })pb",
       "certificate_principals[0].common_name"},
      {R"pb(certificate_principals { common_name: "a" subject: "system:a" }
            certificate_principals { common_name: "a" subject: "system:b" })pb",
       "certificate_principals[1].common_name: \"a\" is empty or repeated"},
      {R"pb(certificate_principals { common_name: "a" subject: "a" })pb",
       "certificate_principals[0].subject"},
      {R"pb(certificate_principals {
              common_name: "a"
              subject: "system:a"
              roles: "R"
            })pb",
       "certificate_principals[0].roles"},
      {R"pb(certificate_principals {
              common_name: "a"
              subject: "system:a"
              scope: "village:1"
            })pb",
       "certificate_principals[0].scope: scope entry \"village:1\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    cmc::gateway::v1::GatewayPolicy proto;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(c.text, &proto));
    absl::StatusOr<AccessPolicy> policy = AccessPolicy::Create(proto);
    ASSERT_FALSE(policy.ok());
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(policy.status().message().find(c.message), std::string::npos)
        << policy.status().message();
  }
}

TEST(AccessPolicyTest, LoadNamesTheFileAndTheLineOfAParseError) {
  const std::string path = ::testing::TempDir() + "/bad-policy.textproto";
  std::ofstream(path)
      << "rules {\n  method: \"cmc.demo.v1.Demo/Get\"\n  role: \"x\"\n}\n";
  absl::StatusOr<AccessPolicy> policy = AccessPolicy::Load(path);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(policy.status().message().find(path + ": line 3"),
            std::string::npos)
      << policy.status().message();
  EXPECT_EQ(AccessPolicy::Load(path + ".missing").status().code(),
            absl::StatusCode::kNotFound);
}

// The shipped default: reads for every county role, writes for administrators,
// event feeds for integrators, nothing else.
TEST(AccessPolicyTest, ShippedPolicyGivesEachRoleItsMethods) {
  absl::StatusOr<AccessPolicy> policy =
      AccessPolicy::Load(CMC_SOURCE_DIR "/deploy/gateway/policy.textproto");
  ASSERT_TRUE(policy.ok()) << policy.status();
  const std::string inst = "/cmc.institution.v1.InstitutionService/";
  struct Case {
    std::string method;
    std::string role;
    bool allowed;
  };
  const std::vector<Case> cases = {
      {"/cmc.common.v1.EventFeed/ListEvents", "provincial_platform", true},
      {"/cmc.common.v1.EventFeed/WatchEvents", "provincial_platform", true},
      {"/cmc.common.v1.EventFeed/ListEvents", "auditor", true},
      {"/cmc.common.v1.EventFeed/ListEvents", "clinician", false},
      {inst + "GetInstitution", "provincial_platform", false},
      {inst + "CreateCommunity", "provincial_platform", false},
      {inst + "GetCommunity", "clinician", true},
      {inst + "ListInstitutions", "insurer", true},
      {inst + "BatchGetInstitutions", "finance_officer", true},
      {inst + "ListMemberships", "auditor", true},
      {inst + "CreateCommunity", "community_admin", true},
      {inst + "CreateCommunity", "township_admin", false},
      {inst + "UpdateInstitution", "township_admin", true},
      {inst + "CreateInstitution", "township_admin", false},
      {inst + "AddMembership", "clinician", false},
      {inst + "EndMembership", "community_admin", true},
      {inst + "UpdateCommunity", "auditor", false},
      {"/cmc.gateway.v1.GatewayService/ListAuditRecords", "auditor", true},
      {"/cmc.gateway.v1.GatewayService/ListAuditRecords", "community_admin",
       false},
      {"/cmc.referral.v1.ReferralService/CreateReferral", "community_admin",
       false},
      {"/cmc.referral.v1.ReferralService/CreateReferral", "clinician", true},
      {"/cmc.referral.v1.ReferralService/ApproveReferral", "clinician", false},
      {"/cmc.referral.v1.ReferralService/ApproveReferral", "community_admin",
       true},
      {inst + "ListVillages", "insurer", true},
      {inst + "CreateVillage", "township_admin", true},
      {inst + "CreateVillage", "clinician", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method + " " + c.role);
    EXPECT_EQ(policy->Authorize(c.method, WithRoles({c.role})).ok(), c.allowed);
  }
}

}  // namespace
}  // namespace cmc::gateway

namespace cmc::gateway {
namespace {

// Every method of every published service is reachable by some role of the
// shipped policy: a contract that grows without a policy rule is a method no
// caller can use through the gateway.
TEST(AccessPolicyTest, ShippedPolicyCoversEveryPublishedMethod) {
  absl::StatusOr<AccessPolicy> policy =
      AccessPolicy::Load(CMC_SOURCE_DIR "/deploy/gateway/policy.textproto");
  ASSERT_TRUE(policy.ok()) << policy.status();
  Principal everyone;
  everyone.subject = "user:everyone";
  everyone.roles = {"clinician",          "township_admin", "community_admin",
                    "finance_officer",    "insurer",        "auditor",
                    "provincial_platform"};
  const google::protobuf::ServiceDescriptor* services[] = {
      common::v1::Event::descriptor()->file()->FindServiceByName("EventFeed"),
      institution::v1::Community::descriptor()->file()->FindServiceByName(
          "InstitutionService"),
      referral::v1::Referral::descriptor()->file()->FindServiceByName(
          "ReferralService"),
      v1::ListAuditRecordsRequest::descriptor()->file()->FindServiceByName(
          "GatewayService"),
  };
  for (const auto* service : services) {
    ASSERT_NE(service, nullptr);
    ASSERT_GT(service->method_count(), 0) << service->full_name();
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string method =
          "/" + service->full_name() + "/" + service->method(i)->name();
      EXPECT_TRUE(policy->Authorize(method, everyone).ok())
          << method << " has no rule in deploy/gateway/policy.textproto";
    }
  }
}

}  // namespace
}  // namespace cmc::gateway
