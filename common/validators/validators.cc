#include "common/validators/validators.h"

#include <cstddef>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/service/county_time.h"
#include "common/status.h"

namespace cmc {
namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2999;

// "'I'" for printable ASCII; "byte 0xE4" otherwise, so a stray UTF-8 byte or
// control character is visible in the message instead of corrupting it.
std::string DescribeChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) {
    return absl::StrCat("'", std::string(1, c), "'");
  }
  return absl::StrFormat("byte 0x%02X", byte);
}

// `text` quoted for a message: escaped, and cut short so a hostile input cannot
// flood logs.
std::string Quote(absl::string_view text) {
  constexpr std::size_t kMaxShown = 40;
  if (text.size() > kMaxShown) {
    return absl::StrCat("'", absl::CHexEscape(text.substr(0, kMaxShown)),
                        "...'");
  }
  return absl::StrCat("'", absl::CHexEscape(text), "'");
}

bool AllDigits(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The value of `digits`, which the caller has checked are all ASCII digits (at
// most 9).
int DigitsValue(absl::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// "invalid character 'a' at position 3; expected a digit" for the first
// non-digit of `text`, whose first character is at 1-based `first_position`; ""
// when all are digits.
std::string FirstNonDigitProblem(absl::string_view text,
                                 std::size_t first_position) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
      return absl::StrCat("invalid character ", DescribeChar(text[i]),
                          " at position ", first_position + i,
                          "; expected a digit");
    }
  }
  return "";
}

// Province-level codes of GB/T 2260, including Taiwan (71), Hong Kong (81) and
// Macao (82).
bool IsProvinceCode(int code) {
  struct Range {
    int first;
    int last;
  };
  static constexpr Range kProvinces[] = {{11, 15}, {21, 23}, {31, 37},
                                         {41, 46}, {50, 54}, {61, 65},
                                         {71, 71}, {81, 82}};
  for (const Range& range : kProvinces) {
    if (code >= range.first && code <= range.last) return true;
  }
  return false;
}

// absl::CivilDay normalizes out-of-range fields (Feb 30 -> Mar 1), so a date is
// real exactly when normalization leaves it unchanged.
bool IsRealDate(int year, int month, int day) {
  const absl::CivilDay normalized(year, month, day);
  return normalized.year() == year && normalized.month() == month &&
         normalized.day() == day;
}

// ---- Resident ID ------------------------------------------------------------

constexpr std::size_t kResidentIdLength = 18;

// GB 11643 check character of the first 17 digits.
char ResidentIdCheckChar(absl::string_view body17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                       3, 7, 9,  10, 5, 8, 4, 2};
  static constexpr char kCheckChars[] = "10X98765432";
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (body17[i] - '0') * kWeights[i];
  return kCheckChars[sum % 11];
}

// Why the characters of an 18-character `id` are not 17 digits and a digit or
// 'X'; "" if they are.
std::string ResidentIdCharProblem(absl::string_view id) {
  for (std::size_t i = 0; i + 1 < kResidentIdLength; ++i) {
    const char c = id[i];
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) continue;
    if (c == 'X' || c == 'x') {
      return absl::StrCat("invalid character ", DescribeChar(c),
                          " at position ", i + 1,
                          "; only the last character may be 'X'");
    }
    return absl::StrCat("invalid character ", DescribeChar(c), " at position ",
                        i + 1, "; expected a digit");
  }
  const char last = id[kResidentIdLength - 1];
  if (last == 'x') return "lower-case 'x' at position 18; use upper-case 'X'";
  if (last != 'X' && !absl::ascii_isdigit(static_cast<unsigned char>(last))) {
    return absl::StrCat("invalid character ", DescribeChar(last),
                        " at position 18; expected a digit or 'X'");
  }
  return "";
}

// ---- USCC -------------------------------------------------------------------

constexpr std::size_t kUsccLength = 18;
// GB 32100 alphabet; the position of a character is its value (0-30).
constexpr absl::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
// Central-government registration authorities use the national code in place of
// a county code.
constexpr absl::string_view kNationalDivisionCode = "100000";

std::string UsccCharProblem(char c, std::size_t position) {
  const char upper = absl::ascii_toupper(static_cast<unsigned char>(c));
  if (absl::string_view("IOSVZ").find(upper) != absl::string_view::npos) {
    return absl::StrCat("character ", DescribeChar(c), " at position ",
                        position,
                        " is not allowed; a USCC never uses I, O, S, V or Z");
  }
  if (absl::ascii_islower(static_cast<unsigned char>(c))) {
    return absl::StrCat("lower-case ", DescribeChar(c), " at position ",
                        position, "; use upper case ", DescribeChar(upper));
  }
  return absl::StrCat("invalid character ", DescribeChar(c), " at position ",
                      position, "; expected a digit or an upper-case letter");
}

// GB 32100 check character of the first 17 characters, all in kUsccAlphabet.
char UsccCheckChar(absl::string_view body17) {
  static constexpr int kWeights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                       29, 25, 13, 8,  24, 10, 30, 28};
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    sum += static_cast<int>(kUsccAlphabet.find(body17[i])) * kWeights[i];
  }
  return kUsccAlphabet[(31 - sum % 31) % 31];
}

// GB 11714 check character of an 8-character organization code body (digits and
// upper-case letters; letters count A=10 .. Z=35, i.e. by their place in the
// full Latin alphabet).
char OrganizationCodeCheckChar(absl::string_view body8) {
  static constexpr int kWeights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    const char c = body8[i];
    const int value = absl::ascii_isdigit(static_cast<unsigned char>(c))
                          ? c - '0'
                          : c - 'A' + 10;
    sum += value * kWeights[i];
  }
  const int check = 11 - sum % 11;
  if (check == 10) return 'X';
  if (check == 11) return '0';
  return static_cast<char>('0' + check);
}

// ---- Division codes ---------------------------------------------------------

constexpr std::size_t kCountyCodeLength = 6;
constexpr std::size_t kDivisionCode12Length = 12;
constexpr int kMaxTownship = 399;
constexpr int kMaxVillage = 399;

// The township and village parts of a valid 12-digit code (0 = absent).
struct DivisionParts {
  int township;
  int village;
};

absl::StatusOr<DivisionParts> ParseDivisionCode12(absl::string_view code,
                                                  absl::string_view field) {
  if (code.size() != kDivisionCode12Length) {
    return InvalidField(
        field, absl::StrCat("must be 12 characters, got ", code.size()));
  }
  if (std::string problem = FirstNonDigitProblem(code, 1); !problem.empty()) {
    return InvalidField(field, problem);
  }
  CMC_RETURN_IF_ERROR(
      ValidateCountyCode(code.substr(0, kCountyCodeLength), field));
  const absl::string_view township_text = code.substr(6, 3);
  const absl::string_view village_text = code.substr(9, 3);
  const DivisionParts parts{DigitsValue(township_text),
                            DigitsValue(village_text)};
  if (parts.township > kMaxTownship) {
    return InvalidField(
        field,
        absl::StrCat("township part ", township_text,
                     " is out of range (001-399, or 000 for the county)"));
  }
  if (parts.village > kMaxVillage) {
    return InvalidField(
        field,
        absl::StrCat("village part ", village_text,
                     " is out of range (001-399, or 000 for the township)"));
  }
  if (parts.township == 0 && parts.village != 0) {
    return InvalidField(field, absl::StrCat("village part ", village_text,
                                            " needs a township part, got 000"));
  }
  return parts;
}

// ---- Periods ----------------------------------------------------------------

// The Monday of ISO week 1 of ISO year `year`: the week that contains January
// 4th.
absl::CivilDay IsoWeekOneMonday(int year) {
  return absl::PrevWeekday(absl::CivilDay(year, 1, 4) + 1,
                           absl::Weekday::monday);
}

int IsoWeeksInYear(int year) {
  return static_cast<int>(
      (IsoWeekOneMonday(year + 1) - IsoWeekOneMonday(year)) / 7);
}

// The last day of the `months` calendar months starting with the month of
// `first`.
absl::CivilDay LastDayOfMonths(absl::CivilDay first, int months) {
  return absl::CivilDay(absl::CivilMonth(first) + months) - 1;
}

enum class PeriodKind { kYear, kQuarter, kMonth, kWeek };

}  // namespace

absl::Status ValidateResidentId(absl::string_view id, absl::string_view field) {
  return ValidateResidentId(id, field, CountyDay(absl::Now()));
}

absl::Status ValidateResidentId(absl::string_view id, absl::string_view field,
                                absl::CivilDay today) {
  return ParseResidentId(id, field, today).status();
}

absl::StatusOr<ResidentIdFacts> ParseResidentId(absl::string_view id,
                                                absl::string_view field) {
  return ParseResidentId(id, field, CountyDay(absl::Now()));
}

absl::StatusOr<ResidentIdFacts> ParseResidentId(absl::string_view id,
                                                absl::string_view field,
                                                absl::CivilDay today) {
  if (id.size() != kResidentIdLength) {
    return InvalidField(field,
                        absl::StrCat("must be 18 characters, got ", id.size()));
  }
  if (std::string problem = ResidentIdCharProblem(id); !problem.empty()) {
    return InvalidField(field, problem);
  }
  const char expected = ResidentIdCheckChar(id.substr(0, 17));
  if (id[17] != expected) {
    return InvalidField(
        field,
        absl::StrCat("checksum mismatch: expected '", std::string(1, expected),
                     "', got '", std::string(1, id[17]), "'"));
  }
  const absl::string_view province = id.substr(0, 2);
  if (!IsProvinceCode(DigitsValue(province))) {
    return InvalidField(
        field, absl::StrCat("province code ", province, " does not exist"));
  }
  const absl::string_view birth = id.substr(6, 8);
  const int year = DigitsValue(birth.substr(0, 4));
  const int month = DigitsValue(birth.substr(4, 2));
  const int day = DigitsValue(birth.substr(6, 2));
  if (!IsRealDate(year, month, day)) {
    return InvalidField(
        field, absl::StrCat("birth date ", birth, " is not a real date"));
  }
  if (year < kMinYear) {
    return InvalidField(field,
                        absl::StrCat("birth date ", birth, " is before 1900"));
  }
  const absl::CivilDay birth_date(year, month, day);
  if (birth_date > today) {
    return InvalidField(
        field, absl::StrCat("birth date ", birth, " is in the future"));
  }
  return ResidentIdFacts{birth_date, (id[16] - '0') % 2 == 1};
}

std::string MaskIdentifier(absl::string_view id) {
  constexpr std::size_t kShownHead = 6;
  constexpr std::size_t kShownTail = 1;
  constexpr std::size_t kMinHidden = 7;
  if (id.size() < kShownHead + kMinHidden + kShownTail) {
    return std::string(id.size(), '*');
  }
  return absl::StrCat(id.substr(0, kShownHead),
                      std::string(id.size() - kShownHead - kShownTail, '*'),
                      id.substr(id.size() - kShownTail));
}

std::string MaskResidentId(absl::string_view id) { return MaskIdentifier(id); }

int YearOfIsoDate(absl::string_view date) {
  int year = 0;
  if (date.size() < 4) return 0;
  for (char c : date.substr(0, 4)) {
    if (c < '0' || c > '9') return 0;
    year = year * 10 + (c - '0');
  }
  return year;
}

absl::Status ValidateUscc(absl::string_view code, absl::string_view field) {
  if (code.size() != kUsccLength) {
    return InvalidField(
        field, absl::StrCat("must be 18 characters, got ", code.size()));
  }
  for (std::size_t i = 0; i < kUsccLength; ++i) {
    if (kUsccAlphabet.find(code[i]) == absl::string_view::npos) {
      return InvalidField(field, UsccCharProblem(code[i], i + 1));
    }
  }
  const char expected = UsccCheckChar(code.substr(0, 17));
  if (code[17] != expected) {
    return InvalidField(
        field,
        absl::StrCat("checksum mismatch: expected '", std::string(1, expected),
                     "', got '", std::string(1, code[17]), "'"));
  }
  const char org_expected = OrganizationCodeCheckChar(code.substr(8, 8));
  if (code[16] != org_expected) {
    return InvalidField(
        field,
        absl::StrCat("organization code checksum mismatch: organization code ",
                     code.substr(8, 9), " (characters 9-17) should end in '",
                     std::string(1, org_expected), "', got '",
                     std::string(1, code[16]), "'"));
  }
  const absl::string_view division = code.substr(2, 6);
  if (std::string problem = FirstNonDigitProblem(division, 3);
      !problem.empty()) {
    return InvalidField(
        field,
        absl::StrCat(problem, " (characters 3-8 are the division code)"));
  }
  if (division != kNationalDivisionCode &&
      !IsProvinceCode(DigitsValue(division.substr(0, 2)))) {
    return InvalidField(field,
                        absl::StrCat("division code ", division,
                                     " (characters 3-8): province code ",
                                     division.substr(0, 2), " does not exist"));
  }
  return absl::OkStatus();
}

absl::StatusOr<UsccFacts> ParseUscc(absl::string_view code,
                                    absl::string_view field) {
  CMC_RETURN_IF_ERROR(ValidateUscc(code, field));
  return UsccFacts{code[0], code[1], std::string(code.substr(2, 6)),
                   std::string(code.substr(8, 9))};
}

absl::Status ValidateCountyCode(absl::string_view code,
                                absl::string_view field) {
  if (code.size() != kCountyCodeLength) {
    return InvalidField(
        field, absl::StrCat("must be 6 characters, got ", code.size()));
  }
  if (std::string problem = FirstNonDigitProblem(code, 1); !problem.empty()) {
    return InvalidField(field, problem);
  }
  const absl::string_view province = code.substr(0, 2);
  if (!IsProvinceCode(DigitsValue(province))) {
    return InvalidField(
        field, absl::StrCat("province code ", province, " does not exist"));
  }
  return absl::OkStatus();
}

absl::Status ValidateDivisionCode12(absl::string_view code,
                                    absl::string_view field) {
  return ParseDivisionCode12(code, field).status();
}

absl::StatusOr<DivisionLevel> DivisionLevelOf(absl::string_view code12,
                                              absl::string_view field) {
  CMC_ASSIGN_OR_RETURN(const DivisionParts parts,
                       ParseDivisionCode12(code12, field));
  if (parts.township == 0) return DivisionLevel::kCounty;
  if (parts.village == 0) return DivisionLevel::kTownship;
  return DivisionLevel::kVillage;
}

bool DivisionWithinCounty(absl::string_view code12, absl::string_view county6) {
  return ValidateDivisionCode12(code12, "").ok() &&
         ValidateCountyCode(county6, "").ok() &&
         absl::StartsWith(code12, county6);
}

absl::StatusOr<TownshipKind> TownshipKindOf(absl::string_view code12,
                                            absl::string_view field) {
  CMC_ASSIGN_OR_RETURN(const DivisionParts parts,
                       ParseDivisionCode12(code12, field));
  if (parts.township == 0) {
    return InvalidField(
        field, absl::StrCat(code12, " is a county; it has no township part"));
  }
  if (parts.township < 100) return TownshipKind::kStreet;
  if (parts.township < 200) return TownshipKind::kTown;
  return TownshipKind::kTownship;
}

absl::StatusOr<VillageKind> VillageKindOf(absl::string_view code12,
                                          absl::string_view field) {
  CMC_ASSIGN_OR_RETURN(const DivisionParts parts,
                       ParseDivisionCode12(code12, field));
  if (parts.village == 0) {
    return InvalidField(
        field, absl::StrCat(code12, " is a ",
                            parts.township == 0 ? "county" : "township",
                            "; it has no village part"));
  }
  if (parts.village < 200) return VillageKind::kResidentsCommittee;
  return VillageKind::kVillagersCommittee;
}

absl::StatusOr<absl::CivilDay> ParseCivilDate(absl::string_view text,
                                              absl::string_view field) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !AllDigits(text.substr(0, 4)) || !AllDigits(text.substr(5, 2)) ||
      !AllDigits(text.substr(8, 2))) {
    return InvalidField(
        field, absl::StrCat("must be a date YYYY-MM-DD, got ", Quote(text)));
  }
  const int year = DigitsValue(text.substr(0, 4));
  const int month = DigitsValue(text.substr(5, 2));
  const int day = DigitsValue(text.substr(8, 2));
  if (!IsRealDate(year, month, day)) {
    return InvalidField(field, absl::StrCat(text, " is not a real date"));
  }
  if (year < kMinYear || year > kMaxYear) {
    return InvalidField(field,
                        absl::StrCat("year ", year, " is outside 1900-2999"));
  }
  return absl::CivilDay(year, month, day);
}

std::string FormatCivilDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::StatusOr<PeriodRange> ParsePeriod(absl::string_view text,
                                        absl::string_view field) {
  const auto bad_format = [&] {
    return InvalidField(
        field, absl::StrCat("must be a period YYYY, YYYYQn, YYYY-MM or YYYYWnn "
                            "(upper-case Q and W), got ",
                            Quote(text)));
  };
  if (text.size() < 4 || !AllDigits(text.substr(0, 4))) return bad_format();
  const absl::string_view rest = text.substr(4);
  PeriodKind kind = PeriodKind::kYear;
  if (rest.size() == 2 && rest[0] == 'Q') {
    kind = PeriodKind::kQuarter;
  } else if (rest.size() == 3 && rest[0] == '-') {
    kind = PeriodKind::kMonth;
  } else if (rest.size() == 3 && rest[0] == 'W') {
    kind = PeriodKind::kWeek;
  } else if (!rest.empty()) {
    return bad_format();
  }
  const absl::string_view number_text = rest.empty() ? rest : rest.substr(1);
  if (!AllDigits(number_text)) return bad_format();

  const int year = DigitsValue(text.substr(0, 4));
  if (year < kMinYear || year > kMaxYear) {
    return InvalidField(field,
                        absl::StrCat("year ", year, " is outside 1900-2999"));
  }
  const int number = DigitsValue(number_text);
  switch (kind) {
    case PeriodKind::kYear:
      return PeriodRange{absl::CivilDay(year, 1, 1),
                         absl::CivilDay(year, 12, 31)};
    case PeriodKind::kQuarter: {
      if (number < 1 || number > 4) {
        return InvalidField(field, absl::StrCat("quarter ", number_text,
                                                " is out of range (1-4)"));
      }
      const absl::CivilDay first(year, 3 * number - 2, 1);
      return PeriodRange{first, LastDayOfMonths(first, 3)};
    }
    case PeriodKind::kMonth: {
      if (number < 1 || number > 12) {
        return InvalidField(field, absl::StrCat("month ", number_text,
                                                " is out of range (01-12)"));
      }
      const absl::CivilDay first(year, number, 1);
      return PeriodRange{first, LastDayOfMonths(first, 1)};
    }
    case PeriodKind::kWeek: {
      const int weeks = IsoWeeksInYear(year);
      if (number < 1 || number > weeks) {
        return InvalidField(field, absl::StrCat("ISO week ", number_text,
                                                " is out of range (01-", weeks,
                                                " in ISO year ", year, ")"));
      }
      const absl::CivilDay first = IsoWeekOneMonday(year) + 7 * (number - 1);
      return PeriodRange{first, first + 6};
    }
  }
  return bad_format();  // Unreachable: the switch covers every PeriodKind.
}

absl::Status ValidatePeriod(absl::string_view text, absl::string_view field) {
  return ParsePeriod(text, field).status();
}

std::string MakeUscc(absl::string_view county, int serial) {
  const std::string organization = absl::StrFormat("%08d", serial);
  std::string code =
      absl::StrCat("12", county, organization,
                   std::string(1, OrganizationCodeCheckChar(organization)));
  code += UsccCheckChar(code);
  return code;
}

std::string MakeResidentId(absl::string_view county, absl::CivilDay birth,
                           int sequence) {
  std::string id = absl::StrFormat("%s%04d%02d%02d%03d", county, birth.year(),
                                   birth.month(), birth.day(), sequence % 1000);
  id += ResidentIdCheckChar(id);
  return id;
}

}  // namespace cmc
