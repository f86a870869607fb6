#include "services/institution/institution_rules.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::institution {
namespace {

struct KindEntry {
  const char* code;
  Tier tier;
  bool leads;  // may be a community's lead hospital
};

// WS 218 codes of the institutions a county medical community is made of
// (domain.md §1). Kinds outside the community's three tiers (city hospitals,
// private clinics) are rejected rather than guessed at.
constexpr KindEntry kKinds[] = {
    {"A100", common::v1::TIER_COUNTY, true},     // general hospital
    {"A210", common::v1::TIER_COUNTY, true},     // TCM hospital
    {"G100", common::v1::TIER_COUNTY, true},     // maternal and child health
    {"J100", common::v1::TIER_COUNTY, false},    // CDC
    {"K100", common::v1::TIER_COUNTY, false},    // health supervision
    {"B100", common::v1::TIER_TOWNSHIP, false},  // community health center
    {"C100", common::v1::TIER_TOWNSHIP, false},  // street health center
    {"C210", common::v1::TIER_TOWNSHIP, false},  // central township center
    {"C220", common::v1::TIER_TOWNSHIP, false},  // township health center
    {"B200", common::v1::TIER_VILLAGE, false},   // community health station
    {"D600", common::v1::TIER_VILLAGE, false},   // village clinic
};

const KindEntry* FindKind(absl::string_view kind) {
  for (const KindEntry& entry : kKinds) {
    if (kind == entry.code) return &entry;
  }
  return nullptr;
}

const char* TierName(Tier tier) {
  switch (tier) {
    case common::v1::TIER_COUNTY:
      return "TIER_COUNTY";
    case common::v1::TIER_TOWNSHIP:
      return "TIER_TOWNSHIP";
    case common::v1::TIER_VILLAGE:
      return "TIER_VILLAGE";
    default:
      return "TIER_UNSPECIFIED";
  }
}

bool IsKnownTier(Tier tier) {
  return tier == common::v1::TIER_COUNTY || tier == common::v1::TIER_TOWNSHIP ||
         tier == common::v1::TIER_VILLAGE;
}

// Number of code points in valid UTF-8 (protobuf has already checked that
// string fields are valid UTF-8): every byte that is not a continuation byte
// starts one.
size_t CodePoints(absl::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

}  // namespace

absl::StatusOr<Tier> TierOfKind(absl::string_view kind,
                                absl::string_view field) {
  if (kind.empty()) return InvalidField(field, "required");
  const KindEntry* entry = FindKind(kind);
  if (entry == nullptr) {
    return InvalidField(field,
                        absl::StrCat("unknown WS 218 institution kind \"", kind,
                                     "\"; accepted: A100, A210, G100, J100, "
                                     "K100, B100, C100, C210, C220, B200, "
                                     "D600"));
  }
  return entry->tier;
}

absl::Status CheckKindAndTier(absl::string_view kind, Tier tier,
                              absl::string_view kind_field,
                              absl::string_view tier_field) {
  absl::StatusOr<Tier> expected = TierOfKind(kind, kind_field);
  if (!expected.ok()) return expected.status();
  if (!IsKnownTier(tier)) return InvalidField(tier_field, "required");
  if (tier != *expected) {
    return InvalidField(tier_field,
                        absl::StrCat(TierName(tier), " contradicts kind ", kind,
                                     ", which is ", TierName(*expected)));
  }
  return absl::OkStatus();
}

bool IsLeadHospitalKind(absl::string_view kind) {
  const KindEntry* entry = FindKind(kind);
  return entry != nullptr && entry->leads;
}

absl::Status CheckParentTier(Tier child, Tier parent, absl::string_view field) {
  if (!IsKnownTier(child) || !IsKnownTier(parent)) {
    return InvalidField(field, "tiers must be known");
  }
  // Tier values grow downwards: county 1, township 2, village 3.
  if (parent >= child) {
    return InvalidField(
        field,
        absl::StrCat("a ", TierName(child), " institution cannot report to a ",
                     TierName(parent),
                     " one; the parent must be of a higher "
                     "tier"));
  }
  return absl::OkStatus();
}

absl::Status CheckDivisionInCounty(absl::string_view division_code,
                                   absl::string_view county_code,
                                   absl::string_view field) {
  if (!DivisionWithinCounty(division_code, county_code)) {
    return InvalidField(field,
                        absl::StrCat("division code ", division_code,
                                     " is outside county ", county_code));
  }
  return absl::OkStatus();
}

bool SpanHolds(const DaySpan& span, absl::CivilDay day) {
  return span.first <= day && (!span.last.has_value() || day <= *span.last);
}

bool SpansOverlap(const DaySpan& a, const DaySpan& b) {
  // Two intervals meet unless one ends before the other begins.
  const bool a_before_b = a.last.has_value() && *a.last < b.first;
  const bool b_before_a = b.last.has_value() && *b.last < a.first;
  return !a_before_b && !b_before_a;
}

std::optional<size_t> FindOverlap(const std::vector<DaySpan>& existing,
                                  const DaySpan& wanted) {
  for (size_t i = 0; i < existing.size(); ++i) {
    if (SpansOverlap(existing[i], wanted)) return i;
  }
  return std::nullopt;
}

absl::Status ValidateDisplayName(absl::string_view name,
                                 absl::string_view field) {
  if (name.empty()) return InvalidField(field, "required");
  if (CodePoints(name) > 100) {
    return InvalidField(field, "longer than 100 characters");
  }
  // Only ASCII white space counts as blank; CJK text has no ASCII spaces to
  // trip over.
  bool blank = true;
  for (char c : name) blank = blank && absl::ascii_isspace(c);
  if (blank) return InvalidField(field, "must not be blank");
  return absl::OkStatus();
}

absl::Status ValidateCommunityCode(absl::string_view code,
                                   absl::string_view field) {
  if (code.empty()) return InvalidField(field, "required");
  if (code.size() > 32) return InvalidField(field, "longer than 32 characters");
  for (char c : code) {
    if (!absl::ascii_isupper(c) && !absl::ascii_isdigit(c) && c != '-') {
      return InvalidField(field, "only A-Z, 0-9 and '-' are allowed");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRequestId(absl::string_view request_id,
                               absl::string_view field) {
  if (request_id.empty()) {
    return InvalidField(field, "required, so that a retry cannot create twice");
  }
  if (request_id.size() > 64) {
    return InvalidField(field, "longer than 64 characters");
  }
  for (char c : request_id) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != ':' &&
        c != '-') {
      return InvalidField(field, "only A-Z, a-z, 0-9, '.', '_', ':' and '-'");
    }
  }
  return absl::OkStatus();
}

}  // namespace cmc::institution
