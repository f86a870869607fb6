#include "services/referral/referral_fakes.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/service/county_time.h"
#include "common/status.h"

namespace cmc::referral {
namespace {

using v1::InCountyCondition;
using v1::Referral;

bool Involves(const Referral& referral,
              const std::vector<std::string>& institution_ids) {
  return std::any_of(institution_ids.begin(), institution_ids.end(),
                     [&referral](const std::string& id) {
                       return referral.from_institution_id() == id ||
                              referral.receiving_institution_id() == id;
                     });
}

// ReferralFilter::visible as the MySQL store's WHERE clause reads it.
bool Visible(const Referral& referral, const ReferralVisibility& visible) {
  if (Involves(referral, visible.institutions)) return true;
  return referral.to_case() == Referral::kToTier &&
         referral.receiving_institution_id().empty() &&
         visible.open_tiers.count(referral.to_tier()) > 0;
}

bool Matches(const Referral& referral, const ReferralFilter& filter) {
  switch (filter.scope) {
    case ReferralFilter::Scope::kAll:
      break;
    case ReferralFilter::Scope::kOutgoing:
      if (referral.from_institution_id() != filter.institution_id) {
        return false;
      }
      break;
    case ReferralFilter::Scope::kIncoming:
      if (referral.receiving_institution_id() != filter.institution_id) {
        return false;
      }
      break;
    case ReferralFilter::Scope::kOpenToTier:
      if (referral.to_case() != Referral::kToTier ||
          referral.to_tier() != filter.tier ||
          !referral.receiving_institution_id().empty()) {
        return false;
      }
      break;
  }
  const absl::Time created = FromProtoTime(referral.create_time());
  return (filter.status == 0 || referral.status() == filter.status) &&
         (filter.direction == 0 || referral.direction() == filter.direction) &&
         (filter.type == 0 || referral.type() == filter.type) &&
         (filter.patient_resident_id.empty() ||
          referral.patient().resident_id() == filter.patient_resident_id) &&
         (!filter.created_from.has_value() ||
          created >= *filter.created_from) &&
         (!filter.created_before.has_value() ||
          created < *filter.created_before) &&
         (!filter.visible.has_value() || Visible(referral, *filter.visible));
}

absl::Status NoReferral(const std::string& id) {
  return FieldError(absl::StatusCode::kNotFound, "id",
                    absl::StrCat("no referral ", id));
}

}  // namespace

std::map<std::string, Referral> FakeReferralStore::Referrals() const {
  absl::MutexLock lock(&mu_);
  std::map<std::string, Referral> referrals;
  for (const auto& [id, row] : rows_) referrals[id] = row.referral;
  return referrals;
}

std::vector<std::string> FakeReferralStore::EventTypes() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> types;
  for (const common::v1::Event& event : events_) types.push_back(event.type());
  return types;
}

absl::StatusOr<std::optional<Referral>> FakeReferralStore::FindByRequestLocked(
    const RequestClaim& claim) const {
  for (const auto& [id, row] : rows_) {
    if (row.claim.caller != claim.caller ||
        row.claim.request_id != claim.request_id) {
      continue;
    }
    if (row.claim.method != claim.method ||
        row.claim.request_sha256 != claim.request_sha256) {
      return InvalidField("request_id",
                          "already used for a different referral request; "
                          "choose a new request_id for a new referral");
    }
    return std::optional<Referral>(row.referral);
  }
  return std::optional<Referral>();
}

void FakeReferralStore::AppendEventLocked(absl::string_view type,
                                          const Referral& referral,
                                          const std::string& principal) {
  common::v1::Event event;
  event.set_sequence(static_cast<int64_t>(events_.size()) + 1);
  event.set_source("referral");
  event.set_type(std::string(type));
  event.set_aggregate_id(referral.id());
  event.set_actor(principal);
  event.mutable_payload()->PackFrom(MaskedForOutput(referral));
  events_.push_back(std::move(event));
}

absl::StatusOr<std::optional<Referral>> FakeReferralStore::FindByRequest(
    const RequestClaim& claim, absl::Time) {
  absl::MutexLock lock(&mu_);
  return FindByRequestLocked(claim);
}

absl::StatusOr<Referral> FakeReferralStore::Create(const RequestClaim& claim,
                                                   Referral referral,
                                                   const std::string& principal,
                                                   absl::Time) {
  absl::MutexLock lock(&mu_);
  CMC_ASSIGN_OR_RETURN(std::optional<Referral> existing,
                       FindByRequestLocked(claim));
  if (existing.has_value()) return std::move(*existing);
  Row row{++last_row_, claim, std::move(referral)};
  InitializeReferral(absl::StrCat("ref-", row.row_no), absl::Now(), principal,
                     policy_, &row.referral);
  AppendEventLocked("referral.ReferralCreated", row.referral, principal);
  Referral created = row.referral;
  rows_[created.id()] = std::move(row);
  return created;
}

absl::StatusOr<Referral> FakeReferralStore::Get(const std::string& id,
                                                absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = rows_.find(id);
  if (it == rows_.end()) return NoReferral(id);
  return it->second.referral;
}

absl::StatusOr<Referral> FakeReferralStore::Transition(
    const std::string& id, int64_t expected_version,
    const ActionRequest& request, absl::Time,
    const std::function<absl::Status(const Referral&)>& authorize) {
  absl::MutexLock lock(&mu_);
  auto it = rows_.find(id);
  if (it == rows_.end()) return NoReferral(id);
  Referral referral = it->second.referral;
  if (authorize) CMC_RETURN_IF_ERROR(authorize(referral));
  if (referral.version() != expected_version) {
    return FieldError(
        absl::StatusCode::kAborted, "version",
        absl::StrCat("the referral is at version ", referral.version(),
                     ", not ", expected_version));
  }
  CMC_RETURN_IF_ERROR(ApplyAction(request, absl::Now(), policy_, &referral));
  AppendEventLocked(EventType(request.action), referral, request.principal);
  it->second.referral = referral;
  return referral;
}

absl::StatusOr<ReferralPage> FakeReferralStore::List(
    const ReferralFilter& filter, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<const Row*> matching;
  for (const auto& [id, row] : rows_) {
    if ((filter.before_row == 0 || row.row_no < filter.before_row) &&
        Matches(row.referral, filter)) {
      matching.push_back(&row);
    }
  }
  std::sort(matching.begin(), matching.end(),
            [](const Row* a, const Row* b) { return a->row_no > b->row_no; });
  ReferralPage page;
  for (const Row* row : matching) {
    if (static_cast<int>(page.referrals.size()) == filter.limit) {
      page.more = true;
      break;
    }
    page.referrals.push_back(row->referral);
    page.last_row = row->row_no;
  }
  return page;
}

absl::StatusOr<std::vector<Referral>> FakeReferralStore::ForStats(
    const std::vector<std::string>& institution_ids, absl::Time created_from,
    absl::Time created_before, int limit, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<Referral> result;
  for (const auto& [id, row] : rows_) {
    const absl::Time created = FromProtoTime(row.referral.create_time());
    if (created < created_from || created >= created_before ||
        !Involves(row.referral, institution_ids)) {
      continue;
    }
    if (static_cast<int>(result.size()) == limit) {
      return FieldError(absl::StatusCode::kFailedPrecondition, "period",
                        absl::StrCat("more than ", limit, " referrals match"));
    }
    result.push_back(row.referral);
  }
  return result;
}

absl::StatusOr<std::vector<ReferralRow>> FakeReferralStore::ReceivedUpReferrals(
    const std::string& institution_id, int64_t before_row, int limit,
    absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<ReferralRow> result;
  for (auto it = rows_.rbegin(); it != rows_.rend(); ++it) {
    const Row& row = it->second;
    const v1::ReferralStatus status = row.referral.status();
    if ((before_row == 0 || row.row_no < before_row) &&
        row.referral.receiving_institution_id() == institution_id &&
        row.referral.direction() == v1::REFERRAL_DIRECTION_UP &&
        (status == v1::REFERRAL_STATUS_IN_PROGRESS ||
         status == v1::REFERRAL_STATUS_COMPLETED)) {
      result.push_back({row.row_no, row.referral});
    }
  }
  std::sort(result.begin(), result.end(),
            [](const ReferralRow& a, const ReferralRow& b) {
              return a.row_no > b.row_no;
            });
  if (static_cast<int>(result.size()) > limit) result.resize(limit);
  return result;
}

absl::StatusOr<std::vector<Referral>> FakeReferralStore::DownReferralsSent(
    const std::string& institution_id,
    const std::vector<std::string>& resident_ids, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<Referral> result;
  for (const auto& [id, row] : rows_) {
    const Referral& referral = row.referral;
    if (referral.from_institution_id() == institution_id &&
        referral.direction() == v1::REFERRAL_DIRECTION_DOWN &&
        std::find(resident_ids.begin(), resident_ids.end(),
                  referral.patient().resident_id()) != resident_ids.end()) {
      result.push_back(referral);
    }
  }
  return result;
}

absl::StatusOr<int> FakeReferralStore::ExpireDue(absl::Time now, int limit,
                                                 absl::Time) {
  absl::MutexLock lock(&mu_);
  ActionRequest request;
  request.action = Action::kExpire;
  request.principal = "system";
  request.note = "nobody answered before the expiry time";
  int expired = 0;
  for (auto& [id, row] : rows_) {
    if (expired == limit) break;
    Referral& referral = row.referral;
    if (!referral.has_expire_time() ||
        FromProtoTime(referral.expire_time()) > now ||
        !NextStatus(referral.status(), Action::kExpire).ok()) {
      continue;
    }
    CMC_RETURN_IF_ERROR(ApplyAction(request, now, policy_, &referral));
    AppendEventLocked(EventType(request.action), referral, request.principal);
    ++expired;
  }
  return expired;
}

absl::StatusOr<int64_t> FakeReferralStore::LastEventSequence(absl::Time) {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(events_.size());
}

std::vector<common::v1::Event> FakeReferralStore::EventsAfter(
    int64_t sequence) const {
  absl::MutexLock lock(&mu_);
  if (sequence >= static_cast<int64_t>(events_.size())) return {};
  return std::vector<common::v1::Event>(events_.begin() + sequence,
                                        events_.end());
}

absl::Status FakeReferralStore::TailEvents(
    const outbox::TailOptions& options, int64_t after_sequence,
    const grpc::ServerContextBase& context, StopSignal& stop,
    absl::FunctionRef<bool(const common::v1::Event&)> deliver) {
  int64_t cursor = after_sequence;
  while (true) {
    for (const common::v1::Event& event : EventsAfter(cursor)) {
      if (!deliver(event)) return absl::CancelledError("the watcher is gone");
      cursor = event.sequence();
    }
    if (context.IsCancelled()) return absl::CancelledError("cancelled");
    if (stop.WaitFor(options.poll_interval)) {
      return absl::UnavailableError(absl::StrCat(
          "server is shutting down; resume after sequence ", cursor));
    }
  }
}

absl::StatusOr<InCountyCondition> FakeCatalogueStore::Upsert(
    InCountyCondition condition, std::optional<int64_t> expected_version,
    const std::string& principal, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(condition.icd10_code());
  std::optional<int64_t> existing_version;
  if (it != entries_.end()) existing_version = it->second.version();
  CMC_RETURN_IF_ERROR(CheckUpsertVersion(existing_version, expected_version));
  const absl::Time now = absl::Now();
  condition.set_version(existing_version.value_or(0) + 1);
  if (it != entries_.end()) {
    *condition.mutable_create_time() = it->second.create_time();
  } else {
    ToProtoTime(now, condition.mutable_create_time());
  }
  ToProtoTime(now, condition.mutable_update_time());
  condition.set_updated_by(principal);
  entries_[condition.icd10_code()] = condition;
  return condition;
}

absl::StatusOr<InCountyCondition> FakeCatalogueStore::Delete(
    const std::string& icd10_code, int64_t version, const std::string&,
    absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(icd10_code);
  if (it == entries_.end()) {
    return FieldError(absl::StatusCode::kNotFound, "icd10_code",
                      absl::StrCat("no catalogue entry ", icd10_code));
  }
  if (it->second.version() != version) {
    return FieldError(absl::StatusCode::kAborted, "version",
                      absl::StrCat("the entry is at version ",
                                   it->second.version(), ", not ", version));
  }
  InCountyCondition removed = std::move(it->second);
  entries_.erase(it);
  return removed;
}

absl::StatusOr<ConditionPage> FakeCatalogueStore::List(
    const ConditionFilter& filter, absl::Time) {
  absl::MutexLock lock(&mu_);
  ConditionPage page;
  for (auto it = entries_.upper_bound(filter.after_code); it != entries_.end();
       ++it) {
    const InCountyCondition& entry = it->second;
    if (it->first.rfind(filter.code_prefix, 0) != 0 ||
        (filter.lowest_tier != 0 &&
         entry.lowest_tier() != filter.lowest_tier) ||
        (filter.down_referral_suited_only && !entry.down_referral_suited())) {
      continue;
    }
    if (static_cast<int>(page.conditions.size()) == filter.limit) {
      page.more = true;
      break;
    }
    page.conditions.push_back(entry);
  }
  return page;
}

absl::StatusOr<std::vector<InCountyCondition>> FakeCatalogueStore::FindByCodes(
    const std::vector<std::string>& codes, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<InCountyCondition> found;
  for (const std::string& code : codes) {
    auto it = entries_.find(code);
    if (it != entries_.end()) found.push_back(it->second);
  }
  return found;
}

absl::StatusOr<std::vector<InCountyCondition>> FakeCatalogueStore::All(
    absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<InCountyCondition> all;
  for (const auto& [code, entry] : entries_) all.push_back(entry);
  return all;
}

absl::StatusOr<std::vector<InstitutionFacts>> FakeInstitutionService::Lookup(
    const std::vector<std::string>& ids) {
  absl::MutexLock lock(&mu_);
  if (!reachable_) {
    return absl::UnavailableError("the institution service cannot answer");
  }
  std::vector<InstitutionFacts> facts;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto it = institutions_.find(ids[i]);
    if (it == institutions_.end()) {
      return FieldError(absl::StatusCode::kNotFound,
                        absl::StrCat("ids[", i, "]"), "no such institution");
    }
    facts.push_back(it->second);
  }
  return facts;
}

absl::StatusOr<std::set<std::string>> FakeInstitutionService::Members(
    const std::string& community_id) {
  absl::MutexLock lock(&mu_);
  if (!reachable_) {
    return absl::UnavailableError("the institution service cannot answer");
  }
  auto it = communities_.find(community_id);
  if (it == communities_.end()) return std::set<std::string>();
  return it->second;
}

namespace {

class FakeInstitutionDirectory final : public InstitutionDirectory {
 public:
  explicit FakeInstitutionDirectory(FakeInstitutionService* service)
      : service_(service) {}
  absl::StatusOr<std::vector<InstitutionFacts>> Lookup(
      const std::vector<std::string>& ids, absl::Time) override {
    return service_->Lookup(ids);
  }

 private:
  FakeInstitutionService* const service_;
};

class FakeCommunityDirectory final : public CommunityDirectory {
 public:
  explicit FakeCommunityDirectory(FakeInstitutionService* service)
      : service_(service) {}
  absl::StatusOr<std::set<std::string>> Members(const std::string& community_id,
                                                absl::Time) override {
    return service_->Members(community_id);
  }

 private:
  FakeInstitutionService* const service_;
};

}  // namespace

InstitutionClient NewFakeInstitutionClient(FakeInstitutionService* service) {
  InstitutionClient client;
  client.communities = std::make_unique<FakeCommunityDirectory>(service);
  client.institutions = std::make_unique<FakeInstitutionDirectory>(service);
  return client;
}

}  // namespace cmc::referral
