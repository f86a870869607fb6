// The referral service's life cycle, idempotency, concurrency, listing and
// caller errors, against a real MariaDB (fixture in referral_fixture.h).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/referral_fixture.h"

namespace cmc::referral {
namespace referral_testing {
namespace {

TEST_F(ReferralTest, HappyPathClosesTheLoopWithAnEventPerStep) {
  ASSERT_OK_AND_ASSIGN(created, Create(UpRequest("req-happy")));
  EXPECT_EQ(created.id().rfind("ref-", 0), 0u);
  EXPECT_EQ(created.status(), v1::REFERRAL_STATUS_REQUESTED);
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.patient().resident_id(), kMasked);
  EXPECT_EQ(created.patient().sex(), v1::SEX_MALE);
  // Beside a masked ID only the birth year shows: the date is the masked part.
  EXPECT_EQ(created.patient().birth_date().value(), "");
  EXPECT_EQ(created.patient().birth_year(), 1991);
  EXPECT_EQ(created.receiving_institution_id(), "ins-town");
  EXPECT_EQ(created.urgency(), v1::URGENCY_ROUTINE);
  EXPECT_EQ(created.expire_time().seconds() - created.create_time().seconds(),
            24 * 3600);

  ASSERT_OK_AND_ASSIGN(received,
                       Act(&Stub::ReceiveReferral, created, "ins-town"));
  EXPECT_EQ(received.status(), v1::REFERRAL_STATUS_RECEIVED);
  EXPECT_EQ(received.expire_time().seconds(), created.expire_time().seconds());
  ASSERT_OK_AND_ASSIGN(accepted,
                       Act(&Stub::AcceptReferral, received, "ins-town"));
  EXPECT_EQ(accepted.status(), v1::REFERRAL_STATUS_ACCEPTED);
  EXPECT_FALSE(accepted.has_expire_time());
  ASSERT_OK_AND_ASSIGN(arrived,
                       Act(&Stub::ArriveReferral, accepted, "ins-town"));
  EXPECT_EQ(arrived.status(), v1::REFERRAL_STATUS_IN_PROGRESS);
  auto complete = On<v1::CompleteReferralRequest>(arrived, "ins-town");
  complete.mutable_outcome()->set_summary("血压平稳，转回村卫生室随访");
  ASSERT_OK_AND_ASSIGN(completed, Call(&Stub::CompleteReferral, complete));
  EXPECT_EQ(completed.status(), v1::REFERRAL_STATUS_COMPLETED);
  EXPECT_EQ(completed.version(), 5);
  EXPECT_EQ(completed.outcome().summary(), "血压平稳，转回村卫生室随访");
  const v1::ReferralStatus expected[] = {
      v1::REFERRAL_STATUS_REQUESTED, v1::REFERRAL_STATUS_RECEIVED,
      v1::REFERRAL_STATUS_ACCEPTED, v1::REFERRAL_STATUS_IN_PROGRESS,
      v1::REFERRAL_STATUS_COMPLETED};
  ASSERT_EQ(completed.transitions_size(), 5);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(completed.transitions(i).status(), expected[i]);
    EXPECT_EQ(completed.transitions(i).actor(), "user:dr.li");
  }
  EXPECT_EQ(completed.transitions(0).institution_id(), "ins-village");
  EXPECT_EQ(completed.transitions(4).institution_id(), "ins-town");
  EXPECT_EQ(fake_.calls.load(), 1)
      << "only the create needs tiers; a direct target's transitions do not";

  v1::GetReferralRequest get;
  get.set_id(created.id());
  Referral read;
  ASSERT_TRUE(stub_->GetReferral(Context().get(), get, &read).ok());
  EXPECT_EQ(read.SerializeAsString(), completed.SerializeAsString());

  const std::vector<common::v1::Event> events = Events();
  const char* types[] = {
      "referral.ReferralCreated", "referral.ReferralReceived",
      "referral.ReferralAccepted", "referral.ReferralArrived",
      "referral.ReferralCompleted"};
  ASSERT_EQ(events.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(events[i].type(), types[i]);
    EXPECT_EQ(events[i].aggregate_type(), "Referral");
    EXPECT_EQ(events[i].aggregate_id(), created.id());
    EXPECT_EQ(events[i].actor(), "user:dr.li");
    Referral payload;
    ASSERT_TRUE(events[i].payload().UnpackTo(&payload));
    EXPECT_EQ(payload.version(), i + 1);
    EXPECT_EQ(payload.status(), expected[i]);
    EXPECT_EQ(payload.direction(), v1::REFERRAL_DIRECTION_UP);
    EXPECT_EQ(payload.type(), v1::REFERRAL_TYPE_OUTPATIENT);
    EXPECT_EQ(payload.patient().resident_id(), kMasked)
        << "the feed is an API too";
  }
}

TEST_F(ReferralTest, ResidentIdIsStoredAsGivenAndMaskedEverywhereOutside) {
  ASSERT_OK_AND_ASSIGN(created, Create(UpRequest("req-mask")));
  const std::string stored = QueryOne(
      "SELECT patient_resident_id FROM referrals WHERE id = ?", created.id());
  EXPECT_EQ(stored, kResidentId);
  v1::ListReferralsRequest list;
  list.set_patient_resident_id(kResidentId);
  v1::ListReferralsResponse page;
  ASSERT_TRUE(stub_->ListReferrals(Context().get(), list, &page).ok());
  ASSERT_EQ(page.referrals_size(), 1);
  EXPECT_EQ(page.referrals(0).patient().resident_id(), kMasked);
}

TEST_F(ReferralTest, CreateIsIdempotentByRequestId) {
  // Concurrent first attempts (a client retrying before its first reply):
  // one referral, every caller gets it.
  std::vector<absl::StatusOr<Referral>> results(4);
  std::vector<std::thread> clients;
  for (auto& result : results) {
    clients.emplace_back([&] { result = Create(UpRequest("req-idem")); });
  }
  for (auto& t : clients) t.join();
  ASSERT_OK_AND_ASSIGN(first, results[0]);
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->id(), first.id());
  }
  // A repeat is answered from the database, even with the institution
  // service down.
  institutions_->Shutdown();
  ASSERT_OK_AND_ASSIGN(again, Create(UpRequest("req-idem")));
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  v1::CreateReferralRequest changed = UpRequest("req-idem");
  changed.mutable_referral()->set_reason("another reason");
  const absl::StatusOr<Referral> reused = Create(changed);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(reused.status()), "request_id");
  EXPECT_EQ(Count("referrals"), 1);
  EXPECT_EQ(Events().size(), 1u);
}

TEST_F(ReferralTest, CallerMistakesOnCreateNameTheFieldAndStoreNothing) {
  struct Case {
    const char* name;
    std::function<void(v1::CreateReferralRequest&)> spoil;
    absl::StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {"no request id", [](auto& r) { r.clear_request_id(); },
       absl::StatusCode::kInvalidArgument, "request_id"},
      {"bad resident ID",
       [](auto& r) {
         r.mutable_referral()->mutable_patient()->set_resident_id(
             "360426199101010072");
       },
       absl::StatusCode::kInvalidArgument, "referral.patient.resident_id"},
      {"up to a lower tier",
       [](auto& r) {
         r.mutable_referral()->set_from_institution_id("ins-town");
         r.mutable_referral()->set_to_institution_id("ins-village");
       },
       absl::StatusCode::kInvalidArgument, "referral.direction"},
      {"down out of county",
       [](auto& r) {
         r.mutable_referral()->set_direction(v1::REFERRAL_DIRECTION_DOWN);
         r.mutable_referral()->set_from_institution_id("ins-county");
         auto* external = r.mutable_referral()->mutable_to_external_hospital();
         external->set_uscc("91110000600037341L");
         external->set_name("省人民医院");
       },
       absl::StatusCode::kInvalidArgument, "referral.direction"},
      {"unknown sender",
       [](auto& r) { r.mutable_referral()->set_from_institution_id("ins-x"); },
       absl::StatusCode::kNotFound, "referral.from_institution_id"},
      {"unknown receiver",
       [](auto& r) { r.mutable_referral()->set_to_institution_id("ins-x"); },
       absl::StatusCode::kNotFound, "referral.to_institution_id"},
      {"closed receiver",
       [](auto& r) {
         r.mutable_referral()->set_to_institution_id("ins-closed");
       },
       absl::StatusCode::kFailedPrecondition, "referral.to_institution_id"},
  };
  int n = 0;
  for (const Case& c : cases) {
    v1::CreateReferralRequest request = UpRequest(absl::StrCat("req-", ++n));
    c.spoil(request);
    const absl::StatusOr<Referral> result = Create(request);
    EXPECT_EQ(result.status().code(), c.code)
        << c.name << ": " << result.status();
    EXPECT_EQ(BadField(result.status()), c.field) << c.name;
  }
  EXPECT_EQ(Count("referrals"), 0);
  EXPECT_EQ(Events().size(), 0u);
}

TEST_F(ReferralTest, CallerMistakesOnTransitionsNameTheField) {
  ASSERT_OK_AND_ASSIGN(created, Create(UpRequest("req-mistakes")));
  v1::GetReferralRequest get;
  get.set_id("ref-unknown");
  Referral ignored;
  const absl::Status unknown =
      FromGrpcStatus(stub_->GetReferral(Context().get(), get, &ignored));
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(BadField(unknown), "id");

  auto arrive = On<v1::ArriveReferralRequest>(created, "ins-town");
  absl::Status status = Call(&Stub::ArriveReferral, arrive).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(BadField(status), "id");
  EXPECT_NE(status.message().find("REQUESTED"), absl::string_view::npos);

  status = Act(&Stub::AcceptReferral, created, "ins-village").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_EQ(BadField(status), "actor.institution_id");

  status = Act(&Stub::RejectReferral, created, "ins-town").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(status), "reason");

  auto stale = On<v1::CancelReferralRequest>(created, "ins-village");
  ASSERT_OK_AND_ASSIGN(received,
                       Act(&Stub::ReceiveReferral, created, "ins-town"));
  status = Call(&Stub::CancelReferral, stale).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_EQ(BadField(status), "version");

  auto no_version = On<v1::CancelReferralRequest>(received, "ins-village");
  no_version.set_version(0);
  status = Call(&Stub::CancelReferral, no_version).status();
  EXPECT_EQ(BadField(status), "version");

  auto complete = On<v1::CompleteReferralRequest>(received, "ins-town");
  status = Call(&Stub::CompleteReferral, complete).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BadField(status), "outcome.summary");

  EXPECT_EQ(Events().size(), 2u) << "created and received only";
}

TEST_F(ReferralTest, TwoClientsAcceptingAtOnceExactlyOneWins) {
  for (int round = 0; round < 5; ++round) {
    ASSERT_OK_AND_ASSIGN(created,
                         Create(UpRequest(absl::StrCat("req-race-", round))));
    constexpr int kClients = 4;
    std::atomic<int> ok{0};
    std::atomic<int> lost{0};
    std::atomic<int> other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i) {
      clients.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        const absl::Status status =
            Act(&Stub::AcceptReferral, created, "ins-town").status();
        if (status.ok()) {
          ++ok;
        } else if (absl::IsAborted(status) ||
                   absl::IsFailedPrecondition(status)) {
          ++lost;
        } else {
          ++other;
        }
      });
    }
    go = true;
    for (auto& t : clients) t.join();
    EXPECT_EQ(ok.load(), 1) << "round " << round;
    EXPECT_EQ(lost.load(), kClients - 1);
    EXPECT_EQ(other.load(), 0);
  }
  int accepted_events = 0;
  for (const auto& event : Events()) {
    accepted_events += event.type() == "referral.ReferralAccepted";
  }
  EXPECT_EQ(accepted_events, 5);
}

TEST_F(ReferralTest, InstitutionServiceDownIsUnavailableAndStoresNothing) {
  const int port = institution_port_;
  institutions_->Shutdown();
  const absl::StatusOr<Referral> down = Create(UpRequest("req-down"));
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable)
      << down.status();
  EXPECT_EQ(Count("referrals"), 0);
  EXPECT_EQ(Events().size(), 0u);

  // Back on the same port: the same request_id now succeeds, once.
  StartInstitutions(port);
  absl::StatusOr<Referral> retried = Create(UpRequest("req-down"));
  for (int i = 0; i < 30 && absl::IsUnavailable(retried.status()); ++i) {
    absl::SleepFor(absl::Milliseconds(200));
    retried = Create(UpRequest("req-down"));
  }
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(Count("referrals"), 1);
}

TEST_F(ReferralTest, OutOfCountyWaitsForTheCountysApproval) {
  v1::CreateReferralRequest request = UpRequest("req-out");
  request.mutable_referral()->set_type(v1::REFERRAL_TYPE_EMERGENCY);
  request.mutable_referral()->set_from_institution_id("ins-county");
  auto* external = request.mutable_referral()->mutable_to_external_hospital();
  external->set_uscc("91110000600037341L");
  external->set_name("省人民医院");
  ASSERT_OK_AND_ASSIGN(pending, Create(request));
  EXPECT_EQ(pending.status(), v1::REFERRAL_STATUS_APPROVAL_PENDING);
  EXPECT_FALSE(pending.has_expire_time());
  EXPECT_EQ(pending.receiving_institution_id(), "");

  absl::Status status =
      Act(&Stub::ReceiveReferral, pending, "ins-county").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  status = Act(&Stub::ApproveReferral, pending, "ins-town").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_EQ(BadField(status), "actor.institution_id");

  ASSERT_OK_AND_ASSIGN(approved,
                       Act(&Stub::ApproveReferral, pending, "ins-county2"));
  EXPECT_EQ(approved.status(), v1::REFERRAL_STATUS_REQUESTED);
  EXPECT_NEAR(
      approved.expire_time().seconds() - approved.update_time().seconds(),
      30 * 60, 1);
  // The hospital outside has no account here: the sender records its answer.
  ASSERT_OK_AND_ASSIGN(accepted,
                       Act(&Stub::AcceptReferral, approved, "ins-county"));
  EXPECT_EQ(accepted.status(), v1::REFERRAL_STATUS_ACCEPTED);
  EXPECT_EQ(Events()[1].type(), "referral.ReferralApproved");
}

TEST_F(ReferralTest, TierOpenReferralIsClaimedByItsFirstReceiver) {
  v1::CreateReferralRequest request = UpRequest("req-open");
  request.mutable_referral()->set_direction(v1::REFERRAL_DIRECTION_DOWN);
  request.mutable_referral()->set_type(v1::REFERRAL_TYPE_INPATIENT);
  request.mutable_referral()->set_from_institution_id("ins-county");
  request.mutable_referral()->set_to_tier(common::v1::TIER_TOWNSHIP);
  ASSERT_OK_AND_ASSIGN(open, Create(request));

  v1::ListReferralsRequest list;
  list.set_open_to_tier(common::v1::TIER_TOWNSHIP);
  v1::ListReferralsResponse page;
  ASSERT_TRUE(stub_->ListReferrals(Context().get(), list, &page).ok());
  ASSERT_EQ(page.referrals_size(), 1);

  absl::Status status =
      Act(&Stub::ReceiveReferral, open, "ins-village").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  ASSERT_OK_AND_ASSIGN(claimed, Act(&Stub::ReceiveReferral, open, "ins-town2"));
  EXPECT_EQ(claimed.receiving_institution_id(), "ins-town2");
  status = Act(&Stub::AcceptReferral, claimed, "ins-town").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);

  page.Clear();
  ASSERT_TRUE(stub_->ListReferrals(Context().get(), list, &page).ok());
  EXPECT_EQ(page.referrals_size(), 0) << "no longer open";
  list.set_incoming_institution_id("ins-town2");
  ASSERT_TRUE(stub_->ListReferrals(Context().get(), list, &page).ok());
  ASSERT_EQ(page.referrals_size(), 1);
  EXPECT_EQ(page.referrals(0).id(), open.id());
}

TEST_F(ReferralTest, ListFiltersAndPagesNewestFirst) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(r, Create(UpRequest(absl::StrCat("req-list-", i))));
    ids.push_back(r.id());
  }
  v1::CreateReferralRequest down = UpRequest("req-list-down");
  down.mutable_referral()->set_direction(v1::REFERRAL_DIRECTION_DOWN);
  down.mutable_referral()->set_from_institution_id("ins-town");
  down.mutable_referral()->set_to_institution_id("ins-village");
  ASSERT_OK_AND_ASSIGN(down_referral, Create(down));

  v1::ListReferralsRequest list;
  list.set_outgoing_institution_id("ins-village");
  list.mutable_page()->set_page_size(2);
  std::vector<std::string> seen;
  for (int pages = 1;; ++pages) {
    v1::ListReferralsResponse page;
    ASSERT_TRUE(stub_->ListReferrals(Context().get(), list, &page).ok());
    for (const Referral& r : page.referrals()) seen.push_back(r.id());
    EXPECT_EQ(page.page().total_size(), -1);
    if (page.page().next_page_token().empty()) {
      EXPECT_EQ(pages, 3);
      break;
    }
    ASSERT_LT(pages, 3);
    list.mutable_page()->set_page_token(page.page().next_page_token());
  }
  EXPECT_EQ(seen, std::vector<std::string>(ids.rbegin(), ids.rend()));

  v1::ListReferralsRequest by_direction;
  by_direction.set_direction(v1::REFERRAL_DIRECTION_DOWN);
  v1::ListReferralsResponse page;
  ASSERT_TRUE(stub_->ListReferrals(Context().get(), by_direction, &page).ok());
  ASSERT_EQ(page.referrals_size(), 1);
  EXPECT_EQ(page.referrals(0).id(), down_referral.id());

  v1::ListReferralsRequest incoming;
  incoming.set_incoming_institution_id("ins-town");
  incoming.set_status(v1::REFERRAL_STATUS_REQUESTED);
  incoming.mutable_period()->set_value(
      absl::FormatTime("%Y", absl::Now(), absl::FixedTimeZone(8 * 3600)));
  page.Clear();
  ASSERT_TRUE(stub_->ListReferrals(Context().get(), incoming, &page).ok());
  EXPECT_EQ(page.referrals_size(), 5);
  incoming.mutable_period()->set_value("2020");
  page.Clear();
  ASSERT_TRUE(stub_->ListReferrals(Context().get(), incoming, &page).ok());
  EXPECT_EQ(page.referrals_size(), 0);
}

// Migration 0003 moves the keys of earlier creates into request_claims, where
// they belong to the anonymous caller (requests migration 0002): a repeat
// without a principal still returns that referral. Keys are claimed per
// caller: the same request_id from a principal, or from another principal, is
// another referral.
TEST(ReferralClaimsMigrationTest, KeysOfEarlierCreatesReplayPerCaller) {
  DbConfig config = testing::MariaDb::Shared().NewDatabase("referral_claims");
  std::unique_ptr<db::Pool> pool = db::Pool::Create(config);
  ASSERT_TRUE(db::ApplyMigrations(*pool, "outbox", outbox::Migrations()).ok());
  ASSERT_TRUE(
      db::ApplyMigrations(*pool, "requests", requests::Migrations()).ok());
  const std::vector<db::Migration> before_claims(Migrations().begin(),
                                                 Migrations().begin() + 2);
  ASSERT_TRUE(db::ApplyMigrations(*pool, "referral", before_claims).ok());
  const std::string digest(64, 'a');
  Referral legacy;
  legacy.set_id("ref-legacy");
  legacy.set_version(1);
  legacy.set_from_institution_id("ins-village");
  // As the store wrote a referral before: the key on its row.
  ASSERT_TRUE(
      db::RunOnConnection(
          *pool, absl::Now() + absl::Seconds(5),
          [&](sql::Connection& conn) -> absl::Status {
            std::unique_ptr<sql::PreparedStatement> insert(
                conn.prepareStatement(
                    "INSERT INTO referrals (id, request_id, request_sha256, "
                    "status, version, direction, type, from_institution_id, "
                    "patient_resident_id, create_time, update_time, record) "
                    "VALUES ('ref-legacy', 'req-legacy', ?, 1, 1, 1, 1, "
                    "'ins-village', ?, '2026-01-01 00:00:00', "
                    "'2026-01-01 00:00:00', ?)"));
            insert->setString(1, digest);
            insert->setString(2, kResidentId);
            std::istringstream record(legacy.SerializeAsString());
            insert->setBlob(3, &record);
            insert->executeUpdate();
            return absl::OkStatus();
          })
          .ok());

  ASSERT_TRUE(db::ApplyMigrations(*pool, "referral", Migrations()).ok());

  MysqlReferralStore store(pool.get(), ExpiryPolicy());
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  auto claim = [&](const std::string& caller, const std::string& key,
                   const std::string& sha) {
    return RequestClaim{caller, key, "CreateReferral", sha};
  };
  absl::StatusOr<std::optional<Referral>> found =
      store.FindByRequest(claim("", "req-legacy", digest), deadline);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id(), "ref-legacy");
  found =
      store.FindByRequest(claim("user:test", "req-legacy", digest), deadline);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());

  Referral fresh = legacy;
  fresh.clear_id();
  absl::StatusOr<Referral> created = store.Create(
      claim("user:test", "req-legacy", digest), fresh, "user:test", deadline);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_NE(created->id(), "ref-legacy");
  absl::StatusOr<Referral> repeat = store.Create(
      claim("user:test", "req-legacy", digest), fresh, "user:test", deadline);
  ASSERT_TRUE(repeat.ok()) << repeat.status();
  EXPECT_EQ(repeat->id(), created->id());
  found = store.FindByRequest(
      claim("user:test", "req-legacy", std::string(64, 'b')), deadline);
  EXPECT_EQ(BadField(found.status()), "request_id") << found.status();

  absl::StatusOr<Referral> other = store.Create(
      claim("user:other", "req-legacy", digest), fresh, "user:other", deadline);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE(other->id(), created->id());
  EXPECT_NE(other->id(), "ref-legacy");
}

}  // namespace
}  // namespace referral_testing
}  // namespace cmc::referral
