// The institution service's domain rules, as pure functions (no I/O,
// thread-safe): the WS 218 kind table and the tier each kind belongs to, how
// institutions may be parented, where a member may sit, and when two
// memberships collide. Handlers call these after the validators of
// common/validators and before the store; every rejection is INVALID_ARGUMENT
// naming the caller's field, as cmc::InvalidField builds it.
//
//   CMC_RETURN_IF_ERROR(CheckKindAndTier(in.kind(), in.tier(),
//                                        "institution.kind",
//                                        "institution.tier"));
//   if (FindOverlap(existing, wanted)) return FailedPrecondition(...);
#ifndef CMC_SERVICES_INSTITUTION_INSTITUTION_RULES_H_
#define CMC_SERVICES_INSTITUTION_INSTITUTION_RULES_H_

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "cmc/common/v1/types.pb.h"

namespace cmc::institution {

using common::v1::Tier;

// The tier of a WS 218 institution kind code accepted by CMC (see the table in
// institution.proto). Unknown, lower-case or empty codes are INVALID_ARGUMENT
// naming `field`.
absl::StatusOr<Tier> TierOfKind(absl::string_view kind,
                                absl::string_view field);

// OK when `kind` is known and `tier` is its tier. An unknown kind names
// `kind_field`; a missing or contradicting tier names `tier_field`.
absl::Status CheckKindAndTier(absl::string_view kind, Tier tier,
                              absl::string_view kind_field,
                              absl::string_view tier_field);

// True for the kinds that can lead a community (牵头医院): county general
// (A100), traditional Chinese medicine (A210) and maternal-child (G100)
// hospitals. Public-health institutions are county tier but never lead.
bool IsLeadHospitalKind(absl::string_view kind);

// OK when an institution of tier `child` may report to one of tier `parent`:
// the parent must be of a higher tier (county above township above village).
// A county institution therefore has no parent inside the community.
absl::Status CheckParentTier(Tier child, Tier parent, absl::string_view field);

// OK when the 12-digit `division_code` lies in the 6-digit `county_code`;
// otherwise INVALID_ARGUMENT naming `field`.
absl::Status CheckDivisionInCounty(absl::string_view division_code,
                                   absl::string_view county_code,
                                   absl::string_view field);

// A span of civil days, both ends inclusive; `last` unset means open-ended.
struct DaySpan {
  absl::CivilDay first;
  std::optional<absl::CivilDay> last;
};

// True when `span` holds on `day`.
bool SpanHolds(const DaySpan& span, absl::CivilDay day);

// True when the two spans share at least one day.
bool SpansOverlap(const DaySpan& a, const DaySpan& b);

// The index in `existing` of the first span sharing a day with `wanted`, or
// nullopt. Policy: an institution belongs to at most one community on any
// date, so a new membership must not overlap any of the institution's others,
// whatever their community.
std::optional<size_t> FindOverlap(const std::vector<DaySpan>& existing,
                                  const DaySpan& wanted);

// OK for a display name: 1-100 characters (code points), not only white
// space. Names are stored exactly as given (no trimming), so "某县人民医院"
// round-trips byte for byte.
absl::Status ValidateDisplayName(absl::string_view name,
                                 absl::string_view field);

// OK for a community code: 1-32 characters of A-Z, 0-9 and '-'.
absl::Status ValidateCommunityCode(absl::string_view code,
                                   absl::string_view field);

// OK for a client's idempotency key: 1-64 characters of A-Z, a-z, 0-9 and
// ".", "_", ":", "-" (a UUID fits).
absl::Status ValidateRequestId(absl::string_view request_id,
                               absl::string_view field);

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_INSTITUTION_RULES_H_
