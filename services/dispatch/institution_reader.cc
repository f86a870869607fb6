#include "services/dispatch/institution_reader.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/service/county_time.h"
#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::dispatch {
namespace {

// NOT_FOUND keeps its code and field; everything else means the institution
// service could not answer: UNAVAILABLE.
absl::Status FromInstitutionService(const grpc::Status& status) {
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return FromGrpcStatus(status);
  }
  return absl::UnavailableError(absl::StrCat(
      "the institution service cannot be reached: ", status.error_message()));
}

class GrpcReader final : public InstitutionReader {
 public:
  GrpcReader(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
      : stub_(inst::InstitutionService::NewStub(channel)), timeout_(timeout) {}

  absl::StatusOr<std::vector<inst::Village>> Villages(
      const std::string& community_id, absl::Time deadline) override {
    inst::ListVillagesRequest request;
    request.set_community_id(community_id);
    return Pages<inst::ListVillagesResponse, inst::Village>(
        request, deadline,
        [this](grpc::ClientContext* c, const inst::ListVillagesRequest& r,
               inst::ListVillagesResponse* out) {
          return stub_->ListVillages(c, r, out);
        },
        [](const inst::ListVillagesResponse& r) { return r.villages(); });
  }

  absl::StatusOr<inst::Village> Village(const std::string& id,
                                        absl::Time deadline) override {
    inst::GetVillageRequest request;
    request.set_id(id);
    inst::Village out;
    grpc::ClientContext context;
    Bound(&context, deadline);
    const grpc::Status status = stub_->GetVillage(&context, request, &out);
    if (!status.ok()) return FromInstitutionService(status);
    return out;
  }

  absl::StatusOr<std::vector<inst::Institution>> Members(
      const std::string& community_id, absl::Time deadline) override {
    inst::ListInstitutionsRequest request;
    request.set_community_id(community_id);
    return Pages<inst::ListInstitutionsResponse, inst::Institution>(
        request, deadline,
        [this](grpc::ClientContext* c, const inst::ListInstitutionsRequest& r,
               inst::ListInstitutionsResponse* out) {
          return stub_->ListInstitutions(c, r, out);
        },
        [](const inst::ListInstitutionsResponse& r) {
          return r.institutions();
        });
  }

  absl::StatusOr<std::vector<inst::Institution>> Institutions(
      const std::vector<std::string>& ids, absl::Time deadline) override {
    if (ids.empty()) return std::vector<inst::Institution>();
    inst::BatchGetInstitutionsRequest request;
    for (const std::string& id : ids) request.add_ids(id);
    inst::BatchGetInstitutionsResponse out;
    grpc::ClientContext context;
    Bound(&context, deadline);
    const grpc::Status status =
        stub_->BatchGetInstitutions(&context, request, &out);
    if (!status.ok()) return FromInstitutionService(status);
    return std::vector<inst::Institution>(out.institutions().begin(),
                                          out.institutions().end());
  }

  absl::StatusOr<std::vector<inst::Staff>> Staff(
      const std::string& community_id, absl::Time deadline) override {
    inst::ListStaffRequest request;
    request.set_community_id(community_id);
    return Pages<inst::ListStaffResponse, inst::Staff>(
        request, deadline,
        [this](grpc::ClientContext* c, const inst::ListStaffRequest& r,
               inst::ListStaffResponse* out) {
          return stub_->ListStaff(c, r, out);
        },
        [](const inst::ListStaffResponse& r) { return r.staff(); });
  }

  absl::StatusOr<inst::Staff> StaffMember(const std::string& id,
                                          absl::Time deadline) override {
    inst::GetStaffRequest request;
    request.set_id(id);
    inst::Staff out;
    grpc::ClientContext context;
    Bound(&context, deadline);
    const grpc::Status status = stub_->GetStaff(&context, request, &out);
    if (!status.ok()) return FromInstitutionService(status);
    return out;
  }

  absl::StatusOr<std::string> CommunityOf(const std::string& institution_id,
                                          absl::Time deadline) override {
    inst::ListMembershipsRequest request;
    request.set_institution_id(institution_id);
    request.mutable_as_of()->set_value(FormatCivilDate(CountyDay(absl::Now())));
    CMC_ASSIGN_OR_RETURN(
        std::vector<inst::Membership> memberships,
        (Pages<inst::ListMembershipsResponse, inst::Membership>(
            request, deadline,
            [this](grpc::ClientContext* c,
                   const inst::ListMembershipsRequest& r,
                   inst::ListMembershipsResponse* out) {
              return stub_->ListMemberships(c, r, out);
            },
            [](const inst::ListMembershipsResponse& r) {
              return r.memberships();
            })));
    return memberships.empty() ? std::string()
                               : memberships.front().community_id();
  }

  absl::StatusOr<std::vector<inst::Posting>> Postings(
      const std::string& staff_id, absl::Time deadline) override {
    inst::ListPostingsRequest request;
    request.set_staff_id(staff_id);
    return ListPostings(request, deadline);
  }

  absl::StatusOr<std::vector<inst::Posting>> PostingsAt(
      const std::string& institution_id, absl::Time deadline) override {
    inst::ListPostingsRequest request;
    request.set_institution_id(institution_id);
    return ListPostings(request, deadline);
  }

 private:
  void Bound(grpc::ClientContext* context, absl::Time deadline) const {
    context->set_deadline(
        absl::ToChronoTime(std::min(deadline, absl::Now() + timeout_)));
  }

  absl::StatusOr<std::vector<inst::Posting>> ListPostings(
      const inst::ListPostingsRequest& request, absl::Time deadline) {
    return Pages<inst::ListPostingsResponse, inst::Posting>(
        request, deadline,
        [this](grpc::ClientContext* c, const inst::ListPostingsRequest& r,
               inst::ListPostingsResponse* out) {
          return stub_->ListPostings(c, r, out);
        },
        [](const inst::ListPostingsResponse& r) { return r.postings(); });
  }

  // Every page of a List call, 1000 rows at a time.
  template <typename Response, typename Item, typename Request, typename Call,
            typename ItemsOf>
  absl::StatusOr<std::vector<Item>> Pages(Request request, absl::Time deadline,
                                          Call call, ItemsOf items_of) {
    std::vector<Item> out;
    request.mutable_page()->set_page_size(1000);
    while (true) {
      Response response;
      grpc::ClientContext context;
      Bound(&context, deadline);
      const grpc::Status status = call(&context, request, &response);
      if (!status.ok()) return FromInstitutionService(status);
      for (const Item& item : items_of(response)) out.push_back(item);
      if (response.page().next_page_token().empty()) return out;
      request.mutable_page()->set_page_token(response.page().next_page_token());
    }
  }

  std::unique_ptr<inst::InstitutionService::Stub> stub_;
  absl::Duration timeout_;
};

// Caches each answer by method and argument.
class CachingReader final : public InstitutionReader {
 public:
  CachingReader(std::unique_ptr<InstitutionReader> inner, absl::Duration ttl,
                std::function<absl::Time()> now)
      : inner_(std::move(inner)), ttl_(ttl), now_(std::move(now)) {}

  absl::StatusOr<std::vector<inst::Village>> Villages(
      const std::string& id, absl::Time deadline) override {
    return Cached(villages_, id,
                  [&] { return inner_->Villages(id, deadline); });
  }
  absl::StatusOr<inst::Village> Village(const std::string& id,
                                        absl::Time deadline) override {
    return Cached(village_, id, [&] { return inner_->Village(id, deadline); });
  }
  absl::StatusOr<std::vector<inst::Institution>> Members(
      const std::string& id, absl::Time deadline) override {
    return Cached(members_, id, [&] { return inner_->Members(id, deadline); });
  }
  absl::StatusOr<std::vector<inst::Institution>> Institutions(
      const std::vector<std::string>& ids, absl::Time deadline) override {
    return Cached(institutions_, absl::StrJoin(ids, ","),
                  [&] { return inner_->Institutions(ids, deadline); });
  }
  absl::StatusOr<std::vector<inst::Staff>> Staff(const std::string& id,
                                                 absl::Time deadline) override {
    return Cached(staff_, id, [&] { return inner_->Staff(id, deadline); });
  }
  absl::StatusOr<inst::Staff> StaffMember(const std::string& id,
                                          absl::Time deadline) override {
    return Cached(member_, id,
                  [&] { return inner_->StaffMember(id, deadline); });
  }
  absl::StatusOr<std::string> CommunityOf(const std::string& id,
                                          absl::Time deadline) override {
    return Cached(community_of_, id,
                  [&] { return inner_->CommunityOf(id, deadline); });
  }
  absl::StatusOr<std::vector<inst::Posting>> Postings(
      const std::string& id, absl::Time deadline) override {
    return Cached(postings_, id,
                  [&] { return inner_->Postings(id, deadline); });
  }
  absl::StatusOr<std::vector<inst::Posting>> PostingsAt(
      const std::string& id, absl::Time deadline) override {
    return Cached(postings_at_, id,
                  [&] { return inner_->PostingsAt(id, deadline); });
  }

 private:
  template <typename T>
  using Cache = std::map<std::string, std::pair<absl::Time, T>>;

  template <typename T, typename Load>
  absl::StatusOr<T> Cached(Cache<T>& cache, const std::string& key, Load load) {
    const absl::Time now = now_();
    {
      absl::MutexLock lock(&mu_);
      auto it = cache.find(key);
      if (it != cache.end() && now - it->second.first < ttl_) {
        return it->second.second;
      }
    }
    absl::StatusOr<T> fresh = load();
    if (fresh.ok()) {
      absl::MutexLock lock(&mu_);
      // Bounded: entries are keyed by ids the institution service knows.
      cache[key] = {now, *fresh};
    }
    return fresh;
  }

  std::unique_ptr<InstitutionReader> inner_;
  const absl::Duration ttl_;
  const std::function<absl::Time()> now_;
  absl::Mutex mu_;
  Cache<std::vector<inst::Village>> villages_ ABSL_GUARDED_BY(mu_);
  Cache<inst::Village> village_ ABSL_GUARDED_BY(mu_);
  Cache<std::vector<inst::Institution>> members_ ABSL_GUARDED_BY(mu_);
  Cache<std::vector<inst::Institution>> institutions_ ABSL_GUARDED_BY(mu_);
  Cache<std::vector<inst::Staff>> staff_ ABSL_GUARDED_BY(mu_);
  Cache<inst::Staff> member_ ABSL_GUARDED_BY(mu_);
  Cache<std::string> community_of_ ABSL_GUARDED_BY(mu_);
  Cache<std::vector<inst::Posting>> postings_ ABSL_GUARDED_BY(mu_);
  Cache<std::vector<inst::Posting>> postings_at_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<InstitutionReader> NewGrpcInstitutionReader(
    std::shared_ptr<grpc::Channel> channel, absl::Duration call_timeout) {
  return std::make_unique<GrpcReader>(std::move(channel), call_timeout);
}

std::unique_ptr<InstitutionReader> NewCachingInstitutionReader(
    std::unique_ptr<InstitutionReader> inner, absl::Duration ttl,
    std::function<absl::Time()> now) {
  return std::make_unique<CachingReader>(std::move(inner), ttl, std::move(now));
}

}  // namespace cmc::dispatch
