#include "services/gateway/audit_record.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

TEST(CleanAuditTextTest, ReplacesMalformedUtf8AndCutsByCodePoint) {
  const struct {
    const char* name;
    std::string text;
    size_t max_chars;
    std::string clean;
  } cases[] = {
      {"ascii kept", "req-42", 128, "req-42"},
      {"ascii cut", "abcdef", 3, "abc"},
      {"empty", "", 5, ""},
      {"zero chars", "abc", 0, ""},
      {"chinese kept whole", "\xE5\xBC\xA0\xE4\xBC\x9F", 2,
       "\xE5\xBC\xA0\xE4\xBC\x9F"},
      {"chinese cut by code point, not byte", "\xE5\xBC\xA0\xE4\xBC\x9F", 1,
       "\xE5\xBC\xA0"},
      {"four-byte kept",
       "a\xF0\x9F\x98\x80"
       "b",
       3,
       "a\xF0\x9F\x98\x80"
       "b"},
      {"four-byte cut whole",
       "a\xF0\x9F\x98\x80"
       "b",
       1, "a"},
      {"stray continuation byte",
       "a\x80"
       "b",
       10,
       "a\xEF\xBF\xBD"
       "b"},
      {"invalid bytes each replaced", "\xFF\xFE", 10,
       "\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"truncated sequence at the end", "ab\xE5\xBC", 10,
       "ab\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"truncated sequence before ascii", "\xE5z", 10, "\xEF\xBF\xBDz"},
      {"overlong two-byte", "\xC0\xAF", 10, "\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"overlong three-byte", "\xE0\x80\xAF", 10,
       "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"surrogate", "\xED\xA0\x80", 10, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"past U+10FFFF", "\xF4\x90\x80\x80", 1, "\xEF\xBF\xBD"},
      {"replacement counts as one char",
       "\xFF"
       "abc",
       2,
       "\xEF\xBF\xBD"
       "a"},
      {"NUL is a character", std::string("a\0b", 3), 2, std::string("a\0", 2)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CleanAuditText(c.text, c.max_chars), c.clean) << c.name;
  }
}

TEST(BuildAuditRecordTest, MalformedAndLongHeadersAndClaimsFitTheirColumns) {
  Principal principal;
  principal.subject = std::string(300, '\xE5');  // 300 malformed bytes
  for (int i = 0; i < 200; ++i) {
    principal.roles.insert(absl::StrCat("role_number_", 100 + i));  // 15 chars
  }
  Metadata metadata;
  const std::string request_id =
      std::string("req-\xFF\xFE-") + std::string(200, 'r');
  metadata.emplace("x-request-id", request_id);
  const v1::AuditRecord record = BuildAuditRecord(FinishedCall{
      "/cmc.demo.v1.Demo/Put", &principal, &metadata, grpc::StatusCode::OK,
      absl::UnixEpoch(), absl::ZeroDuration(), "peer"});
  EXPECT_EQ(record.subject().size(), 255u * 3);  // 255 x U+FFFD
  EXPECT_EQ(record.request_id().substr(0, 11), "req-\xEF\xBF\xBD\xEF\xBF\xBD-");
  EXPECT_EQ(record.request_id().size(), 128u + 4);  // two 3-byte characters
  // 15 characters and a comma each: 64 roles take 64 * 16 - 1 = 1023.
  ASSERT_EQ(record.roles_size(), 64);
  EXPECT_EQ(record.roles(0), "role_number_100");
  EXPECT_EQ(record.roles(63), "role_number_163");
  EXPECT_LE(absl::StrJoin(record.roles(), ",").size(), kAuditRolesChars);
}

TEST(BuildAuditRecordTest, RecordsTheCallersScopeSorted) {
  Principal principal;
  principal.subject = "user:li";
  principal.whole_county = true;
  principal.communities = {"com-2", "com-1"};
  principal.institutions = {"ins-9"};
  const v1::AuditRecord record = BuildAuditRecord(FinishedCall{
      "/cmc.demo.v1.Demo/Put", &principal, nullptr, grpc::StatusCode::OK,
      absl::UnixEpoch(), absl::ZeroDuration(), "peer"});
  EXPECT_EQ(
      std::vector<std::string>(record.scope().begin(), record.scope().end()),
      (std::vector<std::string>{"community:com-1", "community:com-2", "county",
                                "institution:ins-9"}));
}

TEST(VisibleScopeTest, AnAuditorSeesItsEntriesAndItsCommunitiesMembers) {
  using Entries = std::set<std::string>;
  const std::map<std::string, std::vector<std::string>> members = {
      {"com-x", {"ins-x1", "ins-x2"}}, {"com-y", {"ins-y1"}}};
  const auto principal = [](bool county, std::set<std::string> communities,
                            std::set<std::string> institutions) {
    Principal p;
    p.whole_county = county;
    p.communities = std::move(communities);
    p.institutions = std::move(institutions);
    return p;
  };
  const struct {
    const char* name;
    Principal auditor;
    std::optional<Entries> visible;
  } cases[] = {
      {"county sees everything", principal(true, {"com-x"}, {}), std::nullopt},
      {"community and its members", principal(false, {"com-x"}, {}),
       Entries{"community:com-x", "institution:ins-x1", "institution:ins-x2"}},
      {"community without known members", principal(false, {"com-z"}, {}),
       Entries{"community:com-z"}},
      {"institution only itself", principal(false, {}, {"ins-y1"}),
       Entries{"institution:ins-y1"}},
      {"two communities", principal(false, {"com-x", "com-y"}, {}),
       Entries{"community:com-x", "community:com-y", "institution:ins-x1",
               "institution:ins-x2", "institution:ins-y1"}},
      {"no scope sees nothing", principal(false, {}, {}), Entries{}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(VisibleScope(c.auditor, members), c.visible) << c.name;
  }
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
