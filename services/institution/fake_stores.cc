#include "services/institution/fake_stores.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/staff_rules.h"

namespace cmc::institution {
namespace {

absl::Status NotFound(absl::string_view field, absl::string_view id) {
  return FieldError(absl::StatusCode::kNotFound, field,
                    absl::StrCat(id, " not found"));
}

absl::Status Stale(absl::string_view field) {
  return FieldError(absl::StatusCode::kAborted, field,
                    "changed since it was read");
}

// True when `day` lies in [from, to] of the optional CivilDate strings.
bool Holds(const common::v1::CivilDate& from, bool has_to,
           const common::v1::CivilDate& to, absl::CivilDay day) {
  const absl::StatusOr<absl::CivilDay> first =
      ParseCivilDate(from.value(), "from");
  if (!first.ok() || *first > day) return false;
  if (!has_to) return true;
  const absl::StatusOr<absl::CivilDay> last = ParseCivilDate(to.value(), "to");
  return last.ok() && day <= *last;
}

bool InScope(const std::optional<ScopeFilter>& scope,
             std::initializer_list<std::string> communities,
             std::initializer_list<std::string> institutions) {
  if (!scope.has_value()) return true;
  for (const std::string& id : communities) {
    if (scope->communities.count(id) > 0) return true;
  }
  for (const std::string& id : institutions) {
    if (scope->institutions.count(id) > 0) return true;
  }
  return false;
}

// The page of the rows of `rows` (by id, with their row numbers) that `keep`.
template <typename T, typename Keep>
PageOf<T> Page(const std::map<std::string, T>& rows,
               const std::map<std::string, int64_t>& row_no,
               const PageQuery& page, const Keep& keep) {
  std::vector<std::pair<int64_t, const T*>> kept;
  for (const auto& [id, row] : rows) {
    if (keep(row)) kept.emplace_back(row_no.at(id), &row);
  }
  std::sort(kept.begin(), kept.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  PageOf<T> result;
  result.total = static_cast<int64_t>(kept.size());
  for (const auto& [row, value] : kept) {
    if (row <= page.after_row) continue;
    if (static_cast<int>(result.items.size()) == page.size) {
      result.more = true;
      break;
    }
    result.items.push_back(*value);
    result.last_row = row;
  }
  return result;
}

absl::Status NotFaked(absl::string_view what) {
  return absl::UnimplementedError(
      absl::StrCat(what, " is not faked; tests/integration covers it"));
}

}  // namespace

InstitutionService::Stores FakeStores::stores() {
  return {this, this, this, this, this, this, this, this};
}

std::string FakeStores::NextId(absl::string_view prefix) {
  return absl::StrCat(prefix, ++next_row_);
}

template <typename T>
void FakeStores::Put(Table<T>& table, const T& row) {
  if (table.row_no.count(row.id()) == 0) table.row_no[row.id()] = next_row_;
  table.rows[row.id()] = row;
}

absl::StatusOr<bool> FakeStores::Replay(const RequestClaim& claim,
                                        google::protobuf::Message* out) {
  ++creates_;
  auto it = claims_.find({claim.caller, claim.request_id});
  if (it == claims_.end()) return false;
  if (it->second.claim.method != claim.method ||
      it->second.claim.request_sha256 != claim.request_sha256) {
    return InvalidField("request_id", "used before for another request");
  }
  out->ParseFromString(it->second.response);
  return true;
}

void FakeStores::Remember(const RequestClaim& claim,
                          const google::protobuf::Message& response) {
  claims_[{claim.caller, claim.request_id}] =
      Claimed{claim, response.SerializeAsString()};
}

bool FakeStores::MemberOn(const std::string& community_id,
                          const std::string& institution_id,
                          absl::CivilDay day) const {
  for (const auto& [id, m] : memberships_.rows) {
    if (m.community_id() == community_id &&
        m.institution_id() == institution_id &&
        Holds(m.valid_from(), m.has_valid_to(), m.valid_to(), day)) {
      return true;
    }
  }
  return false;
}

int FakeStores::creates() const {
  absl::MutexLock lock(&mu_);
  return creates_;
}

std::string FakeStores::AddCommunity(v1::Community community) {
  absl::MutexLock lock(&mu_);
  community.set_id(NextId("com-"));
  community.set_version(1);
  community.set_status(v1::COMMUNITY_STATUS_ACTIVE);
  Put(communities_, community);
  return community.id();
}

std::string FakeStores::AddInstitution(v1::Institution institution) {
  absl::MutexLock lock(&mu_);
  institution.set_id(NextId("ins-"));
  institution.set_version(1);
  institution.set_status(v1::INSTITUTION_STATUS_ACTIVE);
  Put(institutions_, institution);
  return institution.id();
}

std::string FakeStores::AddMember(const std::string& community_id,
                                  const std::string& institution_id,
                                  absl::CivilDay from) {
  absl::MutexLock lock(&mu_);
  v1::Membership m;
  m.set_id(NextId("mem-"));
  m.set_community_id(community_id);
  m.set_institution_id(institution_id);
  m.set_kind(v1::MEMBERSHIP_KIND_CLOSE_KNIT);
  m.mutable_valid_from()->set_value(FormatCivilDate(from));
  Put(memberships_, m);
  return m.id();
}

std::string FakeStores::AddStaff(v1::Staff staff) {
  absl::MutexLock lock(&mu_);
  staff.set_id(NextId("stf-"));
  DeriveStaffFacts(staff);  // as CreateStaff stores it
  staff.set_version(1);
  staff.set_status(v1::STAFF_STATUS_ACTIVE);
  Put(staff_, staff);
  return staff.id();
}

absl::StatusOr<v1::Community> FakeStores::CreateCommunity(
    const RequestClaim& claim, const v1::Community& community, const Actor&,
    absl::Time) {
  absl::MutexLock lock(&mu_);
  v1::Community result;
  CMC_ASSIGN_OR_RETURN(const bool replayed, Replay(claim, &result));
  if (replayed) return result;
  for (const auto& [id, c] : communities_.rows) {
    if (c.code() == community.code()) {
      return FieldError(absl::StatusCode::kAlreadyExists, "community.code",
                        "taken");
    }
  }
  result = community;
  result.set_id(NextId("com-"));
  result.set_version(1);
  result.set_status(v1::COMMUNITY_STATUS_ACTIVE);
  Put(communities_, result);
  Remember(claim, result);
  return result;
}

absl::StatusOr<v1::Community> FakeStores::GetCommunity(const std::string& id,
                                                       absl::string_view field,
                                                       absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = communities_.rows.find(id);
  if (it == communities_.rows.end()) return NotFound(field, id);
  return it->second;
}

absl::StatusOr<v1::Community> FakeStores::UpdateCommunity(
    const std::string& id, int64_t version,
    const Mutation<v1::Community>& mutate, const Actor&, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = communities_.rows.find(id);
  if (it == communities_.rows.end()) return NotFound("community.id", id);
  if (it->second.version() != version) return Stale("community.version");
  v1::Community changed = it->second;
  CMC_RETURN_IF_ERROR(mutate(changed));
  changed.set_version(version + 1);
  it->second = changed;
  return changed;
}

absl::StatusOr<PageOf<v1::Community>> FakeStores::ListCommunities(
    const CommunityFilter& filter, const PageQuery& page, absl::Time) {
  absl::MutexLock lock(&mu_);
  return Page(
      communities_.rows, communities_.row_no, page,
      [&](const v1::Community& c) {
        return (!filter.status || c.status() == *filter.status) &&
               (filter.county_division_code.empty() ||
                c.county_division_code() == filter.county_division_code) &&
               InScope(filter.scope, {c.id()}, {});
      });
}

absl::StatusOr<v1::Institution> FakeStores::CreateInstitution(
    const RequestClaim& claim, const v1::Institution& institution,
    const std::optional<Joining>& joining, absl::CivilDay, const Actor&,
    absl::Time) {
  absl::MutexLock lock(&mu_);
  v1::Institution result;
  CMC_ASSIGN_OR_RETURN(const bool replayed, Replay(claim, &result));
  if (replayed) return result;
  if (joining.has_value() &&
      communities_.rows.count(joining->community_id) == 0) {
    return NotFound("community_id", joining->community_id);
  }
  result = institution;
  result.set_id(NextId("ins-"));
  result.set_version(1);
  result.set_status(v1::INSTITUTION_STATUS_ACTIVE);
  Put(institutions_, result);
  if (joining.has_value()) {
    v1::Membership m;
    m.set_id(NextId("mem-"));
    m.set_community_id(joining->community_id);
    m.set_institution_id(result.id());
    m.set_kind(joining->kind);
    m.mutable_valid_from()->set_value(FormatCivilDate(joining->valid_from));
    Put(memberships_, m);
  }
  Remember(claim, result);
  return result;
}

absl::StatusOr<v1::Institution> FakeStores::GetInstitution(
    const std::string& id, absl::string_view field, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = institutions_.rows.find(id);
  if (it == institutions_.rows.end()) return NotFound(field, id);
  return it->second;
}

absl::StatusOr<v1::Institution> FakeStores::UpdateInstitution(
    const std::string& id, int64_t version,
    const Mutation<v1::Institution>& mutate, absl::CivilDay, absl::CivilDay,
    const Actor&, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = institutions_.rows.find(id);
  if (it == institutions_.rows.end()) return NotFound("institution.id", id);
  if (it->second.version() != version) return Stale("institution.version");
  v1::Institution changed = it->second;
  CMC_RETURN_IF_ERROR(mutate(changed));
  changed.set_version(version + 1);
  it->second = changed;
  return changed;
}

absl::StatusOr<PageOf<v1::Institution>> FakeStores::ListInstitutions(
    const InstitutionFilter& filter, const PageQuery& page, absl::Time) {
  absl::MutexLock lock(&mu_);
  return Page(institutions_.rows, institutions_.row_no, page,
              [&](const v1::Institution& i) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                return (filter.community_id.empty() ||
                        MemberOn(filter.community_id, i.id(), filter.as_of)) &&
                       (!filter.tier || i.tier() == *filter.tier) &&
                       (filter.kind.empty() || i.kind() == filter.kind) &&
                       (!filter.status || i.status() == *filter.status) &&
                       absl::StrContains(i.name(), filter.name_contains) &&
                       InScope(filter.scope, {}, {i.id()});
              });
}

absl::StatusOr<std::vector<v1::Institution>> FakeStores::BatchGetInstitutions(
    const std::vector<std::string>& ids, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Institution> result;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto it = institutions_.rows.find(ids[i]);
    if (it == institutions_.rows.end()) {
      return NotFound(absl::StrCat("ids[", i, "]"), ids[i]);
    }
    result.push_back(it->second);
  }
  return result;
}

absl::StatusOr<v1::Membership> FakeStores::AddMembership(
    const RequestClaim& claim, const v1::Membership& membership, const Actor&,
    absl::Time) {
  absl::MutexLock lock(&mu_);
  v1::Membership result;
  CMC_ASSIGN_OR_RETURN(const bool replayed, Replay(claim, &result));
  if (replayed) return result;
  if (institutions_.rows.count(membership.institution_id()) == 0) {
    return NotFound("membership.institution_id", membership.institution_id());
  }
  if (communities_.rows.count(membership.community_id()) == 0) {
    return NotFound("membership.community_id", membership.community_id());
  }
  result = membership;
  result.set_id(NextId("mem-"));
  Put(memberships_, result);
  Remember(claim, result);
  return result;
}

absl::StatusOr<v1::Membership> FakeStores::EndMembership(
    const std::string& id, absl::CivilDay last_day,
    const Guard<v1::Membership>& guard, const Actor&, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = memberships_.rows.find(id);
  if (it == memberships_.rows.end()) return NotFound("id", id);
  if (guard) CMC_RETURN_IF_ERROR(guard(it->second));
  if (it->second.has_valid_to()) {
    return FieldError(absl::StatusCode::kFailedPrecondition, "id",
                      "already ended");
  }
  it->second.mutable_valid_to()->set_value(FormatCivilDate(last_day));
  return it->second;
}

absl::StatusOr<PageOf<v1::Membership>> FakeStores::ListMemberships(
    const MembershipFilter& filter, const PageQuery& page, absl::Time) {
  absl::MutexLock lock(&mu_);
  return Page(memberships_.rows, memberships_.row_no, page,
              [&](const v1::Membership& m) {
                return (filter.institution_id.empty() ||
                        m.institution_id() == filter.institution_id) &&
                       (filter.community_id.empty() ||
                        m.community_id() == filter.community_id) &&
                       (!filter.as_of || Holds(m.valid_from(), m.has_valid_to(),
                                               m.valid_to(), *filter.as_of)) &&
                       InScope(filter.scope, {m.community_id()},
                               {m.institution_id()});
              });
}

absl::StatusOr<std::map<std::string, std::string>> FakeStores::MembersOf(
    const std::set<std::string>& community_ids, absl::CivilDay day,
    absl::Time) {
  absl::MutexLock lock(&mu_);
  std::map<std::string, std::string> result;
  for (const auto& [id, m] : memberships_.rows) {
    if (community_ids.count(m.community_id()) > 0 &&
        Holds(m.valid_from(), m.has_valid_to(), m.valid_to(), day)) {
      result[m.institution_id()] = m.community_id();
    }
  }
  return result;
}

absl::StatusOr<v1::Village> FakeStores::CreateVillage(
    const RequestClaim& claim, const v1::Village& village, const Actor&,
    absl::Time) {
  absl::MutexLock lock(&mu_);
  v1::Village result;
  CMC_ASSIGN_OR_RETURN(const bool replayed, Replay(claim, &result));
  if (replayed) return result;
  if (communities_.rows.count(village.community_id()) == 0) {
    return NotFound("village.community_id", village.community_id());
  }
  result = village;
  result.set_id(NextId("vil-"));
  result.set_version(1);
  Put(villages_, result);
  Remember(claim, result);
  return result;
}

absl::StatusOr<v1::Village> FakeStores::GetVillage(const std::string& id,
                                                   absl::string_view field,
                                                   absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = villages_.rows.find(id);
  if (it == villages_.rows.end()) return NotFound(field, id);
  return it->second;
}

absl::StatusOr<v1::Village> FakeStores::UpdateVillage(
    const std::string& id, int64_t version, const Guard<v1::Village>& guard,
    const Mutation<v1::Village>& mutate, const Actor&, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = villages_.rows.find(id);
  if (it == villages_.rows.end()) return NotFound("village.id", id);
  if (guard) CMC_RETURN_IF_ERROR(guard(it->second));
  if (it->second.version() != version) return Stale("village.version");
  v1::Village changed = it->second;
  CMC_RETURN_IF_ERROR(mutate(changed));
  changed.set_version(version + 1);
  it->second = changed;
  return changed;
}

absl::StatusOr<PageOf<v1::Village>> FakeStores::ListVillages(
    const VillageFilter& filter, const PageQuery& page, absl::Time) {
  absl::MutexLock lock(&mu_);
  return Page(villages_.rows, villages_.row_no, page,
              [&](const v1::Village& v) {
                return (filter.community_id.empty() ||
                        v.community_id() == filter.community_id) &&
                       (filter.township_center_id.empty() ||
                        v.township_center_id() == filter.township_center_id) &&
                       absl::StrContains(v.name(), filter.name_contains) &&
                       InScope(filter.scope, {v.community_id()},
                               {v.township_center_id(), v.village_clinic_id()});
              });
}

absl::StatusOr<v1::Staff> FakeStores::CreateStaff(const RequestClaim& claim,
                                                  const v1::Staff& staff,
                                                  absl::CivilDay, const Actor&,
                                                  absl::Time) {
  absl::MutexLock lock(&mu_);
  v1::Staff result;
  CMC_ASSIGN_OR_RETURN(const bool replayed, Replay(claim, &result));
  if (replayed) return result;
  if (institutions_.rows.count(staff.institution_id()) == 0) {
    return NotFound("staff.institution_id", staff.institution_id());
  }
  result = staff;
  result.set_id(NextId("stf-"));
  result.set_version(1);
  result.set_status(v1::STAFF_STATUS_ACTIVE);
  Put(staff_, result);
  Remember(claim, result);
  return result;
}

absl::StatusOr<v1::Staff> FakeStores::GetStaff(const std::string& id,
                                               absl::string_view field,
                                               absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = staff_.rows.find(id);
  if (it == staff_.rows.end()) return NotFound(field, id);
  return it->second;
}

absl::StatusOr<v1::Staff> FakeStores::UpdateStaff(
    const std::string& id, int64_t version, const Guard<v1::Staff>& guard,
    const Mutation<v1::Staff>& mutate, absl::CivilDay, const Actor&,
    absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = staff_.rows.find(id);
  if (it == staff_.rows.end()) return NotFound("staff.id", id);
  if (guard) CMC_RETURN_IF_ERROR(guard(it->second));
  if (it->second.version() != version) return Stale("staff.version");
  v1::Staff changed = it->second;
  CMC_RETURN_IF_ERROR(mutate(changed));
  changed.set_version(version + 1);
  it->second = changed;
  return changed;
}

absl::StatusOr<PageOf<v1::Staff>> FakeStores::ListStaff(
    const StaffFilter& filter, const PageQuery& page, absl::Time) {
  absl::MutexLock lock(&mu_);
  return Page(staff_.rows, staff_.row_no, page,
              [&](const v1::Staff& s) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                return (filter.institution_id.empty() ||
                        s.institution_id() == filter.institution_id) &&
                       (filter.community_id.empty() ||
                        MemberOn(filter.community_id, s.institution_id(),
                                 filter.as_of)) &&
                       absl::StrContains(s.name(), filter.name_contains) &&
                       InScope(filter.scope, {}, {s.institution_id()});
              });
}

absl::StatusOr<v1::Posting> FakeStores::CreatePosting(
    const RequestClaim& claim, const v1::Posting& posting,
    const Guard<v1::Staff>& guard, const Actor&, absl::Time) {
  absl::MutexLock lock(&mu_);
  v1::Posting result;
  CMC_ASSIGN_OR_RETURN(const bool replayed, Replay(claim, &result));
  if (replayed) return result;
  auto staff = staff_.rows.find(posting.staff_id());
  if (staff == staff_.rows.end()) {
    return NotFound("posting.staff_id", posting.staff_id());
  }
  if (guard) CMC_RETURN_IF_ERROR(guard(staff->second));
  result = posting;
  result.set_id(NextId("pst-"));
  result.set_from_institution_id(staff->second.institution_id());
  Put(postings_, result);
  Remember(claim, result);
  return result;
}

absl::StatusOr<v1::Posting> FakeStores::EndPosting(
    const std::string& id, absl::CivilDay last_day,
    const Guard<v1::Posting>& guard, const Actor&, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = postings_.rows.find(id);
  if (it == postings_.rows.end()) return NotFound("id", id);
  if (guard) CMC_RETURN_IF_ERROR(guard(it->second));
  it->second.mutable_end_date()->set_value(FormatCivilDate(last_day));
  return it->second;
}

absl::StatusOr<PageOf<v1::Posting>> FakeStores::ListPostings(
    const PostingFilter& filter, const PageQuery& page, absl::Time) {
  absl::MutexLock lock(&mu_);
  return Page(
      postings_.rows, postings_.row_no, page, [&](const v1::Posting& p) {
        return (filter.staff_id.empty() || p.staff_id() == filter.staff_id) &&
               (filter.institution_id.empty() ||
                p.from_institution_id() == filter.institution_id ||
                p.to_institution_id() == filter.institution_id) &&
               InScope(filter.scope, {},
                       {p.from_institution_id(), p.to_institution_id()});
      });
}

absl::StatusOr<OrgContents> FakeStores::LoadOrgContents(
    const common::v1::OrgRef&, absl::CivilDay, absl::CivilDay, absl::Time) {
  return NotFaked("LoadOrgContents");
}

absl::StatusOr<std::vector<StaffingRow>> FakeStores::CountActiveStaff(
    const common::v1::OrgRef&, absl::CivilDay, absl::CivilDay, absl::Time) {
  return NotFaked("CountActiveStaff");
}

absl::StatusOr<v1::ImportResponse> FakeStores::ImportInstitutions(
    const std::vector<ImportRow<v1::Institution>>&, v1::ImportMode,
    absl::CivilDay, const Actor&, absl::Time) {
  return NotFaked("ImportInstitutions");
}

absl::StatusOr<v1::ImportResponse> FakeStores::ImportStaff(
    const std::vector<ImportRow<v1::Staff>>&, v1::ImportMode, absl::CivilDay,
    const Actor&, absl::Time) {
  return NotFaked("ImportStaff");
}

}  // namespace cmc::institution
