#include "common/validators/validators.h"

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/status.h"
#include "gtest/gtest.h"

namespace cmc {
namespace {

// A fixed "today" so birth-date cases do not depend on the clock.
const absl::CivilDay kToday(2025, 6, 15);

// Test-side re-implementations of the check characters, written from the domain
// brief independently of validators.cc; the ChecksumHelpers test proves them
// right against the brief's examples.
std::string WithResidentIdCheck(absl::string_view body17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                       3, 7, 9,  10, 5, 8, 4, 2};
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (body17[i] - '0') * kWeights[i];
  return std::string(body17) + "10X98765432"[sum % 11];
}

constexpr absl::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// `first17` followed by its GB 32100 check character.
std::string WithUsccCheck(absl::string_view first17) {
  static constexpr int kWeights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                       29, 25, 13, 8,  24, 10, 30, 28};
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    sum += static_cast<int>(kUsccAlphabet.find(first17[i])) * kWeights[i];
  }
  return std::string(first17) + kUsccAlphabet[(31 - sum % 31) % 31];
}

// A USCC from its first 16 characters: the organization code check and the USCC
// check appended.
std::string MakeUscc(absl::string_view first16) {
  static constexpr int kWeights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    const char c = first16[8 + i];
    sum += (c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10) * kWeights[i];
  }
  const int check = 11 - sum % 11;
  const char org_check = check == 10   ? 'X'
                         : check == 11 ? '0'
                                       : static_cast<char>('0' + check);
  return WithUsccCheck(std::string(first16) + org_check);
}

// A USCC with organization code check `org_check` (right or wrong) and a
// correct USCC check.
std::string MakeUsccWithOrgCheck(absl::string_view first16, char org_check) {
  return WithUsccCheck(std::string(first16) + org_check);
}

// `error` is nullptr for a value that must be accepted, else a fragment of the
// expected message.
void ExpectOutcome(const absl::Status& status, absl::string_view field,
                   const char* error) {
  if (error == nullptr) {
    EXPECT_TRUE(status.ok()) << status;
    return;
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(BadField(status), field) << status;
  EXPECT_TRUE(absl::StartsWith(status.message(), std::string(field) + ": "))
      << status;
  EXPECT_TRUE(absl::StrContains(status.message(), error))
      << "message: " << status.message() << "\nexpected to contain: " << error;
}

TEST(ChecksumHelpers, ReproduceDocumentExamples) {
  EXPECT_EQ(WithResidentIdCheck("36042619910101007"), "360426199101010071");
  EXPECT_EQ(WithResidentIdCheck("11010519491231002"), "11010519491231002X");
  EXPECT_EQ(MakeUscc("9111000060003734"), "91110000600037341L");
}

// ---- Resident ID ------------------------------------------------------------

struct StatusCase {
  const char* name;
  std::string input;
  const char* error;  // nullptr: valid.
};

TEST(ValidateResidentId, Table) {
  const StatusCase kCases[] = {
      {"document example", "360426199101010071", nullptr},
      {"ends in X", "11010519491231002X", nullptr},
      {"ends in X, second", "36042619880612009X", nullptr},
      {"leap day 2000", WithResidentIdCheck("44030420000229123"), nullptr},
      {"born 1900-01-01", WithResidentIdCheck("11010119000101001"), nullptr},
      {"born today", WithResidentIdCheck("82000020250615123"), nullptr},
      {"Taiwan 71", WithResidentIdCheck("71000019800101001"), nullptr},
      {"Xinjiang 65", WithResidentIdCheck("65010219800101001"), nullptr},
      {"length 17", "36042619910101007", "must be 18 characters, got 17"},
      {"length 19", "3604261991010100710", "must be 18 characters, got 19"},
      {"empty", "", "must be 18 characters, got 0"},
      {"letter in body", "3604I6199101010071",
       "invalid character 'I' at position 5"},
      {"letter at 14", "3604261991010A0071",
       "invalid character 'A' at position 14"},
      {"X inside body", "36042619910101X071",
       "only the last character may be 'X'"},
      {"lower-case x", "11010519491231002x",
       "lower-case 'x' at position 18; use upper-case 'X'"},
      {"letter last", "36042619910101007A",
       "invalid character 'A' at position 18; expected a digit or 'X'"},
      {"non-ASCII byte", "36042619910101007\xE4",
       "invalid character byte 0xE4 at position 18"},
      {"wrong check digit", "360426199101010072",
       "checksum mismatch: expected '1', got '2'"},
      {"digit instead of X", "110105194912310021",
       "checksum mismatch: expected 'X', got '1'"},
      {"X instead of digit", "36042619910101007X",
       "checksum mismatch: expected '1', got 'X'"},
      {"province 99", WithResidentIdCheck("99042619910101007"),
       "province code 99 does not exist"},
      {"province 00", WithResidentIdCheck("00042619910101007"),
       "province code 00 does not exist"},
      {"province 16 in a gap", WithResidentIdCheck("16042619910101007"),
       "province code 16 does not exist"},
      {"Feb 30", WithResidentIdCheck("36042619910230007"),
       "birth date 19910230 is not a real date"},
      {"Feb 29 non-leap", WithResidentIdCheck("36042620230229007"),
       "birth date 20230229 is not a real date"},
      {"Feb 29 1900 (century, not leap)",
       WithResidentIdCheck("36042619000229007"),
       "birth date 19000229 is not a real date"},
      {"month 13", WithResidentIdCheck("36042619911301007"),
       "birth date 19911301 is not a real date"},
      {"day 00", WithResidentIdCheck("36042619910100007"),
       "birth date 19910100 is not a real date"},
      {"before 1900", WithResidentIdCheck("36042618991231007"),
       "birth date 18991231 is before 1900"},
      {"tomorrow", WithResidentIdCheck("36042620250616007"),
       "birth date 20250616 is in the future"},
  };
  for (const StatusCase& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.name << ": \"" << c.input << "\"");
    ExpectOutcome(ValidateResidentId(c.input, "staff[2].id_number", kToday),
                  "staff[2].id_number", c.error);
  }
}

TEST(ValidateResidentId, DefaultTodayIsTheRealDate) {
  EXPECT_TRUE(ValidateResidentId("360426199101010071", "id").ok());
  ExpectOutcome(
      ValidateResidentId(WithResidentIdCheck("36042629900101007"), "id"), "id",
      "birth date 29900101 is in the future");
}

TEST(ParseResidentId, DerivesBirthDateAndSex) {
  struct Case {
    std::string id;
    absl::CivilDay birth_date;
    bool male;
  };
  const Case kCases[] = {
      {"360426199101010071", absl::CivilDay(1991, 1, 1), true},
      {"11010519491231002X", absl::CivilDay(1949, 12, 31), false},
      {WithResidentIdCheck("44030420000229123"), absl::CivilDay(2000, 2, 29),
       true},
      {WithResidentIdCheck("11010119000101008"), absl::CivilDay(1900, 1, 1),
       false},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.id);
    const absl::StatusOr<ResidentIdFacts> facts =
        ParseResidentId(c.id, "patient.id", kToday);
    ASSERT_TRUE(facts.ok()) << facts.status();
    EXPECT_EQ(facts->birth_date, c.birth_date);
    EXPECT_EQ(facts->male, c.male);
  }
  ExpectOutcome(
      ParseResidentId("360426199101010072", "patient.id", kToday).status(),
      "patient.id", "checksum mismatch");
}

TEST(MaskResidentId, Table) {
  struct Case {
    const char* id;
    const char* masked;
  };
  const Case kCases[] = {
      {"360426199101010071", "360426***********1"},
      {"11010519491231002X", "110105***********X"},
      {"", ""},
      {"1234567890123", "*************"},
      {"12345678901234", "123456*******4"},
      {"A123-4567-8901-23", "A123-4**********3"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.id);
    EXPECT_EQ(MaskResidentId(c.id), c.masked);
    EXPECT_EQ(MaskIdentifier(c.id), c.masked);
  }
}

TEST(YearOfIsoDate, Table) {
  EXPECT_EQ(YearOfIsoDate("1991-01-01"), 1991);
  EXPECT_EQ(YearOfIsoDate("2026"), 2026);
  EXPECT_EQ(YearOfIsoDate(""), 0);
  EXPECT_EQ(YearOfIsoDate("19x1-01-01"), 0);
}

// What an output reveals beside a masked ID (the county, the birth year, the
// sex and the check character) must leave thousands of valid IDs, so the
// masked form cannot be turned back into the ID.
TEST(MaskResidentId, LeavesThousandsOfCandidatesGivenYearAndSex) {
  const std::string id = "360426199101010071";
  const std::string masked = MaskResidentId(id);
  const absl::StatusOr<ResidentIdFacts> facts = ParseResidentId(id, "id");
  ASSERT_TRUE(facts.ok());
  const int year = static_cast<int>(facts->birth_date.year());
  int candidates = 0;
  for (absl::CivilDay day(year, 1, 1); day.year() == year; ++day) {
    for (int sequence = 0; sequence < 1000; ++sequence) {
      if ((sequence % 2 == 1) != facts->male) continue;
      const std::string candidate =
          MakeResidentId(id.substr(0, 6), day, sequence);
      if (MaskResidentId(candidate) == masked) ++candidates;
    }
  }
  EXPECT_GE(candidates, 10000);
}

// ---- USCC -------------------------------------------------------------------

TEST(ValidateUscc, Table) {
  const StatusCase kCases[] = {
      {"document example", "91110000600037341L", nullptr},
      {"central ministry under division 100000", "11100000000013338W", nullptr},
      {"public institution, county division", MakeUscc("1236042648500001"),
       nullptr},
      {"letters in organization code", MakeUscc("91360426MA35FG7K"), nullptr},
      {"organization check X", "91360426MA350004XB", nullptr},
      {"organization check 0", "52360426MJ12000702", nullptr},
      {"length 17", "91110000600037341", "must be 18 characters, got 17"},
      {"length 19", "91110000600037341L0", "must be 18 characters, got 19"},
      {"empty", "", "must be 18 characters, got 0"},
      {"I", "9111000060003734IL",
       "character 'I' at position 17 is not allowed"},
      {"O", "91110000O00037341L", "character 'O' at position 9 is not allowed"},
      {"S", "9111000060S037341L",
       "character 'S' at position 11 is not allowed"},
      {"V", "V1110000600037341L", "character 'V' at position 1 is not allowed"},
      {"Z", "91110000600037341Z",
       "character 'Z' at position 18 is not allowed"},
      {"lower-case check", "91110000600037341l",
       "lower-case 'l' at position 18; use upper case 'L'"},
      {"lower-case excluded letter", "91110000600o37341L",
       "character 'o' at position 12 is not allowed"},
      {"punctuation", "91110000-600037341",
       "invalid character '-' at position 9"},
      {"wrong USCC check", "91110000600037341M",
       "checksum mismatch: expected 'L', got 'M'"},
      {"wrong organization check, USCC check right",
       MakeUsccWithOrgCheck("9111000060003734", '2'),
       "organization code checksum mismatch: organization code 600037342 "
       "(characters 9-17) "
       "should end in '1', got '2'"},
      {"organization check X expected, 0 given",
       MakeUsccWithOrgCheck("91360426MA350004", '0'),
       "should end in 'X', got '0'"},
      {"letter in division code", MakeUscc("91A1000060003734"),
       "invalid character 'A' at position 3; expected a digit (characters 3-8 "
       "are the division "
       "code)"},
      {"division province 99", MakeUscc("9199000060003734"),
       "division code 990000 (characters 3-8): province code 99 does not "
       "exist"},
      {"only 100000 stands for the nation", MakeUscc("1110000100001333"),
       "division code 100001 (characters 3-8): province code 10 does not "
       "exist"},
  };
  for (const StatusCase& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.name << ": \"" << c.input << "\"");
    ExpectOutcome(ValidateUscc(c.input, "members[0].uscc"), "members[0].uscc",
                  c.error);
  }
}

TEST(ParseUscc, SplitsTheParts) {
  const absl::StatusOr<UsccFacts> facts =
      ParseUscc("91110000600037341L", "uscc");
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ(facts->registration_authority, '9');
  EXPECT_EQ(facts->organization_category, '1');
  EXPECT_EQ(facts->division_code, "110000");
  EXPECT_EQ(facts->organization_code, "600037341");
  ExpectOutcome(ParseUscc("91110000600037341M", "uscc").status(), "uscc",
                "checksum mismatch");
}

// ---- Division codes ---------------------------------------------------------

TEST(ValidateCountyCode, Table) {
  const StatusCase kCases[] = {
      {"county", "360426", nullptr},
      {"province itself", "110000", nullptr},
      {"Macao", "820000", nullptr},
      {"Taiwan", "710000", nullptr},
      {"county-level city", "659001", nullptr},
      {"length 5", "36042", "must be 6 characters, got 5"},
      {"length 7", "3604261", "must be 6 characters, got 7"},
      {"empty", "", "must be 6 characters, got 0"},
      {"letter", "36042A",
       "invalid character 'A' at position 6; expected a digit"},
      {"space", " 36042", "invalid character ' ' at position 1"},
      {"province 99", "990426", "province code 99 does not exist"},
      {"province 16", "160000", "province code 16 does not exist"},
      {"province 00", "000000", "province code 00 does not exist"},
      {"province 72", "720000", "province code 72 does not exist"},
  };
  for (const StatusCase& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.name << ": \"" << c.input << "\"");
    ExpectOutcome(ValidateCountyCode(c.input, "county.code"), "county.code",
                  c.error);
  }
}

TEST(ValidateDivisionCode12, Table) {
  const StatusCase kCases[] = {
      {"county itself", "360426000000", nullptr},
      {"first street", "360426001000", nullptr},
      {"town", "360426100000", nullptr},
      {"last township", "360426399000", nullptr},
      {"residents' committee", "360426100001", nullptr},
      {"last residents' committee", "360426100199", nullptr},
      {"villagers' committee", "360426200200", nullptr},
      {"last villagers' committee", "360426200399", nullptr},
      {"length 11", "36042610000", "must be 12 characters, got 11"},
      {"length 13", "3604261000010", "must be 12 characters, got 13"},
      {"empty", "", "must be 12 characters, got 0"},
      {"letter in village part", "36042610000A",
       "invalid character 'A' at position 12; expected a digit"},
      {"county part: province 99", "990426100001",
       "province code 99 does not exist"},
      {"township part 400", "360426400000",
       "township part 400 is out of range"},
      {"township part 999", "360426999001",
       "township part 999 is out of range"},
      {"village part 400", "360426100400", "village part 400 is out of range"},
      {"village part 999", "360426200999", "village part 999 is out of range"},
      {"village without township", "360426000001",
       "village part 001 needs a township part"},
  };
  for (const StatusCase& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.name << ": \"" << c.input << "\"");
    ExpectOutcome(ValidateDivisionCode12(c.input, "village.division_code"),
                  "village.division_code", c.error);
  }
}

TEST(DivisionLevelOf, Table) {
  struct Case {
    const char* code;
    DivisionLevel level;
  };
  const Case kCases[] = {
      {"360426000000", DivisionLevel::kCounty},
      {"360426001000", DivisionLevel::kTownship},
      {"360426200000", DivisionLevel::kTownship},
      {"360426200001", DivisionLevel::kVillage},
      {"360426399399", DivisionLevel::kVillage},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.code);
    const absl::StatusOr<DivisionLevel> level = DivisionLevelOf(c.code, "code");
    ASSERT_TRUE(level.ok()) << level.status();
    EXPECT_EQ(*level, c.level);
  }
  ExpectOutcome(DivisionLevelOf("360426400000", "code").status(), "code",
                "township part 400 is out of range");
}

TEST(TownshipKindOf, Table) {
  struct Case {
    const char* code;
    TownshipKind kind;
  };
  const Case kCases[] = {
      {"360426001000", TownshipKind::kStreet},
      {"360426099001", TownshipKind::kStreet},
      {"360426100000", TownshipKind::kTown},
      {"360426199200", TownshipKind::kTown},
      {"360426200000", TownshipKind::kTownship},
      {"360426399399", TownshipKind::kTownship},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.code);
    const absl::StatusOr<TownshipKind> kind = TownshipKindOf(c.code, "code");
    ASSERT_TRUE(kind.ok()) << kind.status();
    EXPECT_EQ(*kind, c.kind);
  }
  ExpectOutcome(TownshipKindOf("360426000000", "code").status(), "code",
                "360426000000 is a county; it has no township part");
  ExpectOutcome(TownshipKindOf("360426400000", "code").status(), "code",
                "township part 400 is out of range");
}

TEST(VillageKindOf, Table) {
  struct Case {
    const char* code;
    VillageKind kind;
  };
  const Case kCases[] = {
      {"360426001001", VillageKind::kResidentsCommittee},
      {"360426100199", VillageKind::kResidentsCommittee},
      {"360426200200", VillageKind::kVillagersCommittee},
      {"360426399399", VillageKind::kVillagersCommittee},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.code);
    const absl::StatusOr<VillageKind> kind = VillageKindOf(c.code, "code");
    ASSERT_TRUE(kind.ok()) << kind.status();
    EXPECT_EQ(*kind, c.kind);
  }
  ExpectOutcome(VillageKindOf("360426100000", "code").status(), "code",
                "360426100000 is a township; it has no village part");
  ExpectOutcome(VillageKindOf("360426000000", "code").status(), "code",
                "360426000000 is a county; it has no village part");
}

TEST(DivisionWithinCounty, Table) {
  struct Case {
    const char* code12;
    const char* county6;
    bool within;
  };
  const Case kCases[] = {
      {"360426100001", "360426", true},  {"360426000000", "360426", true},
      {"360427100001", "360426", false}, {"360426100001", "36042", false},
      {"360426400000", "360426", false}, {"990426100001", "990426", false},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.code12 << " in " << c.county6);
    EXPECT_EQ(DivisionWithinCounty(c.code12, c.county6), c.within);
  }
}

// ---- Dates and periods ------------------------------------------------------

TEST(ParseCivilDate, Table) {
  struct Case {
    const char* text;
    absl::CivilDay day;  // Checked when error is nullptr.
    const char* error;
  };
  const Case kCases[] = {
      {"2024-02-29", absl::CivilDay(2024, 2, 29), nullptr},
      {"1900-01-01", absl::CivilDay(1900, 1, 1), nullptr},
      {"2999-12-31", absl::CivilDay(2999, 12, 31), nullptr},
      {"2023-02-29", {}, "2023-02-29 is not a real date"},
      {"2024-13-01", {}, "2024-13-01 is not a real date"},
      {"2024-00-10", {}, "2024-00-10 is not a real date"},
      {"2024-01-00", {}, "2024-01-00 is not a real date"},
      {"1899-12-31", {}, "year 1899 is outside 1900-2999"},
      {"3000-01-01", {}, "year 3000 is outside 1900-2999"},
      {"2024-1-01", {}, "must be a date YYYY-MM-DD, got '2024-1-01'"},
      {"2024/01/01", {}, "must be a date YYYY-MM-DD"},
      {"20240101", {}, "must be a date YYYY-MM-DD"},
      {"2024-01-01 ", {}, "must be a date YYYY-MM-DD"},
      {"", {}, "must be a date YYYY-MM-DD, got ''"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    const absl::StatusOr<absl::CivilDay> day =
        ParseCivilDate(c.text, "posting.start_date");
    ExpectOutcome(day.status(), "posting.start_date", c.error);
    if (c.error == nullptr && day.ok()) {
      EXPECT_EQ(*day, c.day);
      EXPECT_EQ(FormatCivilDate(*day), c.text);
    }
  }
}

TEST(FormatCivilDate, PadsEveryField) {
  EXPECT_EQ(FormatCivilDate(absl::CivilDay(2024, 3, 5)), "2024-03-05");
  EXPECT_EQ(FormatCivilDate(absl::CivilDay(905, 1, 2)), "0905-01-02");
}

TEST(ParsePeriod, Table) {
  struct Case {
    const char* text;
    absl::CivilDay first;  // first and last are checked when error is nullptr.
    absl::CivilDay last;
    const char* error;
  };
  const Case kCases[] = {
      {"2024", absl::CivilDay(2024, 1, 1), absl::CivilDay(2024, 12, 31),
       nullptr},
      {"2024Q1", absl::CivilDay(2024, 1, 1), absl::CivilDay(2024, 3, 31),
       nullptr},
      {"2024Q2", absl::CivilDay(2024, 4, 1), absl::CivilDay(2024, 6, 30),
       nullptr},
      {"2024Q4", absl::CivilDay(2024, 10, 1), absl::CivilDay(2024, 12, 31),
       nullptr},
      {"2024-01", absl::CivilDay(2024, 1, 1), absl::CivilDay(2024, 1, 31),
       nullptr},
      {"2024-02", absl::CivilDay(2024, 2, 1), absl::CivilDay(2024, 2, 29),
       nullptr},
      {"2023-02", absl::CivilDay(2023, 2, 1), absl::CivilDay(2023, 2, 28),
       nullptr},
      {"2024-12", absl::CivilDay(2024, 12, 1), absl::CivilDay(2024, 12, 31),
       nullptr},
      {"2024W01", absl::CivilDay(2024, 1, 1), absl::CivilDay(2024, 1, 7),
       nullptr},
      {"2024W52", absl::CivilDay(2024, 12, 23), absl::CivilDay(2024, 12, 29),
       nullptr},
      {"2025W01", absl::CivilDay(2024, 12, 30), absl::CivilDay(2025, 1, 5),
       nullptr},
      {"2021W01", absl::CivilDay(2021, 1, 4), absl::CivilDay(2021, 1, 10),
       nullptr},
      {"2020W53", absl::CivilDay(2020, 12, 28), absl::CivilDay(2021, 1, 3),
       nullptr},
      {"2015W53", absl::CivilDay(2015, 12, 28), absl::CivilDay(2016, 1, 3),
       nullptr},
      {"2026W53", absl::CivilDay(2026, 12, 28), absl::CivilDay(2027, 1, 3),
       nullptr},
      {"2024Q5", {}, {}, "quarter 5 is out of range (1-4)"},
      {"2024Q0", {}, {}, "quarter 0 is out of range (1-4)"},
      {"2024-13", {}, {}, "month 13 is out of range (01-12)"},
      {"2024-00", {}, {}, "month 00 is out of range (01-12)"},
      {"2024W00",
       {},
       {},
       "ISO week 00 is out of range (01-52 in ISO year 2024)"},
      {"2021W53",
       {},
       {},
       "ISO week 53 is out of range (01-52 in ISO year 2021)"},
      {"2020W54",
       {},
       {},
       "ISO week 54 is out of range (01-53 in ISO year 2020)"},
      {"1899", {}, {}, "year 1899 is outside 1900-2999"},
      {"3000Q1", {}, {}, "year 3000 is outside 1900-2999"},
      {"24", {}, {}, "must be a period YYYY, YYYYQn, YYYY-MM or YYYYWnn"},
      {"2024-1", {}, {}, "got '2024-1'"},
      {"2024q1", {}, {}, "(upper-case Q and W), got '2024q1'"},
      {"2024W1", {}, {}, "got '2024W1'"},
      {"2024Q", {}, {}, "got '2024Q'"},
      {"2024-01-01", {}, {}, "got '2024-01-01'"},
      {"2024H1", {}, {}, "got '2024H1'"},
      {"", {}, {}, "got ''"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    const absl::StatusOr<PeriodRange> range =
        ParsePeriod(c.text, "report.period");
    ExpectOutcome(range.status(), "report.period", c.error);
    ExpectOutcome(ValidatePeriod(c.text, "report.period"), "report.period",
                  c.error);
    if (c.error == nullptr && range.ok()) {
      EXPECT_EQ(range->first, c.first);
      EXPECT_EQ(range->last, c.last);
    }
  }
}

TEST(MakeCodesTest, BuiltCodesPassTheirValidators) {
  struct Case {
    const char* county;
    int serial;
  } cases[] = {{"360426", 0},        {"360426", 1},       {"330122", 42600017},
               {"110101", 99999999}, {"650102", 1234567}, {"360426", 500}};
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.county, " ", c.serial));
    const std::string uscc = cmc::MakeUscc(c.county, c.serial);
    ASSERT_EQ(uscc.size(), 18u);
    EXPECT_TRUE(ValidateUscc(uscc, "uscc").ok()) << uscc;
    const auto facts = ParseUscc(uscc, "uscc");
    ASSERT_TRUE(facts.ok());
    EXPECT_EQ(facts->division_code, c.county);

    const absl::CivilDay birth(1960 + c.serial % 50, 1 + c.serial % 12,
                               1 + c.serial % 28);
    const std::string id = MakeResidentId(c.county, birth, c.serial);
    const auto person = ParseResidentId(id, "id", absl::CivilDay(2026, 11, 22));
    ASSERT_TRUE(person.ok()) << id << " " << person.status();
    EXPECT_EQ(person->birth_date, birth);
    EXPECT_EQ(person->male, (c.serial % 1000) % 2 == 1);
  }
}

}  // namespace
}  // namespace cmc
