#include "services/indicator/indicator_fakes.h"

#include <algorithm>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "services/indicator/catalogue.h"

namespace cmc::indicator {
namespace {

google::protobuf::Timestamp ProtoTime(absl::Time time) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(time));
  return t;
}

bool UnitWanted(const ValueQuery& query, const OrgUnitKey& unit) {
  for (const OrgUnitKey& u : query.units) {
    if (u.id == unit.id) return true;
  }
  return !query.divisions_within.empty() && unit.kind == OrgKind::kDivision &&
         DivisionWithin(unit.id, query.divisions_within);
}

class Forwarder final : public OrgDirectory {
 public:
  explicit Forwarder(OrgDirectory* inner) : inner_(inner) {}
  absl::StatusOr<std::optional<std::string>> CommunityCounty(
      const std::string& id, absl::Time deadline) override {
    return inner_->CommunityCounty(id, deadline);
  }
  absl::StatusOr<std::optional<std::string>> InstitutionCounty(
      const std::string& id, absl::Time deadline) override {
    return inner_->InstitutionCounty(id, deadline);
  }
  absl::StatusOr<std::vector<CommunityPlace>> CommunitiesWithin(
      const std::string& division, absl::Time deadline) override {
    return inner_->CommunitiesWithin(division, deadline);
  }
  absl::StatusOr<std::set<std::string>> Members(const std::string& id,
                                                absl::Time deadline) override {
    return inner_->Members(id, deadline);
  }

 private:
  OrgDirectory* inner_;
};

}  // namespace

absl::StatusOr<std::vector<v1::DataElement>>
FakeIndicatorStore::ListDataElements(absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::DataElement> out;
  for (const auto& [code, e] : elements_) out.push_back(e);
  return out;
}

absl::StatusOr<v1::DataElement> FakeIndicatorStore::CreateDataElement(
    const v1::DataElement& element, absl::Time, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = elements_.find(element.code());
  if (it != elements_.end()) {
    if (it->second.SerializeAsString() != element.SerializeAsString()) {
      return FieldError(absl::StatusCode::kAlreadyExists, "element.code",
                        "defined differently already");
    }
    return it->second;
  }
  elements_[element.code()] = element;
  return element;
}

absl::StatusOr<v1::IndicatorSet> FakeIndicatorStore::GetIndicatorSet(
    const std::string& code, int64_t version, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = sets_.find(code);
  if (it == sets_.end()) {
    return FieldError(absl::StatusCode::kNotFound, "code",
                      absl::StrCat("no indicator set \"", code, "\""));
  }
  const auto& versions = it->second;
  if (version == 0) return versions.back();
  if (version > static_cast<int64_t>(versions.size())) {
    return FieldError(
        absl::StatusCode::kNotFound, "version",
        absl::StrCat("set \"", code, "\" has versions 1-", versions.size()));
  }
  return versions[version - 1];
}

absl::StatusOr<std::vector<v1::IndicatorSet>>
FakeIndicatorStore::ListIndicatorSets(absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::IndicatorSet> out;
  for (const auto& [code, versions] : sets_) out.push_back(versions.back());
  return out;
}

absl::StatusOr<v1::IndicatorSet> FakeIndicatorStore::SaveIndicatorSet(
    v1::IndicatorSet set, const std::string& actor, absl::Time now,
    absl::Time) {
  absl::MutexLock lock(&mu_);
  auto& versions = sets_[set.code()];
  const int64_t latest = static_cast<int64_t>(versions.size());
  if (set.version() != latest) {
    if (versions.empty()) sets_.erase(set.code());
    return FieldError(absl::StatusCode::kAborted, "set.version",
                      absl::StrCat("the latest version is ", latest, ", not ",
                                   set.version()));
  }
  set.set_version(latest + 1);
  set.set_saved_by(actor);
  *set.mutable_saved_at() = ProtoTime(now);
  AssignDefinitionVersions(versions.empty() ? nullptr : &versions.back(),
                           set.version(), &set);
  versions.push_back(set);
  return set;
}

absl::StatusOr<std::vector<size_t>> FakeIndicatorStore::PutValues(
    const std::vector<ValueWrite>& writes, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<size_t> locked;
  for (size_t i = 0; i < writes.size(); ++i) {
    const StoredValue& v = writes[i].value;
    bool is_locked = false;
    auto county = approvals_.find(writes[i].county_division_code);
    if (county != approvals_.end()) {
      for (const auto& [text, approval] : county->second) {
        if (v.period.Within(*ParsePeriod(text))) is_locked = true;
      }
    }
    if (is_locked) {
      locked.push_back(i);
      continue;
    }
    values_.insert_or_assign(
        std::make_tuple(v.element_code, v.org_unit.id, v.period.ToString()), v);
  }
  return locked;
}

absl::StatusOr<std::vector<StoredValue>> FakeIndicatorStore::ReadValues(
    const ValueQuery& query, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<StoredValue> out;
  for (const auto& [key, v] : values_) {
    if (!UnitWanted(query, v.org_unit)) continue;
    if (v.period.first_day() < query.first ||
        v.period.last_day() > query.last) {
      continue;
    }
    if (!query.element_codes.empty() &&
        std::find(query.element_codes.begin(), query.element_codes.end(),
                  v.element_code) == query.element_codes.end()) {
      continue;
    }
    out.push_back(v);
  }
  std::sort(
      out.begin(), out.end(), [](const StoredValue& a, const StoredValue& b) {
        return std::make_tuple(a.element_code, a.org_unit, a.period.first_day(),
                               a.period.last_day()) <
               std::make_tuple(b.element_code, b.org_unit, b.period.first_day(),
                               b.period.last_day());
      });
  return out;
}

absl::StatusOr<std::vector<std::string>>
FakeIndicatorStore::DivisionsWithValues(const std::string& within, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::set<std::string> out;
  for (const auto& [key, v] : values_) {
    if (v.org_unit.kind == OrgKind::kDivision &&
        DivisionWithin(v.org_unit.id, within)) {
      out.insert(v.org_unit.id);
    }
  }
  return std::vector<std::string>(out.begin(), out.end());
}

absl::StatusOr<std::vector<v1::PeriodApproval>>
FakeIndicatorStore::ListApprovals(const std::string& county, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<
      std::pair<std::pair<absl::CivilDay, absl::CivilDay>, v1::PeriodApproval>>
      sorted;
  for (const auto& [text, a] : approvals_[county]) {
    const ReportingPeriod p = *ParsePeriod(text);
    sorted.push_back({{p.first_day(), p.last_day()}, a});
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<v1::PeriodApproval> out;
  for (auto& [key, a] : sorted) out.push_back(std::move(a));
  return out;
}

absl::StatusOr<v1::PeriodApproval> FakeIndicatorStore::Approve(
    const std::string& county, const ReportingPeriod& period,
    const std::string& actor, absl::Time now, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto& approvals = approvals_[county];
  if (approvals.count(period.ToString())) {
    return FieldError(absl::StatusCode::kAlreadyExists, "period",
                      "already approved");
  }
  v1::PeriodApproval a;
  a.set_county_division_code(county);
  a.mutable_period()->set_value(period.ToString());
  a.set_actor(actor);
  *a.mutable_at() = ProtoTime(now);
  a.set_approved(true);
  approvals[period.ToString()] = a;
  return a;
}

absl::StatusOr<v1::PeriodApproval> FakeIndicatorStore::Revoke(
    const std::string& county, const ReportingPeriod& period,
    const std::string& actor, absl::Time now, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto& approvals = approvals_[county];
  if (approvals.erase(period.ToString()) == 0) {
    return FieldError(absl::StatusCode::kNotFound, "period", "not approved");
  }
  v1::PeriodApproval a;
  a.set_county_division_code(county);
  a.mutable_period()->set_value(period.ToString());
  a.set_actor(actor);
  *a.mutable_at() = ProtoTime(now);
  a.set_approved(false);
  return a;
}

std::vector<StoredValue> FakeIndicatorStore::AllValues() const {
  absl::MutexLock lock(&mu_);
  std::vector<StoredValue> out;
  for (const auto& [key, v] : values_) out.push_back(v);
  return out;
}

void FakeOrgDirectory::AddCommunity(const std::string& id,
                                    const std::string& county,
                                    const std::set<std::string>& members) {
  absl::MutexLock lock(&mu_);
  communities_[id] = CommunityPlace{id, county};
  members_[id] = members;
  for (const std::string& m : members) institution_county_[m] = county;
}

void FakeOrgDirectory::SetUnavailable(bool unavailable) {
  absl::MutexLock lock(&mu_);
  unavailable_ = unavailable;
}

absl::Status FakeOrgDirectory::Check() const {
  if (unavailable_) {
    return absl::UnavailableError("the institution service cannot answer");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> FakeOrgDirectory::CommunityCounty(
    const std::string& community_id, absl::Time) {
  absl::MutexLock lock(&mu_);
  CMC_RETURN_IF_ERROR(Check());
  auto it = communities_.find(community_id);
  if (it == communities_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second.county_division_code);
}

absl::StatusOr<std::optional<std::string>> FakeOrgDirectory::InstitutionCounty(
    const std::string& institution_id, absl::Time) {
  absl::MutexLock lock(&mu_);
  CMC_RETURN_IF_ERROR(Check());
  auto it = institution_county_.find(institution_id);
  if (it == institution_county_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

absl::StatusOr<std::vector<CommunityPlace>> FakeOrgDirectory::CommunitiesWithin(
    const std::string& division, absl::Time) {
  absl::MutexLock lock(&mu_);
  CMC_RETURN_IF_ERROR(Check());
  std::vector<CommunityPlace> out;
  for (const auto& [id, place] : communities_) {
    if (DivisionWithin(place.county_division_code, division)) {
      out.push_back(place);
    }
  }
  return out;
}

absl::StatusOr<std::set<std::string>> FakeOrgDirectory::Members(
    const std::string& community_id, absl::Time) {
  absl::MutexLock lock(&mu_);
  CMC_RETURN_IF_ERROR(Check());
  auto it = members_.find(community_id);
  if (it == members_.end()) return std::set<std::string>();
  return it->second;
}

std::unique_ptr<OrgDirectory> ForwardTo(OrgDirectory* inner) {
  return std::make_unique<Forwarder>(inner);
}

}  // namespace cmc::indicator
