// The in-county condition catalogue against a real MariaDB: its RPCs, the
// justification rule of out-of-county referrals, and down-referral
// suggestions (fixture in referral_fixture.h).
#include <gtest/gtest.h>

#include "tests/integration/referral_fixture.h"

namespace cmc::referral {
namespace referral_testing {
namespace {

using v1::InCountyCondition;

class ReferralCatalogueTest : public ReferralTest {
 protected:
  absl::StatusOr<InCountyCondition> Upsert(
      const std::string& code, const std::string& name, Tier tier,
      bool down_suited, std::optional<int64_t> expected_version = std::nullopt,
      const Principal* who = nullptr) {
    v1::UpsertInCountyConditionRequest request;
    request.mutable_condition()->set_icd10_code(code);
    request.mutable_condition()->set_display_name(name);
    request.mutable_condition()->set_lowest_tier(tier);
    request.mutable_condition()->set_down_referral_suited(down_suited);
    if (expected_version.has_value()) {
      request.set_expected_version(*expected_version);
    }
    return UpsertRaw(request, who);
  }

  absl::StatusOr<InCountyCondition> UpsertRaw(
      const v1::UpsertInCountyConditionRequest& request,
      const Principal* who = nullptr) {
    InCountyCondition response;
    auto context = who == nullptr ? Context() : ContextOf(*who);
    const grpc::Status status =
        stub_->UpsertInCountyCondition(context.get(), request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

  absl::StatusOr<InCountyCondition> Delete(const std::string& code,
                                           int64_t version,
                                           const Principal* who = nullptr) {
    v1::DeleteInCountyConditionRequest request;
    request.set_icd10_code(code);
    request.set_version(version);
    InCountyCondition response;
    auto context = who == nullptr ? Context() : ContextOf(*who);
    const grpc::Status status =
        stub_->DeleteInCountyCondition(context.get(), request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

  absl::StatusOr<v1::ListInCountyConditionsResponse> List(
      const v1::ListInCountyConditionsRequest& request) {
    v1::ListInCountyConditionsResponse response;
    const grpc::Status status =
        stub_->ListInCountyConditions(Context().get(), request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

  std::vector<std::string> Codes(const v1::ListInCountyConditionsResponse& r) {
    std::vector<std::string> codes;
    for (const auto& entry : r.conditions())
      codes.push_back(entry.icd10_code());
    return codes;
  }

  // An out-of-county referral from the county hospital with `code`.
  static v1::CreateReferralRequest OutOfCounty(const std::string& request_id,
                                               const std::string& code) {
    v1::CreateReferralRequest request = UpRequest(request_id);
    Referral* r = request.mutable_referral();
    r->set_from_institution_id("ins-county");
    auto* external = r->mutable_to_external_hospital();
    external->set_uscc("91110000600037341L");
    external->set_name("省人民医院");
    r->mutable_diagnosis()->set_icd10_code(code);
    return request;
  }

  absl::StatusOr<v1::ListDownReferralSuggestionsResponse> Suggestions(
      const std::string& institution, int page_size = 0,
      const std::string& token = "", const Principal* who = nullptr) {
    v1::ListDownReferralSuggestionsRequest request;
    request.set_institution_id(institution);
    request.mutable_page()->set_page_size(page_size);
    request.mutable_page()->set_page_token(token);
    v1::ListDownReferralSuggestionsResponse response;
    auto context = who == nullptr ? Context() : ContextOf(*who);
    const grpc::Status status =
        stub_->ListDownReferralSuggestions(context.get(), request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

  // Takes `referral` (addressed to `receiver`) to IN_PROGRESS, then to
  // COMPLETED when `complete`.
  Referral Advance(Referral referral, const std::string& receiver,
                   bool complete) {
    auto accepted = Act(&Stub::AcceptReferral, referral, receiver);
    EXPECT_TRUE(accepted.ok()) << accepted.status();
    auto arrived = Act(&Stub::ArriveReferral, *accepted, receiver);
    EXPECT_TRUE(arrived.ok()) << arrived.status();
    if (!complete) return *arrived;
    auto request = On<v1::CompleteReferralRequest>(*arrived, receiver);
    request.mutable_outcome()->set_summary("病情稳定");
    auto completed = Call(&Stub::CompleteReferral, request);
    EXPECT_TRUE(completed.ok()) << completed.status();
    return *completed;
  }
};

TEST_F(ReferralCatalogueTest, UpsertVersionsEntriesAndAppendsEvents) {
  ASSERT_OK_AND_ASSIGN(created, Upsert("I10", "原发性高血压",
                                       common::v1::TIER_VILLAGE, true, 0));
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.updated_by(), "user:dr.li");
  EXPECT_TRUE(created.has_create_time());
  ASSERT_OK_AND_ASSIGN(
      replaced, Upsert("I10", "高血压", common::v1::TIER_TOWNSHIP, false, 1));
  EXPECT_EQ(replaced.version(), 2);
  EXPECT_EQ(replaced.display_name(), "高血压");
  EXPECT_EQ(replaced.create_time().seconds(), created.create_time().seconds());
  ASSERT_OK_AND_ASSIGN(
      blind, Upsert("I10", "原发性高血压", common::v1::TIER_VILLAGE, true));
  EXPECT_EQ(blind.version(), 3) << "no expected_version replaces any version";

  ASSERT_OK_AND_ASSIGN(removed, Delete("I10", 3));
  EXPECT_EQ(removed.display_name(), "原发性高血压");
  EXPECT_EQ(Count("in_county_conditions"), 0);

  const std::vector<common::v1::Event> events = Events();
  const char* types[] = {
      "referral.InCountyConditionCreated", "referral.InCountyConditionUpdated",
      "referral.InCountyConditionUpdated", "referral.InCountyConditionDeleted"};
  ASSERT_EQ(events.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(events[i].type(), types[i]);
    EXPECT_EQ(events[i].aggregate_type(), "InCountyCondition");
    EXPECT_EQ(events[i].aggregate_id(), "I10");
    InCountyCondition payload;
    ASSERT_TRUE(events[i].payload().UnpackTo(&payload));
    EXPECT_EQ(payload.version(), i < 3 ? i + 1 : 3);
  }
}

TEST_F(ReferralCatalogueTest, CallerMistakesNameTheFieldAndChangeNothing) {
  ASSERT_OK_AND_ASSIGN(
      entry, Upsert("E11", "2型糖尿病", common::v1::TIER_VILLAGE, true));
  struct Case {
    const char* name;
    std::function<absl::Status()> call;
    absl::StatusCode code;
    const char* field;
  };
  const Principal town = Clinician("institution:ins-town");
  const Case cases[] = {
      {"bad code",
       [&] {
         return Upsert("E1", "x", common::v1::TIER_VILLAGE, true).status();
       },
       absl::StatusCode::kInvalidArgument, "condition.icd10_code"},
      {"blank name",
       [&] {
         return Upsert("E10", " ", common::v1::TIER_VILLAGE, true).status();
       },
       absl::StatusCode::kInvalidArgument, "condition.display_name"},
      {"no tier",
       [&] {
         return Upsert("E10", "1型糖尿病", common::v1::TIER_UNSPECIFIED, true)
             .status();
       },
       absl::StatusCode::kInvalidArgument, "condition.lowest_tier"},
      {"create over an existing entry",
       [&] {
         return Upsert("E11", "x", common::v1::TIER_VILLAGE, true, 0).status();
       },
       absl::StatusCode::kAlreadyExists, "condition.icd10_code"},
      {"stale upsert",
       [&] {
         return Upsert("E11", "x", common::v1::TIER_VILLAGE, true, 7).status();
       },
       absl::StatusCode::kAborted, "expected_version"},
      {"replace a missing entry",
       [&] {
         return Upsert("E10", "x", common::v1::TIER_VILLAGE, true, 1).status();
       },
       absl::StatusCode::kNotFound, "condition.icd10_code"},
      {"institution scope may not write",
       [&] {
         return Upsert("E10", "1型糖尿病", common::v1::TIER_VILLAGE, true,
                       std::nullopt, &town)
             .status();
       },
       absl::StatusCode::kPermissionDenied, "condition.icd10_code"},
      {"delete without version", [&] { return Delete("E11", 0).status(); },
       absl::StatusCode::kInvalidArgument, "version"},
      {"delete unknown", [&] { return Delete("E10", 1).status(); },
       absl::StatusCode::kNotFound, "icd10_code"},
      {"stale delete", [&] { return Delete("E11", 2).status(); },
       absl::StatusCode::kAborted, "version"},
      {"institution scope may not delete",
       [&] { return Delete("E11", 1, &town).status(); },
       absl::StatusCode::kPermissionDenied, "icd10_code"},
  };
  for (const Case& c : cases) {
    const absl::Status status = c.call();
    EXPECT_EQ(status.code(), c.code) << c.name << ": " << status;
    EXPECT_EQ(BadField(status), c.field) << c.name;
  }
  EXPECT_EQ(Count("in_county_conditions"), 1);
  EXPECT_EQ(QueryOne("SELECT version FROM in_county_conditions"), "1");
  EXPECT_EQ(Events().size(), 1u) << "only the first upsert";

  const Principal community = Clinician("community:com-1");
  ASSERT_OK_AND_ASSIGN(
      by_community, Upsert("E10", "1型糖尿病", common::v1::TIER_TOWNSHIP, false,
                           std::nullopt, &community));
  EXPECT_EQ(by_community.updated_by(), "user:scoped");
}

TEST_F(ReferralCatalogueTest, ListsInCodeOrderWithFiltersAndPages) {
  const struct {
    const char* code;
    Tier tier;
    bool down;
  } entries[] = {
      {"J18.9", common::v1::TIER_TOWNSHIP, false},
      {"E11", common::v1::TIER_VILLAGE, true},
      {"I10", common::v1::TIER_VILLAGE, true},
      {"E11.9", common::v1::TIER_TOWNSHIP, true},
      {"I63", common::v1::TIER_COUNTY, false},
  };
  for (const auto& e : entries) {
    ASSERT_TRUE(Upsert(e.code, "病种", e.tier, e.down).ok()) << e.code;
  }
  v1::ListInCountyConditionsRequest request;
  request.mutable_page()->set_page_size(2);
  std::vector<std::string> all;
  for (int page = 0; page < 5; ++page) {
    ASSERT_OK_AND_ASSIGN(response, List(request));
    for (const auto& code : Codes(response)) all.push_back(code);
    if (response.page().next_page_token().empty()) break;
    request.mutable_page()->set_page_token(response.page().next_page_token());
  }
  EXPECT_EQ(all,
            (std::vector<std::string>{"E11", "E11.9", "I10", "I63", "J18.9"}));

  v1::ListInCountyConditionsRequest filtered;
  filtered.set_code_prefix("E11");
  ASSERT_OK_AND_ASSIGN(by_prefix, List(filtered));
  EXPECT_EQ(Codes(by_prefix), (std::vector<std::string>{"E11", "E11.9"}));
  filtered.Clear();
  filtered.set_lowest_tier(common::v1::TIER_VILLAGE);
  ASSERT_OK_AND_ASSIGN(by_tier, List(filtered));
  EXPECT_EQ(Codes(by_tier), (std::vector<std::string>{"E11", "I10"}));
  filtered.Clear();
  filtered.set_down_referral_suited_only(true);
  ASSERT_OK_AND_ASSIGN(down, List(filtered));
  EXPECT_EQ(Codes(down), (std::vector<std::string>{"E11", "E11.9", "I10"}));

  filtered.Clear();
  filtered.set_code_prefix("E11'");
  EXPECT_EQ(BadField(List(filtered).status()), "code_prefix");
  filtered.Clear();
  filtered.mutable_page()->set_page_token("garbage");
  EXPECT_EQ(BadField(List(filtered).status()), "page.page_token");
}

TEST_F(ReferralCatalogueTest,
       OutOfCountyReferralOfACatalogueConditionNeedsJustification) {
  ASSERT_TRUE(
      Upsert("I10", "原发性高血压", common::v1::TIER_VILLAGE, true).ok());
  ASSERT_OK_AND_ASSIGN(specific, Upsert("I10.x00x002", "高血压3级",
                                        common::v1::TIER_COUNTY, false));
  const size_t events_before = Events().size();

  absl::StatusOr<Referral> missing =
      Create(OutOfCounty("req-no-why", "I10.x00x002"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(missing.status()), "referral.out_of_county_justification");
  EXPECT_NE(missing.status().message().find("I10.x00x002"),
            absl::string_view::npos)
      << "the message names the matched entry: " << missing.status();
  v1::CreateReferralRequest blank = OutOfCounty("req-blank", "I10.x00x002");
  blank.mutable_referral()->set_out_of_county_justification("   ");
  EXPECT_EQ(BadField(Create(blank).status()),
            "referral.out_of_county_justification");
  EXPECT_EQ(Count("referrals"), 0);
  EXPECT_EQ(Events().size(), events_before);

  v1::CreateReferralRequest justified = OutOfCounty("req-why", "I10.x00x002");
  justified.mutable_referral()->set_out_of_county_justification(
      "合并主动脉夹层，需省级医院手术");
  ASSERT_OK_AND_ASSIGN(created, Create(justified));
  EXPECT_EQ(created.status(), v1::REFERRAL_STATUS_APPROVAL_PENDING);
  EXPECT_EQ(created.in_county_condition().icd10_code(), "I10.x00x002")
      << "the longest prefix wins";
  EXPECT_EQ(created.in_county_condition().version(), specific.version());
  EXPECT_EQ(created.out_of_county_justification(),
            "合并主动脉夹层，需省级医院手术");
  const std::vector<common::v1::Event> events = Events();
  Referral payload;
  ASSERT_TRUE(events.back().payload().UnpackTo(&payload));
  EXPECT_EQ(events.back().type(), "referral.ReferralCreated");
  EXPECT_EQ(payload.in_county_condition().icd10_code(), "I10.x00x002");

  // No match out of county, and a match inside the county: no rule.
  ASSERT_OK_AND_ASSIGN(unlisted, Create(OutOfCounty("req-k35", "K35.800")));
  EXPECT_FALSE(unlisted.has_in_county_condition());
  ASSERT_OK_AND_ASSIGN(in_county, Create(UpRequest("req-in-county")));
  EXPECT_FALSE(in_county.has_in_county_condition());
}

TEST_F(ReferralCatalogueTest, SuggestsReceivedStablePatientsNotYetSentBack) {
  ASSERT_TRUE(
      Upsert("I10", "原发性高血压", common::v1::TIER_VILLAGE, true).ok());
  ASSERT_TRUE(Upsert("I63", "脑梗死", common::v1::TIER_COUNTY, false).ok());
  // Village -> township, three patients' worth of referrals.
  auto up = [&](const std::string& id, const std::string& code) {
    v1::CreateReferralRequest request = UpRequest(id);
    request.mutable_referral()->mutable_diagnosis()->set_icd10_code(code);
    return Create(request);
  };
  ASSERT_OK_AND_ASSIGN(hypertension, up("req-i10", "I10"));
  ASSERT_OK_AND_ASSIGN(stroke, up("req-i63", "I63.900"));
  ASSERT_OK_AND_ASSIGN(waiting, up("req-waiting", "I10"));
  ASSERT_OK_AND_ASSIGN(second, up("req-i10-b", "I10"));
  const Referral treated = Advance(hypertension, "ins-town", true);
  Advance(stroke, "ins-town", true);
  const Referral in_progress = Advance(second, "ins-town", false);

  ASSERT_OK_AND_ASSIGN(page, Suggestions("ins-town"));
  ASSERT_EQ(page.suggestions_size(), 2) << page.DebugString();
  EXPECT_EQ(page.suggestions(0).up_referral().id(), in_progress.id());
  EXPECT_EQ(page.suggestions(1).up_referral().id(), treated.id());
  EXPECT_EQ(page.suggestions(1).condition().icd10_code(), "I10");
  EXPECT_EQ(page.suggestions(1).suggested_to_institution_id(), "ins-village");
  EXPECT_EQ(page.suggestions(1).up_referral().patient().resident_id(), kMasked);
  EXPECT_TRUE(page.page().next_page_token().empty());

  ASSERT_OK_AND_ASSIGN(first_page, Suggestions("ins-town", 1));
  ASSERT_EQ(first_page.suggestions_size(), 1);
  ASSERT_FALSE(first_page.page().next_page_token().empty());
  ASSERT_OK_AND_ASSIGN(
      next_page,
      Suggestions("ins-town", 1, first_page.page().next_page_token()));
  ASSERT_EQ(next_page.suggestions_size(), 1);
  EXPECT_EQ(next_page.suggestions(0).up_referral().id(), treated.id());
  EXPECT_TRUE(next_page.page().next_page_token().empty())
      << "the last page, full, says that nothing follows";
  ASSERT_OK_AND_ASSIGN(exact_page, Suggestions("ins-town", 2));
  EXPECT_EQ(exact_page.suggestions_size(), 2);
  EXPECT_TRUE(exact_page.page().next_page_token().empty())
      << "a page holding exactly the last suggestions has no next page";

  // The township sends the patient back down: both suggestions (same patient)
  // go away; a rejected down referral would bring them back.
  v1::CreateReferralRequest down = UpRequest("req-down");
  down.mutable_referral()->set_direction(v1::REFERRAL_DIRECTION_DOWN);
  down.mutable_referral()->set_from_institution_id("ins-town");
  down.mutable_referral()->set_to_institution_id("ins-village");
  ASSERT_OK_AND_ASSIGN(sent_back, Create(down));
  ASSERT_OK_AND_ASSIGN(after, Suggestions("ins-town"));
  EXPECT_EQ(after.suggestions_size(), 0) << after.DebugString();
  auto reject = On<v1::RejectReferralRequest>(sent_back, "ins-village");
  reject.set_reason("村卫生室无床位");
  ASSERT_TRUE(Call(&Stub::RejectReferral, reject).ok());
  ASSERT_OK_AND_ASSIGN(again, Suggestions("ins-town"));
  EXPECT_EQ(again.suggestions_size(), 2);

  for (const v1::DownReferralSuggestion& suggestion : again.suggestions()) {
    EXPECT_NE(suggestion.up_referral().id(), waiting.id())
        << "a referral not yet accepted is no suggestion";
  }
  EXPECT_EQ(BadField(Suggestions("").status()), "institution_id");
  const Principal outsider = Clinician("institution:ins-county");
  const absl::Status denied =
      Suggestions("ins-town", 0, "", &outsider).status();
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(BadField(denied), "institution_id");
  const Principal town = Clinician("institution:ins-town");
  EXPECT_TRUE(Suggestions("ins-town", 0, "", &town).ok());
}

}  // namespace
}  // namespace referral_testing
}  // namespace cmc::referral
