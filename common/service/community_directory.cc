#include "common/service/community_directory.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/status.h"

namespace cmc {
namespace {

namespace inst = cmc::institution::v1;

// A community has a few hundred members; the bound stops a runaway paging
// loop if the institution service ever repeats a token.
constexpr int kMaxPages = 100;

class GrpcCommunityDirectory final : public CommunityDirectory {
 public:
  GrpcCommunityDirectory(std::shared_ptr<grpc::Channel> channel,
                         absl::Duration call_timeout)
      : stub_(inst::InstitutionService::NewStub(std::move(channel))),
        call_timeout_(call_timeout) {}

  absl::StatusOr<std::set<std::string>> Members(const std::string& community_id,
                                                absl::Time deadline) override {
    std::set<std::string> members;
    inst::ListInstitutionsRequest request;
    request.set_community_id(community_id);
    request.mutable_page()->set_page_size(1000);
    for (int page = 0; page < kMaxPages; ++page) {
      inst::ListInstitutionsResponse response;
      grpc::ClientContext context;
      context.set_deadline(
          absl::ToChronoTime(std::min(deadline, absl::Now() + call_timeout_)));
      const absl::Status status =
          FromGrpcStatus(stub_->ListInstitutions(&context, request, &response));
      // An unknown (or malformed) community id in a principal's scope covers
      // nobody; anything else means the dependency cannot serve us now.
      if (absl::IsNotFound(status) || absl::IsInvalidArgument(status)) {
        return std::set<std::string>();
      }
      if (!status.ok()) {
        return absl::UnavailableError(absl::StrCat(
            "the institution service cannot answer: ",
            absl::StatusCodeToString(status.code()), ": ", status.message()));
      }
      for (const inst::Institution& institution : response.institutions()) {
        members.insert(institution.id());
      }
      if (response.page().next_page_token().empty()) return members;
      request.mutable_page()->set_page_token(response.page().next_page_token());
    }
    return absl::InternalError(absl::StrCat(
        "community ", community_id, " has more than ", kMaxPages, " pages"));
  }

 private:
  std::unique_ptr<inst::InstitutionService::Stub> stub_;
  const absl::Duration call_timeout_;
};

class CachingCommunityDirectory final : public CommunityDirectory {
 public:
  CachingCommunityDirectory(std::unique_ptr<CommunityDirectory> inner,
                            absl::Duration ttl, std::function<absl::Time()> now)
      : inner_(std::move(inner)), ttl_(ttl), now_(std::move(now)) {}

  absl::StatusOr<std::set<std::string>> Members(const std::string& community_id,
                                                absl::Time deadline) override {
    {
      absl::MutexLock lock(&mu_);
      auto it = entries_.find(community_id);
      if (it != entries_.end() && it->second.fetched > now_() - ttl_) {
        return it->second.members;
      }
    }
    absl::StatusOr<std::set<std::string>> members =
        inner_->Members(community_id, deadline);
    if (!members.ok()) return members.status();
    absl::MutexLock lock(&mu_);
    // A county has a handful of communities; the bound only guards against
    // callers cycling through made-up ids.
    if (entries_.size() > kMaxEntries) entries_.clear();
    entries_[community_id] = Entry{*members, now_()};
    return members;
  }

 private:
  static constexpr size_t kMaxEntries = 1000;
  struct Entry {
    std::set<std::string> members;
    absl::Time fetched;
  };

  std::unique_ptr<CommunityDirectory> inner_;
  const absl::Duration ttl_;
  const std::function<absl::Time()> now_;
  absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<CommunityDirectory> NewGrpcCommunityDirectory(
    std::shared_ptr<grpc::Channel> channel, absl::Duration call_timeout) {
  return std::make_unique<GrpcCommunityDirectory>(std::move(channel),
                                                  call_timeout);
}

std::unique_ptr<CommunityDirectory> NewCachingCommunityDirectory(
    std::unique_ptr<CommunityDirectory> inner, absl::Duration ttl,
    std::function<absl::Time()> now) {
  return std::make_unique<CachingCommunityDirectory>(std::move(inner), ttl,
                                                     std::move(now));
}

}  // namespace cmc
