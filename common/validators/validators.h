// Validators for the national identifiers and codes that CMC accepts from
// callers: resident ID numbers (GB 11643), unified social credit codes (GB
// 32100, with the embedded GB 11714 organization code), administrative division
// codes (GB/T 2260 county codes and their 12-digit township/village extension),
// calendar dates and reporting periods.
//
// Every function is pure (no I/O, thread-safe). A rejected value yields
// INVALID_ARGUMENT built with cmc::InvalidField: the message is "<field>: <what
// is wrong>" and cmc::BadField(status) returns `field` unchanged, so a caller
// passes its own field path:
//
//   CMC_RETURN_IF_ERROR(cmc::ValidateUscc(request.uscc(), "institution.uscc"));
//   CMC_ASSIGN_OR_RETURN(
//       cmc::ResidentIdFacts facts,
//       cmc::ParseResidentId(request.id_number(), "staff.id_number"));
//   CMC_ASSIGN_OR_RETURN(cmc::PeriodRange range,
//                        cmc::ParsePeriod(request.period(), "query.period"));
//
// Inputs are checked as given: no trimming, no case folding. A lower-case
// letter is rejected with a message telling the caller to use upper case,
// because the standards define upper case only and silently folding would store
// a code that differs from the one on the certificate.
#ifndef CMC_COMMON_VALIDATORS_VALIDATORS_H_
#define CMC_COMMON_VALIDATORS_VALIDATORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace cmc {

// -----------------------------------------------------------------------------
// Resident ID number (公民身份号码, GB 11643)
// -----------------------------------------------------------------------------

// OK when `id` is a well-formed 18-character resident ID: 17 digits then a
// digit or upper-case 'X'; the GB 11643 check character matches; the first two
// digits are an existing province code; digits 7-14 are a real YYYYMMDD birth
// date in [1900-01-01, today]. "Today" is the civil date in China (UTC+8) at
// the moment of the call. Otherwise INVALID_ARGUMENT naming the first problem
// found, checked in the order above.
absl::Status ValidateResidentId(absl::string_view id, absl::string_view field);

// As above, with `today` as the latest acceptable birth date (for tests and
// batch re-validation).
absl::Status ValidateResidentId(absl::string_view id, absl::string_view field,
                                absl::CivilDay today);

// What a resident ID says about its holder.
struct ResidentIdFacts {
  absl::CivilDay birth_date;
  bool male;  // GB 11643: the 17th digit is odd for men, even for women.
};

// The facts of `id` if ValidateResidentId(id, field) is OK, otherwise its
// error.
absl::StatusOr<ResidentIdFacts> ParseResidentId(absl::string_view id,
                                                absl::string_view field);
absl::StatusOr<ResidentIdFacts> ParseResidentId(absl::string_view id,
                                                absl::string_view field,
                                                absl::CivilDay today);

// An identifier (a resident ID, a medical-insurance number) for logs, lists,
// events and screens, in a form that cannot be turned back into it: the first 6
// characters (for a resident ID, the county of registration) and the last one
// visible, every character in between replaced by '*'. An input shorter than
// 14 characters is entirely '*'. The output always has the input's length. Does
// not validate.
//
// Why so little shows: the hidden part of a resident ID is the birth date and a
// 3-digit sequence. Outputs carry the birth year and the sex beside a masked
// ID, which leave about 365 x 500 / 11 = 16,600 valid IDs per masked form
// (validators_test counts them); showing the last 4 characters instead left
// about 33, a guess away.
std::string MaskIdentifier(absl::string_view id);

// MaskIdentifier for a resident ID: "360426***********1".
std::string MaskResidentId(absl::string_view id);

// The year of an ISO date "YYYY-MM-DD" (what outputs show of a birth date
// beside a masked ID); 0 when `date` does not start with 4 digits.
int YearOfIsoDate(absl::string_view date);

// A resident ID that ValidateResidentId accepts, for test data, demonstrations
// and benchmarks: registered in `county` (6 digits), born on `birth`, with the
// sequence number `sequence` % 1000 (odd: male, even: female) and the check
// character computed.
std::string MakeResidentId(absl::string_view county, absl::CivilDay birth,
                           int sequence);

// -----------------------------------------------------------------------------
// Unified social credit code (统一社会信用代码, GB 32100)
// -----------------------------------------------------------------------------

// OK when `code` is 18 characters from "0123456789ABCDEFGHJKLMNPQRTUWXY" (I, O,
// S, V, Z and lower case are rejected), the GB 32100 check character (the 18th)
// matches, the embedded GB 11714 organization code (characters 9-17) carries a
// correct check character, and characters 3-8 are the registering authority's
// division code: a county code accepted by ValidateCountyCode, or "100000" for
// an authority of the central government (ministries and their institutions
// register under the national code). Otherwise INVALID_ARGUMENT naming the
// first problem found, checked in the order above.
absl::Status ValidateUscc(absl::string_view code, absl::string_view field);

// A USCC that ValidateUscc accepts, for test data, demonstrations and
// benchmarks: a public institution (registration authority '1', category '2')
// registered in `county` (6 digits) whose organization code body is `serial`
// (0..99,999,999) as 8 digits, both check characters computed.
std::string MakeUscc(absl::string_view county, int serial);

// The parts of a valid USCC. Categories are not checked beyond the alphabet:
// each registration authority defines its own.
struct UsccFacts {
  // 1st character, e.g. '1' 机构编制, '5' 民政, '9' 工商.
  char registration_authority;
  // 2nd character, defined by the registration authority.
  char organization_category;
  // Characters 3-8.
  std::string division_code;
  // Characters 9-17 (GB 11714), check character included.
  std::string organization_code;
};

// The parts of `code` if ValidateUscc(code, field) is OK, otherwise its error.
absl::StatusOr<UsccFacts> ParseUscc(absl::string_view code,
                                    absl::string_view field);

// -----------------------------------------------------------------------------
// Administrative division codes (GB/T 2260, 12-digit statistical extension)
// -----------------------------------------------------------------------------

// OK when `code` is 6 digits whose first two are an existing province code
// (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82). Prefecture (digits
// 3-4) and county (digits 5-6) parts are not checked further: the list of
// counties changes every year and lives in data, not code.
absl::Status ValidateCountyCode(absl::string_view code,
                                absl::string_view field);

// OK when `code` is 12 digits: a county code (as ValidateCountyCode), a
// township part and a village part. Township 001-399 (001-099 street 街道,
// 100-199 town 镇, 200-399 township 乡); village 000 (the township itself) or
// 001-399 (001-199 residents' committee 居委会, 200-399 villagers' committee
// 村委会). "000000" after the county code denotes the county itself. Otherwise
// INVALID_ARGUMENT saying which part is out of range.
absl::Status ValidateDivisionCode12(absl::string_view code,
                                    absl::string_view field);

// Which tier a 12-digit division code denotes.
enum class DivisionLevel { kCounty, kTownship, kVillage };

// The level of `code12` if ValidateDivisionCode12 accepts it, otherwise its
// error.
absl::StatusOr<DivisionLevel> DivisionLevelOf(absl::string_view code12,
                                              absl::string_view field);

// True when `code12` is a valid 12-digit code, `county6` a valid county code,
// and `code12` lies in that county (it is the county itself or one of its
// townships or villages).
bool DivisionWithinCounty(absl::string_view code12, absl::string_view county6);

// The kind of township-level unit, from the township part of a 12-digit code.
enum class TownshipKind { kStreet, kTown, kTownship };

// The kind of `code12`'s township part if the code is valid and at township or
// village level; INVALID_ARGUMENT if the code is invalid or denotes a county.
absl::StatusOr<TownshipKind> TownshipKindOf(absl::string_view code12,
                                            absl::string_view field);

// The kind of village-level unit, from the village part of a 12-digit code.
enum class VillageKind { kResidentsCommittee, kVillagersCommittee };

// The kind of `code12`'s village part if the code is valid and at village
// level; INVALID_ARGUMENT if the code is invalid or denotes a county or
// township.
absl::StatusOr<VillageKind> VillageKindOf(absl::string_view code12,
                                          absl::string_view field);

// -----------------------------------------------------------------------------
// Dates and reporting periods
// -----------------------------------------------------------------------------

// The day written strictly as "YYYY-MM-DD" (zero-padded, no spaces), a real
// calendar date with year 1900-2999. Otherwise INVALID_ARGUMENT.
absl::StatusOr<absl::CivilDay> ParseCivilDate(absl::string_view text,
                                              absl::string_view field);

// `day` as "YYYY-MM-DD"; ParseCivilDate(FormatCivilDate(d)) == d for years
// 1900-2999.
std::string FormatCivilDate(absl::CivilDay day);

// The first and last day of a reporting period, both inclusive.
struct PeriodRange {
  absl::CivilDay first;
  absl::CivilDay last;
};

// The range of a reporting period, year 1900-2999, written as one of
//   "2024"     the calendar year
//   "2024Q1"   a quarter, Q1-Q4
//   "2024-01"  a month, 01-12
//   "2024W01"  an ISO 8601 week (Monday to Sunday) of the ISO week-numbering
//              year, W01-W52, and W53 only in ISO years that have 53 weeks
//              (2020 and 2026 do, 2021 does not).
// Otherwise INVALID_ARGUMENT.
absl::StatusOr<PeriodRange> ParsePeriod(absl::string_view text,
                                        absl::string_view field);

// OK when ParsePeriod(text, field) succeeds, otherwise its error.
absl::Status ValidatePeriod(absl::string_view text, absl::string_view field);

}  // namespace cmc

#endif  // CMC_COMMON_VALIDATORS_VALIDATORS_H_
