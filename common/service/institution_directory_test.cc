#include "common/service/institution_directory.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/status.h"

namespace cmc {
namespace {

namespace inst = cmc::institution::v1;
using common::v1::TIER_COUNTY;
using common::v1::TIER_TOWNSHIP;
using common::v1::TIER_VILLAGE;

// InvalidField's detail with code NOT_FOUND, as the institution service sends.
absl::Status NotFoundAt(int index) {
  absl::Status invalid = InvalidField(absl::StrCat("ids[", index, "]"), "no");
  absl::Status status(absl::StatusCode::kNotFound, invalid.message());
  invalid.ForEachPayload([&](absl::string_view url, const absl::Cord& p) {
    status.SetPayload(url, p);
  });
  return status;
}

// A fixed directory that counts the ids it is asked for.
class FakeDirectory final : public InstitutionDirectory {
 public:
  std::map<std::string, InstitutionFacts> known;
  std::vector<std::vector<std::string>> calls;
  absl::Status fail = absl::OkStatus();

  absl::StatusOr<std::vector<InstitutionFacts>> Lookup(
      const std::vector<std::string>& ids, absl::Time) override {
    calls.push_back(ids);
    if (!fail.ok()) return fail;
    std::vector<InstitutionFacts> out;
    for (size_t i = 0; i < ids.size(); ++i) {
      auto it = known.find(ids[i]);
      if (it == known.end()) {
        return NotFoundAt(static_cast<int>(i));
      }
      out.push_back(it->second);
    }
    return out;
  }
};

class CachingDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fake = std::make_unique<FakeDirectory>();
    fake_ = fake.get();
    fake_->known = {{"ins-c", {TIER_COUNTY, true}},
                    {"ins-t", {TIER_TOWNSHIP, true}},
                    {"ins-v", {TIER_VILLAGE, false}}};
    directory_ = NewCachingDirectory(std::move(fake), absl::Seconds(30),
                                     [this] { return now_; });
  }

  absl::Time now_ = absl::FromUnixSeconds(1732270000);
  FakeDirectory* fake_ = nullptr;
  std::unique_ptr<InstitutionDirectory> directory_;
};

TEST_F(CachingDirectoryTest, AsksOnlyForWhatItDoesNotKnowFreshly) {
  auto facts = directory_->Lookup({"ins-c", "ins-v"}, absl::InfiniteFuture());
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ((*facts)[0].tier, TIER_COUNTY);
  EXPECT_TRUE((*facts)[0].active);
  EXPECT_EQ((*facts)[1].tier, TIER_VILLAGE);
  EXPECT_FALSE((*facts)[1].active);

  now_ += absl::Seconds(29);
  facts = directory_->Lookup({"ins-t", "ins-c"}, absl::InfiniteFuture());
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ((*facts)[0].tier, TIER_TOWNSHIP);
  EXPECT_EQ((*facts)[1].tier, TIER_COUNTY);
  ASSERT_EQ(fake_->calls.size(), 2u);
  EXPECT_EQ(fake_->calls[1], std::vector<std::string>{"ins-t"});

  now_ += absl::Seconds(2);  // ins-c is now 31 s old, ins-t 2 s
  fake_->known["ins-c"].active = false;
  facts = directory_->Lookup({"ins-t", "ins-c"}, absl::InfiniteFuture());
  ASSERT_TRUE(facts.ok());
  EXPECT_FALSE((*facts)[1].active) << "a stale entry is asked again";
  EXPECT_EQ(fake_->calls.back(), std::vector<std::string>{"ins-c"});
}

TEST_F(CachingDirectoryTest, UnknownIdIsNamedByItsPositionInTheCallersList) {
  ASSERT_TRUE(directory_->Lookup({"ins-c"}, absl::InfiniteFuture()).ok());
  // Only "ins-x" is asked (as ids[0] of the inner call); the caller sent it
  // second.
  auto facts = directory_->Lookup({"ins-c", "ins-x"}, absl::InfiniteFuture());
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(NotFoundIndex(facts.status()), 1);
  EXPECT_EQ(fake_->calls.back(), std::vector<std::string>{"ins-x"});
}

TEST_F(CachingDirectoryTest, FailuresAreNotRemembered) {
  fake_->fail = absl::UnavailableError("down");
  auto facts = directory_->Lookup({"ins-t"}, absl::InfiniteFuture());
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kUnavailable);
  fake_->fail = absl::OkStatus();
  facts = directory_->Lookup({"ins-t"}, absl::InfiniteFuture());
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ(fake_->calls.size(), 2u);
}

TEST(TiersOfTest, TiersOfTheKnownIdsInBatchesSkippingUnknownOnes) {
  FakeDirectory fake;
  fake.known = {{"ins-c", {TIER_COUNTY, true}},
                {"ins-t", {TIER_TOWNSHIP, true}},
                {"ins-v", {TIER_VILLAGE, false}}};
  const absl::Time deadline = absl::InfiniteFuture();

  auto tiers = TiersOf(fake, {"ins-c", "ins-x", "ins-v"}, deadline);
  ASSERT_TRUE(tiers.ok()) << tiers.status();
  EXPECT_EQ(*tiers, (std::set<common::v1::Tier>{TIER_COUNTY, TIER_VILLAGE}))
      << "a closed institution keeps its tier; an unknown one has none";
  EXPECT_EQ(fake.calls, (std::vector<std::vector<std::string>>{
                            {"ins-c", "ins-x", "ins-v"}, {"ins-c", "ins-v"}}));

  fake.calls.clear();
  tiers = TiersOf(fake, {}, deadline);
  ASSERT_TRUE(tiers.ok());
  EXPECT_TRUE(tiers->empty());
  EXPECT_TRUE(fake.calls.empty()) << "nothing to ask";

  std::vector<std::string> many;
  for (int i = 0; i < 2001; ++i) {
    many.push_back(absl::StrCat("ins-n", i));
    fake.known[many.back()] = {TIER_VILLAGE, true};
  }
  many.push_back("ins-t");
  tiers = TiersOf(fake, many, deadline);
  ASSERT_TRUE(tiers.ok()) << tiers.status();
  EXPECT_EQ(*tiers, (std::set<common::v1::Tier>{TIER_VILLAGE, TIER_TOWNSHIP}));
  ASSERT_EQ(fake.calls.size(), 3u);
  EXPECT_EQ(fake.calls[0].size(), 1000u);
  EXPECT_EQ(fake.calls[1].size(), 1000u);
  EXPECT_EQ(fake.calls[2], (std::vector<std::string>{"ins-n2000", "ins-t"}));

  fake.fail = absl::UnavailableError("down");
  EXPECT_EQ(TiersOf(fake, {"ins-c"}, deadline).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(CachingDirectoryTest, TiersOfAScopeAreAskedOncePerTtl) {
  auto tiers = TiersOf(*directory_, {"ins-c", "ins-t"}, absl::InfiniteFuture());
  ASSERT_TRUE(tiers.ok()) << tiers.status();
  now_ += absl::Seconds(10);
  tiers = TiersOf(*directory_, {"ins-c", "ins-t"}, absl::InfiniteFuture());
  ASSERT_TRUE(tiers.ok()) << tiers.status();
  EXPECT_EQ(*tiers, (std::set<common::v1::Tier>{TIER_COUNTY, TIER_TOWNSHIP}));
  EXPECT_EQ(fake_->calls.size(), 1u) << "the second scope is remembered";
}

// The institution service, answering BatchGetInstitutions from a fixed map,
// or with `fail` when set.
class FakeInstitutionService final : public inst::InstitutionService::Service {
 public:
  grpc::Status BatchGetInstitutions(
      grpc::ServerContext*, const inst::BatchGetInstitutionsRequest* request,
      inst::BatchGetInstitutionsResponse* response) override {
    if (!fail.ok()) return ToGrpcStatus(fail);
    for (int i = 0; i < request->ids_size(); ++i) {
      if (request->ids(i) != "ins-t") return ToGrpcStatus(NotFoundAt(i));
      inst::Institution* institution = response->add_institutions();
      institution->set_id(request->ids(i));
      institution->set_tier(TIER_TOWNSHIP);
      institution->set_status(inst::INSTITUTION_STATUS_CLOSED);
    }
    return grpc::Status::OK;
  }
  absl::Status fail = absl::OkStatus();
};

class GrpcDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    directory_ = NewGrpcInstitutionDirectory(
        NewInstitutionChannel(absl::StrCat("127.0.0.1:", port_)));
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  int port_ = 0;
  FakeInstitutionService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<InstitutionDirectory> directory_;
};

TEST_F(GrpcDirectoryTest, TranslatesTheInstitutionServicesAnswers) {
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  auto facts = directory_->Lookup({"ins-t"}, deadline);
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ((*facts)[0].tier, TIER_TOWNSHIP);
  EXPECT_FALSE((*facts)[0].active);

  facts = directory_->Lookup({"ins-t", "ins-unknown"}, deadline);
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(NotFoundIndex(facts.status()), 1);

  service_.fail = absl::InternalError("database refused login");
  facts = directory_->Lookup({"ins-t"}, deadline);
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kUnavailable)
      << "a failing dependency is retryable for our caller";
}

TEST_F(GrpcDirectoryTest, UnreachableServiceIsUnavailableWithinTheTimeout) {
  server_->Shutdown();
  server_.reset();
  const absl::Time start = absl::Now();
  auto facts = directory_->Lookup({"ins-t"}, absl::Now() + absl::Seconds(5));
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kUnavailable)
      << facts.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

}  // namespace
}  // namespace cmc
