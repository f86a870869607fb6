#include "services/referral/request_checks.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "common/service/paging.h"
#include "common/status.h"

namespace cmc::referral {
namespace {

using v1::Referral;

const absl::CivilDay kToday(2024, 11, 22);

// A complete, valid up referral from a village clinic to a township center.
Referral ValidReferral() {
  Referral r;
  r.set_direction(v1::REFERRAL_DIRECTION_UP);
  r.set_type(v1::REFERRAL_TYPE_OUTPATIENT);
  r.mutable_patient()->set_resident_id("360426199101010071");
  r.mutable_patient()->set_name("张三");
  r.mutable_patient()->set_insurance_number("MI-3604-0001");
  r.set_from_institution_id("ins-village");
  r.set_from_practitioner("李医生");
  r.set_to_institution_id("ins-township");
  r.set_reason("血压控制不佳");
  r.mutable_diagnosis()->set_icd10_code("I10");
  r.mutable_diagnosis()->set_text("原发性高血压");
  return r;
}

std::string Repeat(const std::string& unit, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += unit;
  return out;
}

struct BadCase {
  const char* name;
  std::function<void(Referral&)> spoil;
  const char* field;
};

TEST(ReferralCheckNewReferralTest, EachBadFieldIsNamedByItsPath) {
  const BadCase cases[] = {
      {"no direction", [](Referral& r) { r.clear_direction(); },
       "referral.direction"},
      {"unknown direction",
       [](Referral& r) {
         r.set_direction(static_cast<v1::ReferralDirection>(9));
       },
       "referral.direction"},
      {"no type", [](Referral& r) { r.clear_type(); }, "referral.type"},
      {"bad check digit",
       [](Referral& r) {
         r.mutable_patient()->set_resident_id("360426199101010072");
       },
       "referral.patient.resident_id"},
      {"lower-case x",
       [](Referral& r) {
         r.mutable_patient()->set_resident_id("11010519491231002x");
       },
       "referral.patient.resident_id"},
      {"no name", [](Referral& r) { r.mutable_patient()->clear_name(); },
       "referral.patient.name"},
      {"blank name", [](Referral& r) { r.mutable_patient()->set_name("  "); },
       "referral.patient.name"},
      {"51-character name",
       [](Referral& r) { r.mutable_patient()->set_name(Repeat("张", 51)); },
       "referral.patient.name"},
      {"sex contradicts ID",
       [](Referral& r) { r.mutable_patient()->set_sex(v1::SEX_FEMALE); },
       "referral.patient.sex"},
      {"birth date contradicts ID",
       [](Referral& r) {
         r.mutable_patient()->mutable_birth_date()->set_value("1991-01-02");
       },
       "referral.patient.birth_date"},
      {"insurance number lower case",
       [](Referral& r) { r.mutable_patient()->set_insurance_number("mi-1"); },
       "referral.patient.insurance_number"},
      {"no sender", [](Referral& r) { r.clear_from_institution_id(); },
       "referral.from_institution_id"},
      {"sender id with a space",
       [](Referral& r) { r.set_from_institution_id("ins 1"); },
       "referral.from_institution_id"},
      {"no practitioner", [](Referral& r) { r.clear_from_practitioner(); },
       "referral.from_practitioner"},
      {"no target", [](Referral& r) { r.clear_to(); },
       "referral.to_institution_id"},
      {"target is the sender",
       [](Referral& r) { r.set_to_institution_id("ins-village"); },
       "referral.to_institution_id"},
      {"unspecified tier",
       [](Referral& r) { r.set_to_tier(common::v1::TIER_UNSPECIFIED); },
       "referral.to_tier"},
      {"external with a bad USCC",
       [](Referral& r) {
         r.mutable_to_external_hospital()->set_uscc("91110000600037341X");
         r.mutable_to_external_hospital()->set_name("省人民医院");
       },
       "referral.to_external_hospital.uscc"},
      {"external without a name",
       [](Referral& r) {
         r.mutable_to_external_hospital()->set_uscc("91110000600037341L");
       },
       "referral.to_external_hospital.name"},
      {"no reason", [](Referral& r) { r.clear_reason(); }, "referral.reason"},
      {"reason too long", [](Referral& r) { r.set_reason(Repeat("a", 2001)); },
       "referral.reason"},
      {"summary too long",
       [](Referral& r) { r.set_clinical_summary(Repeat("b", 20001)); },
       "referral.clinical_summary"},
      {"no diagnosis", [](Referral& r) { r.clear_diagnosis(); },
       "referral.diagnosis.icd10_code"},
      {"lower-case ICD-10",
       [](Referral& r) { r.mutable_diagnosis()->set_icd10_code("i10"); },
       "referral.diagnosis.icd10_code"},
      {"no diagnosis text",
       [](Referral& r) { r.mutable_diagnosis()->clear_text(); },
       "referral.diagnosis.text"},
      {"unknown urgency",
       [](Referral& r) { r.set_urgency(static_cast<v1::Urgency>(9)); },
       "referral.urgency"},
      {"bad appointment time",
       [](Referral& r) {
         r.mutable_requested_appointment_time()->set_nanos(-1);
       },
       "referral.requested_appointment_time"},
  };
  for (const BadCase& c : cases) {
    Referral referral = ValidReferral();
    c.spoil(referral);
    const absl::Status status = CheckNewReferral(&referral, kToday);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(BadField(status), c.field) << c.name << ": " << status;
  }
}

TEST(ReferralCheckNewReferralTest, CompletesWhatTheResidentIdImplies) {
  Referral referral = ValidReferral();
  referral.mutable_patient()->set_name(Repeat("张", 50));
  ASSERT_TRUE(CheckNewReferral(&referral, kToday).ok());
  EXPECT_EQ(referral.patient().sex(), v1::SEX_MALE);
  EXPECT_EQ(referral.patient().birth_date().value(), "1991-01-01");
  EXPECT_EQ(referral.urgency(), v1::URGENCY_ROUTINE);

  Referral agreeing = ValidReferral();
  agreeing.mutable_patient()->set_sex(v1::SEX_MALE);
  agreeing.mutable_patient()->mutable_birth_date()->set_value("1991-01-01");
  agreeing.set_urgency(v1::URGENCY_STAT);
  ASSERT_TRUE(CheckNewReferral(&agreeing, kToday).ok());
  EXPECT_EQ(agreeing.urgency(), v1::URGENCY_STAT);
}

TEST(ReferralCheckNewReferralTest, Icd10CodesOfTheNationalClinicalVersion) {
  for (const char* good : {"I10", "E11.900", "C34.9", "I10.x00x002"}) {
    Referral referral = ValidReferral();
    referral.mutable_diagnosis()->set_icd10_code(good);
    EXPECT_TRUE(CheckNewReferral(&referral, kToday).ok()) << good;
  }
  for (const char* bad : {"I1", "I10.", "110", "I10-1", "I10.x00x00200"}) {
    Referral referral = ValidReferral();
    referral.mutable_diagnosis()->set_icd10_code(bad);
    EXPECT_EQ(BadField(CheckNewReferral(&referral, kToday)),
              "referral.diagnosis.icd10_code")
        << bad;
  }
}

TEST(ReferralCheckTransitionTest, IdVersionAndActorAreRequired) {
  v1::Actor actor;
  actor.set_institution_id("ins-1");
  EXPECT_TRUE(CheckTransition("ref-1", 1, actor).ok());
  EXPECT_EQ(BadField(CheckTransition("", 1, actor)), "id");
  EXPECT_EQ(BadField(CheckTransition("ref-1", 0, actor)), "version");
  EXPECT_EQ(BadField(CheckTransition("ref-1", 1, v1::Actor())),
            "actor.institution_id");
  actor.set_practitioner(Repeat("x", 101));
  EXPECT_EQ(BadField(CheckTransition("ref-1", 1, actor)), "actor.practitioner");
  EXPECT_EQ(BadField(CheckNote("", "reason", /*required=*/true)), "reason");
  EXPECT_TRUE(CheckNote("", "note", /*required=*/false).ok());
  EXPECT_EQ(BadField(CheckOutcome(v1::ReferralOutcome())), "outcome.summary");
}

TEST(ReferralParseListRequestTest, BadFiltersAreNamed) {
  const std::pair<std::function<void(v1::ListReferralsRequest&)>, const char*>
      cases[] = {
          {[](auto& r) { r.mutable_page()->set_page_size(1001); },
           "page.page_size"},
          {[](auto& r) { r.mutable_page()->set_page_size(-1); },
           "page.page_size"},
          {[](auto& r) { r.mutable_page()->set_page_token("%%%"); },
           "page.page_token"},
          {[](auto& r) { r.set_open_to_tier(common::v1::TIER_UNSPECIFIED); },
           "open_to_tier"},
          {[](auto& r) { r.set_incoming_institution_id("ins/1"); },
           "incoming_institution_id"},
          {[](auto& r) { r.set_status(static_cast<v1::ReferralStatus>(99)); },
           "status"},
          {[](auto& r) { r.set_patient_resident_id("360426199101010072"); },
           "patient_resident_id"},
          {[](auto& r) { r.mutable_period()->set_value("2024Q5"); }, "period"},
      };
  for (const auto& [spoil, field] : cases) {
    v1::ListReferralsRequest request;
    spoil(request);
    const absl::StatusOr<ReferralFilter> filter = ParseListRequest(request);
    ASSERT_FALSE(filter.ok()) << field;
    EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(BadField(filter.status()), field) << filter.status();
  }
}

TEST(ReferralParseListRequestTest, FiltersPeriodsAndPageTokens) {
  v1::ListReferralsRequest request;
  request.set_incoming_institution_id("ins-township");
  request.set_direction(v1::REFERRAL_DIRECTION_DOWN);
  request.mutable_period()->set_value("2024-03");
  absl::StatusOr<ReferralFilter> filter = ParseListRequest(request);
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->scope, ReferralFilter::Scope::kIncoming);
  EXPECT_EQ(filter->institution_id, "ins-township");
  EXPECT_EQ(filter->direction, v1::REFERRAL_DIRECTION_DOWN);
  EXPECT_EQ(filter->limit, kDefaultPageSize);
  // March in Beijing time starts at 16:00 UTC on the last day of February.
  EXPECT_EQ(*filter->created_from,
            absl::FromCivil(absl::CivilSecond(2024, 2, 29, 16, 0, 0),
                            absl::UTCTimeZone()));
  EXPECT_EQ(*filter->created_before,
            absl::FromCivil(absl::CivilSecond(2024, 3, 31, 16, 0, 0),
                            absl::UTCTimeZone()));
  EXPECT_EQ(filter->before_row, 0);

  request.mutable_page()->set_page_token(
      NextPageToken(QueryFingerprint(request), 42));
  request.mutable_page()->set_page_size(10);
  filter = ParseListRequest(request);
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->before_row, 42);
  EXPECT_EQ(filter->limit, 10);

  request.set_direction(v1::REFERRAL_DIRECTION_UP);
  filter = ParseListRequest(request);
  EXPECT_EQ(BadField(filter.status()), "page.page_token")
      << "a token of another query is refused";
}

TEST(ReferralMessageDigestTest, EqualRequestsShareADigest) {
  v1::CreateReferralRequest a;
  a.set_request_id("r-1");
  *a.mutable_referral() = ValidReferral();
  v1::CreateReferralRequest b = a;
  EXPECT_EQ(MessageDigest(a), MessageDigest(b));
  EXPECT_EQ(MessageDigest(a).size(), 64u);
  b.mutable_referral()->set_reason("different");
  EXPECT_NE(MessageDigest(a), MessageDigest(b));
}

}  // namespace
}  // namespace cmc::referral
