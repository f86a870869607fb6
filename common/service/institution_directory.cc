#include "common/service/institution_directory.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/service/feed_consumer.h"
#include "common/status.h"

namespace cmc {
namespace {

namespace inst = cmc::institution::v1;

// The most ids one Lookup takes (BatchGetInstitutions' limit).
constexpr size_t kMaxLookupIds = 1000;

// i of a field path "ids[i]", or -1.
int IdsIndex(const std::string& path) {
  absl::string_view field = path;
  if (!absl::ConsumePrefix(&field, "ids[") ||
      !absl::ConsumeSuffix(&field, "]")) {
    return -1;
  }
  int index = -1;
  return absl::SimpleAtoi(field, &index) && index >= 0 ? index : -1;
}

absl::Status UnknownId(size_t index, const std::string& id) {
  return FieldError(absl::StatusCode::kNotFound,
                    absl::StrCat("ids[", index, "]"),
                    absl::StrCat("no institution ", id));
}

class GrpcInstitutionDirectory final : public InstitutionDirectory {
 public:
  GrpcInstitutionDirectory(std::shared_ptr<grpc::Channel> channel,
                           absl::Duration call_timeout)
      : stub_(inst::InstitutionService::NewStub(std::move(channel))),
        call_timeout_(call_timeout) {}

  absl::StatusOr<std::vector<InstitutionFacts>> Lookup(
      const std::vector<std::string>& ids, absl::Time deadline) override {
    inst::BatchGetInstitutionsRequest request;
    for (const std::string& id : ids) request.add_ids(id);
    inst::BatchGetInstitutionsResponse response;
    grpc::ClientContext context;
    context.set_deadline(
        absl::ToChronoTime(std::min(deadline, absl::Now() + call_timeout_)));
    const absl::Status status = FromGrpcStatus(
        stub_->BatchGetInstitutions(&context, request, &response));
    if (!status.ok()) return Translate(status, ids);
    if (response.institutions_size() != static_cast<int>(ids.size())) {
      return absl::InternalError(absl::StrCat(
          "the institution service answered ", response.institutions_size(),
          " institutions for ", ids.size(), " ids"));
    }
    std::vector<InstitutionFacts> facts;
    for (const inst::Institution& institution : response.institutions()) {
      facts.push_back(
          {institution.tier(),
           institution.status() == inst::INSTITUTION_STATUS_ACTIVE});
    }
    return facts;
  }

 private:
  // An id the institution service does not know (or cannot even parse) is
  // NOT_FOUND for the caller; anything else means the dependency cannot serve
  // us now, which is UNAVAILABLE: retryable, and never a half-written referral.
  static absl::Status Translate(const absl::Status& status,
                                const std::vector<std::string>& ids) {
    if (absl::IsNotFound(status) || absl::IsInvalidArgument(status)) {
      const int index = IdsIndex(BadField(status));
      if (index >= 0 && index < static_cast<int>(ids.size())) {
        return UnknownId(index, ids[index]);
      }
    }
    return absl::UnavailableError(absl::StrCat(
        "the institution service cannot answer: ",
        absl::StatusCodeToString(status.code()), ": ", status.message()));
  }

  std::unique_ptr<inst::InstitutionService::Stub> stub_;
  const absl::Duration call_timeout_;
};

class CachingDirectory final : public InstitutionDirectory {
 public:
  CachingDirectory(std::unique_ptr<InstitutionDirectory> inner,
                   absl::Duration ttl, std::function<absl::Time()> now)
      : inner_(std::move(inner)), ttl_(ttl), now_(std::move(now)) {}

  absl::StatusOr<std::vector<InstitutionFacts>> Lookup(
      const std::vector<std::string>& ids, absl::Time deadline) override {
    std::vector<InstitutionFacts> facts(ids.size());
    std::vector<std::string> missing;
    std::vector<size_t> missing_index;  // position in `ids` of missing[i]
    {
      absl::MutexLock lock(&mu_);
      const absl::Time fresh_after = now_() - ttl_;
      for (size_t i = 0; i < ids.size(); ++i) {
        auto it = entries_.find(ids[i]);
        if (it != entries_.end() && it->second.fetched > fresh_after) {
          facts[i] = it->second.facts;
        } else {
          missing.push_back(ids[i]);
          missing_index.push_back(i);
        }
      }
    }
    if (missing.empty()) return facts;
    absl::StatusOr<std::vector<InstitutionFacts>> fetched =
        inner_->Lookup(missing, deadline);
    if (!fetched.ok()) {
      const int index = NotFoundIndex(fetched.status());
      if (index >= 0 && index < static_cast<int>(missing.size())) {
        return UnknownId(missing_index[index], missing[index]);
      }
      return fetched.status();
    }
    absl::MutexLock lock(&mu_);
    // A county has a few hundred institutions; the bound only guards against
    // a caller cycling through made-up ids.
    if (entries_.size() > kMaxEntries) entries_.clear();
    const absl::Time now = now_();
    for (size_t i = 0; i < missing.size(); ++i) {
      facts[missing_index[i]] = (*fetched)[i];
      entries_[missing[i]] = Entry{(*fetched)[i], now};
    }
    return facts;
  }

 private:
  static constexpr size_t kMaxEntries = 10000;
  struct Entry {
    InstitutionFacts facts;
    absl::Time fetched;
  };

  std::unique_ptr<InstitutionDirectory> inner_;
  const absl::Duration ttl_;
  const std::function<absl::Time()> now_;
  absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

int NotFoundIndex(const absl::Status& status) {
  return absl::IsNotFound(status) ? IdsIndex(BadField(status)) : -1;
}

absl::StatusOr<std::set<common::v1::Tier>> TiersOf(
    InstitutionDirectory& directory, std::vector<std::string> ids,
    absl::Time deadline) {
  std::set<common::v1::Tier> tiers;
  size_t start = 0;
  while (start < ids.size()) {
    const size_t end = std::min(ids.size(), start + kMaxLookupIds);
    const std::vector<std::string> batch(ids.begin() + start,
                                         ids.begin() + end);
    absl::StatusOr<std::vector<InstitutionFacts>> facts =
        directory.Lookup(batch, deadline);
    const int unknown = NotFoundIndex(facts.status());
    if (unknown >= 0 && unknown < static_cast<int>(batch.size())) {
      ids.erase(ids.begin() + start + unknown);
      continue;
    }
    if (!facts.ok()) return facts.status();
    for (const InstitutionFacts& institution : *facts) {
      tiers.insert(institution.tier);
    }
    start = end;
  }
  return tiers;
}

std::shared_ptr<grpc::Channel> NewInstitutionChannel(
    const std::string& address) {
  return NewInternalChannel(address);
}

std::unique_ptr<InstitutionDirectory> NewGrpcInstitutionDirectory(
    std::shared_ptr<grpc::Channel> channel, absl::Duration call_timeout) {
  return std::make_unique<GrpcInstitutionDirectory>(std::move(channel),
                                                    call_timeout);
}

std::unique_ptr<InstitutionDirectory> NewCachingDirectory(
    std::unique_ptr<InstitutionDirectory> inner, absl::Duration ttl,
    std::function<absl::Time()> now) {
  return std::make_unique<CachingDirectory>(std::move(inner), ttl,
                                            std::move(now));
}

}  // namespace cmc
