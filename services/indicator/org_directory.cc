#include "services/indicator/org_directory.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/status.h"
#include "services/indicator/org_unit.h"

namespace cmc::indicator {
namespace {

namespace inst = cmc::institution::v1;

// Bounds a paging loop if the institution service ever repeats a token.
constexpr int kMaxPages = 100;

absl::Status Unavailable(const absl::Status& status) {
  return absl::UnavailableError(absl::StrCat(
      "the institution service cannot answer: ",
      absl::StatusCodeToString(status.code()), ": ", status.message()));
}

class GrpcOrgDirectory final : public OrgDirectory {
 public:
  GrpcOrgDirectory(std::shared_ptr<grpc::Channel> channel,
                   absl::Duration call_timeout)
      : stub_(inst::InstitutionService::NewStub(std::move(channel))),
        call_timeout_(call_timeout) {}

  absl::StatusOr<std::optional<std::string>> CommunityCounty(
      const std::string& community_id, absl::Time deadline) override {
    inst::GetCommunityRequest request;
    request.set_id(community_id);
    inst::Community community;
    grpc::ClientContext context;
    Bound(context, deadline);
    const absl::Status status =
        FromGrpcStatus(stub_->GetCommunity(&context, request, &community));
    if (absl::IsNotFound(status) || absl::IsInvalidArgument(status)) {
      return std::optional<std::string>();
    }
    if (!status.ok()) return Unavailable(status);
    return std::optional<std::string>(community.county_division_code());
  }

  absl::StatusOr<std::optional<std::string>> InstitutionCounty(
      const std::string& institution_id, absl::Time deadline) override {
    inst::GetInstitutionRequest request;
    request.set_id(institution_id);
    inst::Institution institution;
    grpc::ClientContext context;
    Bound(context, deadline);
    const absl::Status status =
        FromGrpcStatus(stub_->GetInstitution(&context, request, &institution));
    if (absl::IsNotFound(status) || absl::IsInvalidArgument(status)) {
      return std::optional<std::string>();
    }
    if (!status.ok()) return Unavailable(status);
    return std::optional<std::string>(institution.division_code().substr(0, 6));
  }

  absl::StatusOr<std::vector<CommunityPlace>> CommunitiesWithin(
      const std::string& division, absl::Time deadline) override {
    std::vector<CommunityPlace> out;
    inst::ListCommunitiesRequest request;
    if (DivisionLevel(division) == v1::ORG_LEVEL_COUNTY) {
      request.set_county_division_code(division);
    }
    request.mutable_page()->set_page_size(1000);
    for (int page = 0; page < kMaxPages; ++page) {
      inst::ListCommunitiesResponse response;
      grpc::ClientContext context;
      Bound(context, deadline);
      const absl::Status status =
          FromGrpcStatus(stub_->ListCommunities(&context, request, &response));
      if (!status.ok()) return Unavailable(status);
      for (const inst::Community& c : response.communities()) {
        if (DivisionWithin(c.county_division_code(), division)) {
          out.push_back({c.id(), c.county_division_code()});
        }
      }
      if (response.page().next_page_token().empty()) {
        std::sort(out.begin(), out.end(),
                  [](const CommunityPlace& a, const CommunityPlace& b) {
                    return a.community_id < b.community_id;
                  });
        return out;
      }
      request.mutable_page()->set_page_token(response.page().next_page_token());
    }
    return absl::UnavailableError("the institution service keeps paging");
  }

  absl::StatusOr<std::set<std::string>> Members(const std::string& community_id,
                                                absl::Time deadline) override {
    std::set<std::string> members;
    inst::ListInstitutionsRequest request;
    request.set_community_id(community_id);
    request.mutable_page()->set_page_size(1000);
    for (int page = 0; page < kMaxPages; ++page) {
      inst::ListInstitutionsResponse response;
      grpc::ClientContext context;
      Bound(context, deadline);
      const absl::Status status =
          FromGrpcStatus(stub_->ListInstitutions(&context, request, &response));
      if (absl::IsNotFound(status) || absl::IsInvalidArgument(status)) {
        return std::set<std::string>();
      }
      if (!status.ok()) return Unavailable(status);
      for (const inst::Institution& i : response.institutions()) {
        members.insert(i.id());
      }
      if (response.page().next_page_token().empty()) return members;
      request.mutable_page()->set_page_token(response.page().next_page_token());
    }
    return absl::UnavailableError("the institution service keeps paging");
  }

 private:
  void Bound(grpc::ClientContext& context, absl::Time deadline) const {
    context.set_deadline(
        absl::ToChronoTime(std::min(deadline, absl::Now() + call_timeout_)));
  }

  std::unique_ptr<inst::InstitutionService::Stub> stub_;
  const absl::Duration call_timeout_;
};

}  // namespace

std::unique_ptr<OrgDirectory> NewGrpcOrgDirectory(
    std::shared_ptr<grpc::Channel> channel, absl::Duration call_timeout) {
  return std::make_unique<GrpcOrgDirectory>(std::move(channel), call_timeout);
}

}  // namespace cmc::indicator
