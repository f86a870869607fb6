#include "common/service/community_directory.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace cmc {
namespace {

// Fixed memberships that record the communities it is asked for.
class FakeCommunities final : public CommunityDirectory {
 public:
  std::map<std::string, std::set<std::string>> members;
  std::vector<std::string> calls;
  absl::Status fail = absl::OkStatus();

  absl::StatusOr<std::set<std::string>> Members(const std::string& community,
                                                absl::Time) override {
    calls.push_back(community);
    if (!fail.ok()) return fail;
    return members[community];
  }
};

class CachingCommunityDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fake = std::make_unique<FakeCommunities>();
    fake_ = fake.get();
    fake_->members["com-1"] = {"ins-a", "ins-b"};
    directory_ = NewCachingCommunityDirectory(
        std::move(fake), absl::Seconds(30), [this] { return now_; });
  }

  std::set<std::string> Members(const std::string& community) {
    absl::StatusOr<std::set<std::string>> members =
        directory_->Members(community, now_ + absl::Seconds(1));
    EXPECT_TRUE(members.ok()) << members.status();
    return members.ok() ? *members : std::set<std::string>();
  }

  absl::Time now_ = absl::FromUnixSeconds(1000000);
  FakeCommunities* fake_ = nullptr;
  std::unique_ptr<CommunityDirectory> directory_;
};

TEST_F(CachingCommunityDirectoryTest, AsksAgainOnlyAfterTheTtl) {
  EXPECT_EQ(Members("com-1"), (std::set<std::string>{"ins-a", "ins-b"}));
  fake_->members["com-1"] = {"ins-a", "ins-b", "ins-c"};
  now_ += absl::Seconds(29);
  EXPECT_EQ(Members("com-1").size(), 2u) << "still fresh";
  EXPECT_EQ(Members("com-2").size(), 0u) << "another community is asked";
  now_ += absl::Seconds(2);
  EXPECT_EQ(Members("com-1").size(), 3u) << "stale: asked again";
  EXPECT_EQ(fake_->calls,
            (std::vector<std::string>{"com-1", "com-2", "com-1"}));
}

TEST_F(CachingCommunityDirectoryTest, FailuresAreNotRemembered) {
  fake_->fail = absl::UnavailableError("institution service down");
  const absl::StatusOr<std::set<std::string>> failed =
      directory_->Members("com-1", now_ + absl::Seconds(1));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  fake_->fail = absl::OkStatus();
  EXPECT_EQ(Members("com-1").size(), 2u);
  EXPECT_EQ(fake_->calls.size(), 2u);
}

}  // namespace
}  // namespace cmc
