#include "services/gateway/audit_record.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "common/status.h"

namespace cmc::gateway {
namespace {

using google::protobuf::util::TimeUtil;

TEST(IsAuditedMethodTest, WritesAreAuditedReadsAreNot) {
  const struct {
    const char* method;
    bool audited;
  } cases[] = {
      {"/cmc.institution.v1.InstitutionService/CreateCommunity", true},
      {"/cmc.referral.v1.ReferralService/ApproveReferral", true},
      {"cmc.institution.v1.InstitutionService/ImportInstitutions", true},
      {"/cmc.institution.v1.InstitutionService/GetCommunity", false},
      {"/cmc.institution.v1.InstitutionService/ListInstitutions", false},
      {"/cmc.institution.v1.InstitutionService/BatchGetInstitutions", false},
      {"/cmc.common.v1.EventFeed/WatchEvents", false},
      {"/grpc.health.v1.Health/Check", false},
      {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", false},
      {"/cmc.demo.v1.Demo/", false},
      {"no-slash", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsAuditedMethod(c.method), c.audited) << c.method;
  }
}

TEST(BuildAuditRecordTest, CarriesTheFactsOfTheCall) {
  Principal principal;
  principal.subject = "user:zhang.wei";
  principal.roles = {"township_admin", "clinician"};
  Metadata metadata;
  metadata.emplace("x-request-id", "req-42");
  metadata.emplace("authorization", "Bearer secret");
  const absl::Time end = absl::FromUnixMillis(1'800'000'000'123);
  const v1::AuditRecord record = BuildAuditRecord(
      FinishedCall{"/cmc.referral.v1.ReferralService/CreateReferral",
                   &principal, &metadata, grpc::StatusCode::PERMISSION_DENIED,
                   end, absl::Milliseconds(37), "ipv4:10.1.2.3:5555"});
  EXPECT_EQ(record.id(), 0);
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(record.time()),
            1'800'000'000'123);
  EXPECT_EQ(record.subject(), "user:zhang.wei");
  ASSERT_EQ(record.roles_size(), 2);
  EXPECT_EQ(record.roles(0), "clinician");
  EXPECT_EQ(record.roles(1), "township_admin");
  EXPECT_EQ(record.method(), "cmc.referral.v1.ReferralService/CreateReferral");
  EXPECT_EQ(record.request_id(), "req-42");
  EXPECT_EQ(record.code(), "PERMISSION_DENIED");
  EXPECT_EQ(record.latency_ms(), 37);
  EXPECT_EQ(record.peer(), "ipv4:10.1.2.3:5555");
  EXPECT_FALSE(record.personal_data_read());
}

TEST(BuildAuditRecordTest, AnonymousCallWithoutRequestIdAndLongValuesCut) {
  const std::string long_peer(400, 'p');
  const v1::AuditRecord record = BuildAuditRecord(FinishedCall{
      "/cmc.demo.v1.Demo/Put", nullptr, nullptr, grpc::StatusCode::OK,
      absl::UnixEpoch(), absl::ZeroDuration(), long_peer});
  EXPECT_EQ(record.subject(), "");
  EXPECT_EQ(record.roles_size(), 0);
  EXPECT_EQ(record.request_id(), "");
  EXPECT_EQ(record.code(), "OK");
  EXPECT_EQ(record.peer().size(), 255u);
}

TEST(AuditQueryFromRequestTest, RejectsBadFieldsNamingThem) {
  const struct {
    const char* name;
    std::function<void(v1::ListAuditRecordsRequest&)> edit;
    const char* field;  // "" = accepted
  } cases[] = {
      {"empty", [](auto&) {}, ""},
      {"all filters",
       [](auto& r) {
         r.set_subject("user:a");
         r.set_method_prefix("cmc.referral.v1.");
         r.set_code("OK");
         r.mutable_start_time()->set_seconds(100);
         r.mutable_end_time()->set_seconds(200);
         r.mutable_page()->set_page_size(1000);
       },
       ""},
      {"page too large", [](auto& r) { r.mutable_page()->set_page_size(1001); },
       "page.page_size"},
      {"page negative", [](auto& r) { r.mutable_page()->set_page_size(-1); },
       "page.page_size"},
      {"unknown code", [](auto& r) { r.set_code("DENIED"); }, "code"},
      {"lower-case code", [](auto& r) { r.set_code("ok"); }, "code"},
      {"end before start",
       [](auto& r) {
         r.mutable_start_time()->set_seconds(200);
         r.mutable_end_time()->set_seconds(200);
       },
       "end_time"},
      {"malformed token",
       [](auto& r) { r.mutable_page()->set_page_token("x"); },
       "page.page_token"},
      {"token with bad id",
       [](auto& r) { r.mutable_page()->set_page_token("-3.abc"); },
       "page.page_token"},
  };
  for (const auto& c : cases) {
    v1::ListAuditRecordsRequest request;
    c.edit(request);
    absl::StatusOr<AuditQuery> query = AuditQueryFromRequest(request);
    if (std::string(c.field).empty()) {
      EXPECT_TRUE(query.ok()) << c.name << ": " << query.status();
      continue;
    }
    ASSERT_FALSE(query.ok()) << c.name;
    EXPECT_EQ(query.status().code(), absl::StatusCode::kInvalidArgument)
        << c.name;
    EXPECT_EQ(BadField(query.status()), c.field) << c.name;
  }
}

TEST(AuditQueryFromRequestTest, PageTokenContinuesOnlyItsOwnQuery) {
  v1::ListAuditRecordsRequest request;
  request.set_subject("user:a");
  absl::StatusOr<AuditQuery> first = AuditQueryFromRequest(request);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->page_size, 50);
  EXPECT_EQ(first->before_id, 0);

  request.mutable_page()->set_page_token(NextPageToken(*first, 77));
  absl::StatusOr<AuditQuery> next = AuditQueryFromRequest(request);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->before_id, 77);
  EXPECT_EQ(next->subject, "user:a");

  request.set_subject("user:b");
  absl::StatusOr<AuditQuery> other = AuditQueryFromRequest(request);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(BadField(other.status()), "page.page_token");
}

}  // namespace
}  // namespace cmc::gateway
