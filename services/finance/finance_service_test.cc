// FinanceService's handlers through a real in-process gRPC server and a
// generated client, over in-memory stores and fixed memberships: the codes and
// fields a caller sees and what is stored. "Today" is 2026-07-01. The SQL is
// tested against MariaDB in tests/integration/finance_*.
#include "services/finance/finance_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/identity/principal.h"
#include "common/server/server.h"
#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::finance {
namespace {

const absl::CivilDay kToday(2026, 7, 1);

// com-1: the county hospital ins-lead and township centers ins-t1, ins-t2.
class FixedCommunities final : public CommunityDirectory {
 public:
  absl::StatusOr<std::set<std::string>> Members(const std::string& community_id,
                                                absl::Time) override {
    if (community_id == "com-1")
      return std::set<std::string>{"ins-lead", "ins-t1", "ins-t2"};
    if (community_id == "com-2") return std::set<std::string>{"ins-other"};
    return std::set<std::string>{};
  }
};

struct Caller {
  std::string subject = "user:admin";
  std::string roles = "community_admin";
  std::string scope = "county";
};
const Caller kCommunityAdmin = {"user:com", "community_admin",
                                "community:com-1"};
const Caller kOtherCommunity = {"user:com2", "community_admin",
                                "community:com-2"};
const Caller kMemberOfficer = {"user:t1", "finance_officer",
                               "institution:ins-t1"};
const Caller kInsurer = {"user:ins", "insurer", "community:com-1"};

using Stub = v1::FinanceService::Stub;

class FinanceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FinanceService::Stores stores;
    auto ledger = std::make_unique<InMemoryLedgerStore>();
    ledger_ = ledger.get();
    stores.budgets = std::make_unique<InMemoryBudgetStore>(ledger_);
    stores.internal = std::make_unique<InMemoryInternalStore>(ledger_);
    stores.ledger = std::move(ledger);
    auto claims = std::make_unique<InMemoryClaimStore>();
    claims_ = claims.get();
    stores.claims = std::move(claims);
    CallOptions call;
    call.clock = CountyClock::FixedDay(kToday);
    service_ = std::make_unique<FinanceService>(
        std::move(stores), std::make_unique<FixedCommunities>(), call);
    ServerOptions options;
    options.service_name = "finance";
    options.listen_host = "127.0.0.1";
    server_ = std::make_unique<Server>(options);
    server_->AddService(service_.get(), "cmc.finance.v1.FinanceService");
    ASSERT_TRUE(server_->Start().ok());
    stub_ = v1::FinanceService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
  }

  void TearDown() override { server_->Shutdown(); }

  static void Identify(grpc::ClientContext& context, const Caller& caller) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    context.AddMetadata(kSubjectHeader, caller.subject);
    context.AddMetadata(kRolesHeader, caller.roles);
    context.AddMetadata(kScopeHeader, caller.scope);
  }

  template <typename Request, typename Response, typename Rpc>
  absl::Status Call(Rpc rpc, const Request& request, Response* response,
                    const Caller& caller = Caller()) {
    grpc::ClientContext context;
    Identify(context, caller);
    return FromGrpcStatus((stub_.get()->*rpc)(&context, request, response));
  }

  // Streams `batches` to IngestClaims.
  absl::Status Ingest(const std::vector<v1::IngestClaimsRequest>& batches,
                      v1::IngestClaimsResponse* response,
                      const Caller& caller = Caller()) {
    grpc::ClientContext context;
    Identify(context, caller);
    auto writer = stub_->IngestClaims(&context, response);
    for (const auto& batch : batches) {
      if (!writer->Write(batch)) break;
    }
    writer->WritesDone();
    return FromGrpcStatus(writer->Finish());
  }

  static v1::JournalLine Line(const std::string& owner,
                              v1::AccountPurpose purpose, v1::Side side,
                              int64_t fen) {
    v1::JournalLine line;
    line.set_owner_id(owner);
    line.set_purpose(purpose);
    line.set_side(side);
    line.mutable_amount()->set_fen(fen);
    return line;
  }

  static v1::PostJournalEntryRequest Entry(const std::string& key, int64_t fen,
                                           const char* date = "2026-03-05") {
    v1::PostJournalEntryRequest r;
    v1::JournalEntry* e = r.mutable_entry();
    e->set_community_id("com-1");
    e->set_external_key(key);
    e->mutable_entry_date()->set_value(date);
    e->set_description("drug purchase");
    *e->add_lines() = Line("ins-t1", v1::ACCOUNT_PURPOSE_OPERATING_EXPENSE,
                           v1::SIDE_DEBIT, fen);
    *e->add_lines() =
        Line("ins-t1", v1::ACCOUNT_PURPOSE_BANK, v1::SIDE_CREDIT, fen);
    return r;
  }

  // Policy version 1 and a budget of 120,000,000 fen for com-1, 2026.
  void SetUpYear(int64_t budget_fen = 120'000'000) {
    v1::UpdateSettlementPolicyRequest p;
    v1::SettlementPolicy* policy = p.mutable_policy();
    policy->set_community_id("com-1");
    policy->set_year(2026);
    policy->set_prepay_ratio_bp(9000);
    policy->set_retention_ratio_bp(6000);
    policy->set_overspend_cap_bp(1000);
    policy->set_fund_share_bp(7000);
    policy->set_adjustment_fund_bp(500);
    policy->set_out_of_county_counts(true);
    policy->set_lead_institution_id("ins-lead");
    for (auto [id, w] : std::vector<std::pair<std::string, int64_t>>{
             {"ins-lead", 5}, {"ins-t1", 3}, {"ins-t2", 2}}) {
      v1::MemberWeight* weight = policy->add_weights();
      weight->set_institution_id(id);
      weight->set_weight(w);
    }
    v1::SettlementPolicy stored;
    ASSERT_TRUE(Call(&Stub::UpdateSettlementPolicy, p, &stored).ok());
    v1::SetAnnualBudgetRequest b;
    b.mutable_budget()->set_community_id("com-1");
    b.mutable_budget()->set_year(2026);
    b.mutable_budget()->mutable_amount()->set_fen(budget_fen);
    v1::AnnualBudget budget;
    ASSERT_TRUE(Call(&Stub::SetAnnualBudget, b, &budget).ok());
  }

  static v1::Claim Claim(const std::string& id, int64_t fund,
                         const char* day = "2026-03-09",
                         const std::string& institution = "ins-t1") {
    v1::Claim claim;
    claim.set_claim_id(id);
    claim.set_resident_id(
        MakeResidentId("360426", absl::CivilDay(1961, 5, 2), 17));
    if (institution.empty()) {
      claim.set_location(v1::CARE_LOCATION_OUT_OF_COUNTY);
      claim.set_external_institution_code("H36010200001");
    } else {
      claim.set_location(v1::CARE_LOCATION_IN_COUNTY);
      claim.set_institution_id(institution);
    }
    claim.set_care_type(v1::CARE_TYPE_OUTPATIENT);
    claim.mutable_start_date()->set_value(day);
    claim.mutable_end_date()->set_value(day);
    claim.mutable_total_cost()->set_fen(fund + 1000);
    claim.mutable_fund_paid()->set_fen(fund);
    claim.mutable_patient_paid()->set_fen(1000);
    claim.add_icd10_codes("J18.9");
    return claim;
  }

  static v1::IngestClaimsRequest Batch(std::vector<v1::Claim> claims,
                                       const std::string& community = "com-1") {
    v1::IngestClaimsRequest batch;
    batch.set_community_id(community);
    for (auto& c : claims) *batch.add_claims() = std::move(c);
    return batch;
  }

  InMemoryLedgerStore* ledger_ = nullptr;
  InMemoryClaimStore* claims_ = nullptr;
  std::unique_ptr<FinanceService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Stub> stub_;
};

void ExpectError(const absl::Status& status, absl::StatusCode code,
                 const std::string& field) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_EQ(BadField(status), field) << status;
}

// ---- Ledger ----

TEST_F(FinanceServiceTest, PostedEntryBalancesAndReplaysByExternalKey) {
  v1::JournalEntry first;
  ASSERT_TRUE(Call(&Stub::PostJournalEntry, Entry("his-1", 5000), &first).ok());
  EXPECT_EQ(first.id().rfind("jnl-", 0), 0u);
  EXPECT_EQ(first.source(), v1::ENTRY_SOURCE_MANUAL);
  v1::JournalEntry again;
  ASSERT_TRUE(Call(&Stub::PostJournalEntry, Entry("his-1", 5000), &again).ok());
  EXPECT_EQ(again.id(), first.id());
  EXPECT_EQ(ledger_->Entries().size(), 1u);
  ExpectError(Call(&Stub::PostJournalEntry, Entry("his-1", 6000), &again),
              absl::StatusCode::kAlreadyExists, "entry.external_key");

  v1::GetBalancesRequest b;
  b.set_owner_id("ins-t1");
  v1::GetBalancesResponse balances;
  ASSERT_TRUE(Call(&Stub::GetBalances, b, &balances).ok());
  ASSERT_EQ(balances.balances_size(), 2);
  EXPECT_EQ(balances.balances(0).purpose(), v1::ACCOUNT_PURPOSE_BANK);
  EXPECT_EQ(balances.balances(0).balance().fen(), -5000);
  EXPECT_EQ(balances.balances(1).balance().fen(), 5000);
  EXPECT_EQ(balances.total().fen(), 0);
}

TEST_F(FinanceServiceTest, PostJournalEntryErrors) {
  v1::JournalEntry out;
  v1::PostJournalEntryRequest unbalanced = Entry("k1", 5000);
  unbalanced.mutable_entry()->mutable_lines(1)->mutable_amount()->set_fen(4999);
  ExpectError(Call(&Stub::PostJournalEntry, unbalanced, &out),
              absl::StatusCode::kInvalidArgument, "entry.lines");
  v1::PostJournalEntryRequest stranger = Entry("k2", 5000);
  stranger.mutable_entry()->mutable_lines(1)->set_owner_id("ins-other");
  ExpectError(Call(&Stub::PostJournalEntry, stranger, &out),
              absl::StatusCode::kFailedPrecondition, "entry.lines[1].owner_id");
  v1::PostJournalEntryRequest unknown = Entry("k3", 5000);
  unknown.mutable_entry()->set_community_id("com-9");
  ExpectError(Call(&Stub::PostJournalEntry, unknown, &out),
              absl::StatusCode::kNotFound, "entry.community_id");
  ExpectError(
      Call(&Stub::PostJournalEntry, Entry("k4", 5000), &out, kOtherCommunity),
      absl::StatusCode::kPermissionDenied, "entry.community_id");
  ExpectError(
      Call(&Stub::PostJournalEntry, Entry("k5", 5000), &out, kMemberOfficer),
      absl::StatusCode::kPermissionDenied, "entry.community_id");
  EXPECT_TRUE(ledger_->Entries().empty());
}

TEST_F(FinanceServiceTest, ReversalMirrorsTheEntryOnce) {
  v1::JournalEntry original;
  ASSERT_TRUE(
      Call(&Stub::PostJournalEntry, Entry("his-1", 5000), &original).ok());
  v1::ReverseJournalEntryRequest r;
  r.set_entry_id(original.id());
  r.set_external_key("his-1-rev");
  r.mutable_entry_date()->set_value("2026-03-06");
  r.set_reason("posted twice by the HIS");
  v1::JournalEntry reversal;
  ASSERT_TRUE(Call(&Stub::ReverseJournalEntry, r, &reversal).ok());
  EXPECT_EQ(reversal.source(), v1::ENTRY_SOURCE_REVERSAL);
  EXPECT_EQ(reversal.reverses_entry_id(), original.id());
  EXPECT_EQ(reversal.lines(0).side(), v1::SIDE_CREDIT);
  v1::JournalEntry replay;
  ASSERT_TRUE(Call(&Stub::ReverseJournalEntry, r, &replay).ok());
  EXPECT_EQ(replay.id(), reversal.id());

  v1::GetJournalEntryRequest g;
  g.set_id(original.id());
  v1::JournalEntry reread;
  ASSERT_TRUE(Call(&Stub::GetJournalEntry, g, &reread).ok());
  EXPECT_EQ(reread.reversed_by_entry_id(), reversal.id());

  r.set_external_key("his-1-rev2");
  ExpectError(Call(&Stub::ReverseJournalEntry, r, &replay),
              absl::StatusCode::kFailedPrecondition, "entry_id");
  r.set_entry_id(reversal.id());
  r.set_external_key("his-1-rev3");
  ExpectError(Call(&Stub::ReverseJournalEntry, r, &replay),
              absl::StatusCode::kFailedPrecondition, "entry_id");
  r.set_entry_id("jnl-none");
  ExpectError(Call(&Stub::ReverseJournalEntry, r, &replay),
              absl::StatusCode::kNotFound, "entry_id");
  r.set_entry_id(original.id());
  r.mutable_entry_date()->set_value("2026-03-01");
  ExpectError(Call(&Stub::ReverseJournalEntry, r, &replay),
              absl::StatusCode::kInvalidArgument, "entry_date");

  v1::GetBalancesRequest b;
  b.set_owner_id("ins-t1");
  v1::GetBalancesResponse balances;
  ASSERT_TRUE(Call(&Stub::GetBalances, b, &balances).ok());
  for (const auto& balance : balances.balances()) {
    EXPECT_EQ(balance.balance().fen(), 0) << balance.purpose();
  }
}

TEST_F(FinanceServiceTest, StatementAndScopeOfAMembersAccounts) {
  v1::JournalEntry out;
  ASSERT_TRUE(
      Call(&Stub::PostJournalEntry, Entry("a", 100, "2026-02-27"), &out).ok());
  ASSERT_TRUE(
      Call(&Stub::PostJournalEntry, Entry("b", 200, "2026-03-02"), &out).ok());
  ASSERT_TRUE(
      Call(&Stub::PostJournalEntry, Entry("c", 300, "2026-03-30"), &out).ok());
  ASSERT_TRUE(
      Call(&Stub::PostJournalEntry, Entry("d", 400, "2026-04-01"), &out).ok());
  v1::GetAccountStatementRequest s;
  s.set_owner_id("ins-t1");
  s.set_purpose(v1::ACCOUNT_PURPOSE_BANK);
  s.mutable_period()->set_value("2026-03");
  s.mutable_page()->set_page_size(1);
  v1::AccountStatement statement;
  ASSERT_TRUE(
      Call(&Stub::GetAccountStatement, s, &statement, kMemberOfficer).ok());
  EXPECT_EQ(statement.opening_balance().fen(), -100);
  ASSERT_EQ(statement.lines_size(), 1);
  EXPECT_EQ(statement.lines(0).amount().fen(), 200);
  EXPECT_EQ(statement.lines(0).running_balance().fen(), -300);
  EXPECT_EQ(statement.period_credits().fen(), 500);
  EXPECT_EQ(statement.closing_balance().fen(), -600);
  ASSERT_FALSE(statement.page().next_page_token().empty());
  s.mutable_page()->set_page_token(statement.page().next_page_token());
  ASSERT_TRUE(
      Call(&Stub::GetAccountStatement, s, &statement, kMemberOfficer).ok());
  ASSERT_EQ(statement.lines_size(), 1);
  EXPECT_EQ(statement.lines(0).amount().fen(), 300);
  EXPECT_TRUE(statement.page().next_page_token().empty());

  s.set_owner_id("ins-t2");
  s.clear_page();
  ExpectError(Call(&Stub::GetAccountStatement, s, &statement, kMemberOfficer),
              absl::StatusCode::kPermissionDenied, "owner_id");
  s.set_purpose(v1::ACCOUNT_PURPOSE_UNSPECIFIED);
  ExpectError(Call(&Stub::GetAccountStatement, s, &statement),
              absl::StatusCode::kInvalidArgument, "purpose");
  v1::GetBalancesRequest b;
  b.set_owner_id("com-1");
  v1::GetBalancesResponse balances;
  ExpectError(Call(&Stub::GetBalances, b, &balances, kMemberOfficer),
              absl::StatusCode::kPermissionDenied, "owner_id");
  EXPECT_TRUE(Call(&Stub::GetBalances, b, &balances, kCommunityAdmin).ok());
}

// ---- Policy, budget, prepayments ----

TEST_F(FinanceServiceTest, PolicyVersionsAndErrors) {
  SetUpYear();
  v1::GetSettlementPolicyRequest g;
  g.set_community_id("com-1");
  g.set_year(2026);
  v1::SettlementPolicy policy;
  ASSERT_TRUE(Call(&Stub::GetSettlementPolicy, g, &policy).ok());
  EXPECT_EQ(policy.version(), 1);
  v1::UpdateSettlementPolicyRequest u;
  *u.mutable_policy() = policy;
  u.mutable_policy()->set_version(0);
  ExpectError(Call(&Stub::UpdateSettlementPolicy, u, &policy),
              absl::StatusCode::kAborted, "policy.version");
  u.mutable_policy()->set_version(1);
  u.mutable_policy()->set_retention_ratio_bp(10001);
  ExpectError(Call(&Stub::UpdateSettlementPolicy, u, &policy),
              absl::StatusCode::kInvalidArgument, "policy.retention_ratio_bp");
  u.mutable_policy()->set_retention_ratio_bp(5000);
  u.mutable_policy()->mutable_weights(2)->set_institution_id("ins-other");
  ExpectError(Call(&Stub::UpdateSettlementPolicy, u, &policy),
              absl::StatusCode::kFailedPrecondition,
              "policy.weights[2].institution_id");
  u.mutable_policy()->mutable_weights(2)->set_institution_id("ins-t2");
  u.mutable_policy()->set_lead_institution_id("ins-x");
  ExpectError(Call(&Stub::UpdateSettlementPolicy, u, &policy),
              absl::StatusCode::kInvalidArgument, "policy.lead_institution_id");
  u.mutable_policy()->set_lead_institution_id("ins-lead");
  ExpectError(Call(&Stub::UpdateSettlementPolicy, u, &policy, kInsurer),
              absl::StatusCode::kOk, "");
  EXPECT_EQ(policy.version(), 2);
  g.set_version(7);
  ExpectError(Call(&Stub::GetSettlementPolicy, g, &policy),
              absl::StatusCode::kNotFound, "version");
  g.set_version(0);
  g.set_year(2025);
  ExpectError(Call(&Stub::GetSettlementPolicy, g, &policy),
              absl::StatusCode::kNotFound, "year");
}

TEST_F(FinanceServiceTest, PrepaymentsAreIdempotentPerMonthAndAddUp) {
  v1::GenerateMonthlyPrepaymentRequest r;
  r.set_community_id("com-1");
  r.mutable_month()->set_value("2026-01");
  v1::Prepayment prepayment;
  ExpectError(Call(&Stub::GenerateMonthlyPrepayment, r, &prepayment),
              absl::StatusCode::kFailedPrecondition, "month");
  SetUpYear(1'000'001);
  for (int m = 1; m <= 12; ++m) {
    r.mutable_month()->set_value(absl::StrCat("2026-", m < 10 ? "0" : "", m));
    ASSERT_TRUE(Call(&Stub::GenerateMonthlyPrepayment, r, &prepayment).ok());
    EXPECT_EQ(prepayment.amount().fen(), 75'000) << m;
    EXPECT_EQ(prepayment.policy_version(), 1);
  }
  ASSERT_TRUE(Call(&Stub::GenerateMonthlyPrepayment, r, &prepayment).ok());
  EXPECT_EQ(ledger_->Entries().size(), 12u);
  v1::ListPrepaymentsRequest l;
  l.set_community_id("com-1");
  l.set_year(2026);
  v1::ListPrepaymentsResponse list;
  ASSERT_TRUE(Call(&Stub::ListPrepayments, l, &list).ok());
  EXPECT_EQ(list.prepayments_size(), 12);
  EXPECT_EQ(list.total().fen(), 900'000);
  r.mutable_month()->set_value("2026");
  ExpectError(Call(&Stub::GenerateMonthlyPrepayment, r, &prepayment),
              absl::StatusCode::kInvalidArgument, "month");
  // The budget's amount stays once prepayments exist.
  v1::SetAnnualBudgetRequest b;
  b.mutable_budget()->set_community_id("com-1");
  b.mutable_budget()->set_year(2026);
  b.mutable_budget()->set_version(1);
  b.mutable_budget()->mutable_amount()->set_fen(5);
  v1::AnnualBudget budget;
  ExpectError(Call(&Stub::SetAnnualBudget, b, &budget),
              absl::StatusCode::kFailedPrecondition, "budget.year");
  v1::GetBalancesRequest bal;
  bal.set_owner_id("com-1");
  bal.mutable_as_of()->set_value("2026-12-31");
  v1::GetBalancesResponse balances;
  ASSERT_TRUE(Call(&Stub::GetBalances, bal, &balances).ok());
  EXPECT_EQ(balances.balances(0).purpose(), v1::ACCOUNT_PURPOSE_BANK);
  EXPECT_EQ(balances.balances(0).balance().fen(), 900'000);
}

// ---- Claims ----

TEST_F(FinanceServiceTest, IngestIsIdempotentAndReportsConflictsAndBadRows) {
  v1::IngestClaimsResponse response;
  ASSERT_TRUE(Ingest({Batch({Claim("c1", 100), Claim("c2", 200)}),
                      Batch({Claim("c3", 300, "2026-04-02", "")})},
                     &response)
                  .ok());
  EXPECT_EQ(response.inserted(), 3);
  EXPECT_EQ(response.batches_applied(), 2);
  // One FundSpending per (location, institution, month), not per claim.
  EXPECT_EQ(claims_->Announced().size(), 2u);

  v1::Claim changed = Claim("c2", 250);
  changed.add_icd10_codes("I10");
  v1::Claim bad = Claim("c5", 10);
  bad.mutable_fund_paid()->set_fen(-1);
  ASSERT_TRUE(
      Ingest({Batch({Claim("c1", 100), Claim("c4", 5)}),
              Batch({Claim("c6", 7), changed}), Batch({Claim("c7", 7), bad}),
              Batch({Claim("c8", 7, "2026-03-09", "ins-other")})},
             &response)
          .ok());
  EXPECT_EQ(response.inserted(), 1);    // c4
  EXPECT_EQ(response.duplicates(), 1);  // c1
  EXPECT_EQ(response.batches(), 4);
  EXPECT_EQ(response.batches_applied(), 1);
  EXPECT_EQ(response.rejected(), 5);
  ASSERT_EQ(response.conflicts_size(), 1);
  EXPECT_EQ(response.conflicts(0).index(), 3);
  EXPECT_EQ(response.conflicts(0).claim_id(), "c2");
  EXPECT_EQ(
      std::vector<std::string>(response.conflicts(0).fields().begin(),
                               response.conflicts(0).fields().end()),
      (std::vector<std::string>{"total_cost", "fund_paid", "icd10_codes"}));
  ASSERT_EQ(response.errors_size(), 2);
  EXPECT_EQ(response.errors(0).index(), 5);
  EXPECT_EQ(response.errors(0).field(), "claims[5].fund_paid");
  EXPECT_EQ(response.errors(0).code(), "INVALID_ARGUMENT");
  EXPECT_EQ(response.errors(1).field(), "claims[6].institution_id");
  EXPECT_EQ(response.errors(1).code(), "FAILED_PRECONDITION");

  v1::ListClaimsRequest l;
  l.set_community_id("com-1");
  v1::ListClaimsResponse list;
  ASSERT_TRUE(Call(&Stub::ListClaims, l, &list).ok());
  EXPECT_EQ(list.claims_size(), 4);  // c1 c2 c3 c4; c6 and c7 rolled back

  ExpectError(
      Ingest({Batch({Claim("c9", 1)}, "com-2")}, &response, kCommunityAdmin),
      absl::StatusCode::kPermissionDenied, "community_id");
  ExpectError(Ingest({Batch({Claim("c9", 1)}, "bad")}, &response),
              absl::StatusCode::kInvalidArgument, "community_id");
}

TEST_F(FinanceServiceTest, ResidentIdsMaskedUnlessInsurerOfTheCommunity) {
  v1::IngestClaimsResponse response;
  ASSERT_TRUE(Ingest({Batch({Claim("c1", 100), Claim("c2", 5, "2026-05-01")})},
                     &response)
                  .ok());
  const std::string full = Claim("c1", 100).resident_id();
  v1::ListClaimsRequest l;
  l.set_community_id("com-1");
  l.mutable_period()->set_value("2026-03");
  v1::ListClaimsResponse list;
  ASSERT_TRUE(Call(&Stub::ListClaims, l, &list, kCommunityAdmin).ok());
  ASSERT_EQ(list.claims_size(), 1);
  EXPECT_EQ(list.claims(0).resident_id(), MaskResidentId(full));
  EXPECT_TRUE(list.claims(0).resident_id_masked());
  ASSERT_TRUE(Call(&Stub::ListClaims, l, &list, kInsurer).ok());
  EXPECT_EQ(list.claims(0).resident_id(), full);
  EXPECT_FALSE(list.claims(0).resident_id_masked());
  ExpectError(Call(&Stub::ListClaims, l, &list, kMemberOfficer),
              absl::StatusCode::kPermissionDenied, "community_id");
}

// ---- Settlement ----

TEST_F(FinanceServiceTest, ComputeEqualsFinalizeAndFinalizingTwiceFails) {
  SetUpYear();
  v1::GenerateMonthlyPrepaymentRequest p;
  p.set_community_id("com-1");
  v1::Prepayment prepayment;
  for (int m = 1; m <= 12; ++m) {
    p.mutable_month()->set_value(absl::StrCat("2026-", m < 10 ? "0" : "", m));
    ASSERT_TRUE(Call(&Stub::GenerateMonthlyPrepayment, p, &prepayment).ok());
  }
  v1::IngestClaimsResponse ingested;
  ASSERT_TRUE(Ingest({Batch({Claim("c1", 100'000'000),
                             Claim("c2", 10'000'000, "2026-06-01", "")})},
                     &ingested)
                  .ok());
  v1::ComputeSettlementRequest c;
  c.set_community_id("com-1");
  c.set_year(2026);
  c.set_assessment_score_hundredths(9000);
  v1::YearEndSettlement computed;
  ASSERT_TRUE(Call(&Stub::ComputeSettlement, c, &computed, kInsurer).ok());
  EXPECT_EQ(computed.status(), v1::SETTLEMENT_STATUS_COMPUTED);
  EXPECT_EQ(computed.policy_version(), 1);
  EXPECT_EQ(computed.attributable().fen(), 110'000'000);
  EXPECT_EQ(computed.prepaid().fen(), 108'000'000);
  EXPECT_EQ(computed.retained().fen(), 6'000'000);  // no steps: factor 100%
  EXPECT_EQ(computed.final_payment().fen(), 8'000'000);
  ASSERT_EQ(computed.shares_size(), 3);
  EXPECT_EQ(computed.shares(0).amount().fen(), 4'000'000);
  EXPECT_EQ(computed.claim_count(), 2);

  v1::ComputeSettlementRequest what_if = c;
  what_if.mutable_what_if()->mutable_retention_ratio_bp()->set_value(0);
  v1::YearEndSettlement hypothetical;
  ASSERT_TRUE(Call(&Stub::ComputeSettlement, what_if, &hypothetical).ok());
  EXPECT_TRUE(hypothetical.what_if());
  EXPECT_EQ(hypothetical.final_payment().fen(), 2'000'000);
  what_if.mutable_what_if()->mutable_fund_share_bp()->set_value(20000);
  ExpectError(Call(&Stub::ComputeSettlement, what_if, &hypothetical),
              absl::StatusCode::kInvalidArgument, "what_if.fund_share_bp");

  v1::FinalizeSettlementRequest f;
  f.set_community_id("com-1");
  f.set_year(2026);
  f.set_assessment_score_hundredths(9000);
  f.set_expected_policy_version(2);
  v1::YearEndSettlement finalized;
  ExpectError(Call(&Stub::FinalizeSettlement, f, &finalized),
              absl::StatusCode::kAborted, "expected_policy_version");
  f.set_expected_policy_version(1);
  ExpectError(Call(&Stub::FinalizeSettlement, f, &finalized, kMemberOfficer),
              absl::StatusCode::kPermissionDenied, "community_id");
  ASSERT_TRUE(Call(&Stub::FinalizeSettlement, f, &finalized).ok());
  EXPECT_EQ(finalized.status(), v1::SETTLEMENT_STATUS_FINALIZED);
  EXPECT_EQ(finalized.final_payment().fen(), computed.final_payment().fen());
  EXPECT_EQ(finalized.shares(2).amount().fen(),
            computed.shares(2).amount().fen());
  EXPECT_FALSE(finalized.journal_entry_id().empty());
  ExpectError(Call(&Stub::FinalizeSettlement, f, &finalized),
              absl::StatusCode::kFailedPrecondition, "year");

  // The year is locked: claims, budget and prepayments cannot change it.
  v1::IngestClaimsResponse late;
  ASSERT_TRUE(Ingest({Batch({Claim("c9", 5)})}, &late).ok());
  ASSERT_EQ(late.errors_size(), 1);
  EXPECT_EQ(late.errors(0).field(), "claims[0].end_date");
  v1::SetAnnualBudgetRequest b;
  b.mutable_budget()->set_community_id("com-1");
  b.mutable_budget()->set_year(2026);
  b.mutable_budget()->set_version(1);
  v1::AnnualBudget budget;
  ExpectError(Call(&Stub::SetAnnualBudget, b, &budget),
              absl::StatusCode::kFailedPrecondition, "budget.year");
  ASSERT_TRUE(Call(&Stub::ComputeSettlement, c, &computed).ok());
  EXPECT_EQ(computed.id(), finalized.id());

  // The settlement entry: the community's receivable against the shares.
  v1::GetBalancesRequest bal;
  bal.set_owner_id("ins-t2");
  bal.mutable_as_of()->set_value("2026-12-31");
  v1::GetBalancesResponse balances;
  ASSERT_TRUE(Call(&Stub::GetBalances, bal, &balances).ok());
  ASSERT_EQ(balances.balances_size(), 1);
  EXPECT_EQ(balances.balances(0).purpose(),
            v1::ACCOUNT_PURPOSE_INSURANCE_SETTLEMENT);
  EXPECT_EQ(balances.balances(0).balance().fen(), -1'600'000);

  v1::ExplainSettlementRequest e;
  e.set_community_id("com-1");
  e.set_year(2026);
  v1::SettlementExplanation explanation;
  ASSERT_TRUE(Call(&Stub::ExplainSettlement, e, &explanation).ok());
  EXPECT_EQ(explanation.settlement().id(), finalized.id());
  EXPECT_EQ(explanation.prepayments_size(), 12);
  ASSERT_EQ(explanation.spending_size(), 2);
  int64_t fund = 0;
  for (const auto& row : explanation.spending()) fund += row.fund_paid().fen();
  EXPECT_EQ(fund, finalized.attributable().fen());
  EXPECT_EQ(explanation.steps(explanation.steps_size() - 1).value().fen(),
            finalized.final_payment().fen());
}

TEST_F(FinanceServiceTest, SettlementNeedsBudgetAndPolicy) {
  v1::ComputeSettlementRequest c;
  c.set_community_id("com-1");
  c.set_year(2026);
  v1::YearEndSettlement s;
  ExpectError(Call(&Stub::ComputeSettlement, c, &s),
              absl::StatusCode::kFailedPrecondition, "year");
  c.set_assessment_score_hundredths(10001);
  ExpectError(Call(&Stub::ComputeSettlement, c, &s),
              absl::StatusCode::kInvalidArgument,
              "assessment_score_hundredths");
}

TEST_F(FinanceServiceTest, BudgetExecutionProjectsTheYear) {
  SetUpYear();
  v1::GenerateMonthlyPrepaymentRequest p;
  p.set_community_id("com-1");
  p.mutable_month()->set_value("2026-01");
  v1::Prepayment prepayment;
  ASSERT_TRUE(Call(&Stub::GenerateMonthlyPrepayment, p, &prepayment).ok());
  v1::IngestClaimsResponse ingested;
  ASSERT_TRUE(Ingest({Batch({Claim("c1", 36'500'000, "2026-02-01"),
                             Claim("c2", 1'000, "2026-12-01")})},
                     &ingested)
                  .ok());
  v1::GetBudgetExecutionRequest r;
  r.set_community_id("com-1");
  r.mutable_as_of()->set_value("2026-03-01");  // day 60 of 365
  v1::BudgetExecution execution;
  ASSERT_TRUE(Call(&Stub::GetBudgetExecution, r, &execution, kInsurer).ok());
  EXPECT_EQ(execution.prepaid().fen(), 9'000'000);
  EXPECT_EQ(execution.spent_in_county().fen(), 36'500'000);
  EXPECT_EQ(execution.attributable().fen(), 36'500'000);
  EXPECT_EQ(execution.projected_attributable().fen(), 222'041'666);
  EXPECT_EQ(execution.projected_settlement().prepaid().fen(), 108'000'000);
  EXPECT_EQ(execution.policy_version(), 1);
  r.mutable_as_of()->set_value("2025-03-01");
  ExpectError(Call(&Stub::GetBudgetExecution, r, &execution),
              absl::StatusCode::kFailedPrecondition, "as_of");
}

// ---- Internal settlement ----

TEST_F(FinanceServiceTest, InternalStatementsNetAndPostOnce) {
  v1::UpdatePriceListRequest u;
  v1::PriceList* list = u.mutable_price_list();
  list->set_community_id("com-1");
  list->mutable_effective_from()->set_value("2026-01-01");
  v1::PriceItem* ecg = list->add_items();
  ecg->set_item(v1::SERVICE_ITEM_ECG_READ);
  ecg->mutable_price()->set_fen(3000);
  ecg->set_center_share_bp(6000);
  v1::PriceItem* lab = list->add_items();
  lab->set_item(v1::SERVICE_ITEM_LAB_TEST);
  lab->mutable_price()->set_fen(3333);
  lab->set_center_share_bp(5000);
  v1::PriceList stored;
  ASSERT_TRUE(Call(&Stub::UpdatePriceList, u, &stored).ok());
  EXPECT_EQ(stored.version(), 1);
  ExpectError(Call(&Stub::UpdatePriceList, u, &stored),
              absl::StatusCode::kAborted, "price_list.version");
  u.mutable_price_list()->mutable_items(1)->set_item(v1::SERVICE_ITEM_ECG_READ);
  ExpectError(Call(&Stub::UpdatePriceList, u, &stored),
              absl::StatusCode::kInvalidArgument, "price_list.items");

  auto record = [](const std::string& request_id, v1::ServiceItem item,
                   const std::string& requester, const std::string& center,
                   int quantity) {
    v1::CreateServiceRecordRequest r;
    r.set_request_id(request_id);
    v1::ServiceRecord* rec = r.mutable_record();
    rec->set_community_id("com-1");
    rec->set_item(item);
    rec->set_requesting_institution_id(requester);
    rec->set_center_institution_id(center);
    rec->mutable_date()->set_value("2026-05-20");
    rec->set_quantity(quantity);
    return r;
  };
  v1::ServiceRecord created, again;
  // ins-lead reads ECGs for ins-t1 (3 x 30.00 x 60% = 54.00).
  auto ecg_reads =
      record("r1", v1::SERVICE_ITEM_ECG_READ, "ins-t1", "ins-lead", 3);
  ASSERT_TRUE(Call(&Stub::CreateServiceRecord, ecg_reads, &created).ok());
  EXPECT_EQ(created.amount().fen(), 5400);
  EXPECT_EQ(created.price_list_version(), 1);
  ASSERT_TRUE(Call(&Stub::CreateServiceRecord, ecg_reads, &again).ok());
  EXPECT_EQ(again.id(), created.id());
  ecg_reads.mutable_record()->set_quantity(4);
  ExpectError(Call(&Stub::CreateServiceRecord, ecg_reads, &again),
              absl::StatusCode::kInvalidArgument, "request_id");
  // ins-t1 runs a lab test for ins-lead (floor(33.33 x 50%) = 16.66).
  ASSERT_TRUE(
      Call(&Stub::CreateServiceRecord,
           record("r2", v1::SERVICE_ITEM_LAB_TEST, "ins-lead", "ins-t1", 1),
           &created)
          .ok());
  EXPECT_EQ(created.amount().fen(), 1666);
  ExpectError(
      Call(&Stub::CreateServiceRecord,
           record("r3", v1::SERVICE_ITEM_PATHOLOGY, "ins-t1", "ins-lead", 1),
           &created),
      absl::StatusCode::kFailedPrecondition, "record.date");
  ExpectError(
      Call(&Stub::CreateServiceRecord,
           record("r4", v1::SERVICE_ITEM_ECG_READ, "ins-t1", "ins-other", 1),
           &created),
      absl::StatusCode::kFailedPrecondition, "record.center_institution_id");

  v1::GetInternalStatementRequest g;
  g.set_institution_id("ins-t1");
  g.set_community_id("com-1");
  g.mutable_month()->set_value("2026-05");
  v1::InternalStatement statement;
  ASSERT_TRUE(
      Call(&Stub::GetInternalStatement, g, &statement, kMemberOfficer).ok());
  EXPECT_EQ(statement.owes().fen(), 5400);
  EXPECT_EQ(statement.owed().fen(), 1666);
  EXPECT_EQ(statement.net().fen(), -3734);
  EXPECT_FALSE(statement.posted());
  g.set_institution_id("ins-lead");
  ExpectError(Call(&Stub::GetInternalStatement, g, &statement, kMemberOfficer),
              absl::StatusCode::kPermissionDenied, "institution_id");

  v1::ListServiceRecordsRequest l;
  l.set_community_id("com-1");
  v1::ListServiceRecordsResponse records;
  ASSERT_TRUE(
      Call(&Stub::ListServiceRecords, l, &records, kMemberOfficer).ok());
  EXPECT_EQ(records.records_size(), 2);
  l.set_institution_id("ins-t2");
  ExpectError(Call(&Stub::ListServiceRecords, l, &records, kMemberOfficer),
              absl::StatusCode::kPermissionDenied, "institution_id");

  v1::PostInternalStatementsRequest p;
  p.set_community_id("com-1");
  p.mutable_month()->set_value("2026-07");
  v1::InternalStatementBatch batch;
  ExpectError(Call(&Stub::PostInternalStatements, p, &batch),
              absl::StatusCode::kFailedPrecondition, "month");
  p.mutable_month()->set_value("2026-05");
  ASSERT_TRUE(Call(&Stub::PostInternalStatements, p, &batch).ok());
  EXPECT_EQ(batch.statements_size(), 2);
  EXPECT_FALSE(batch.journal_entry_id().empty());
  v1::InternalStatementBatch replay;
  ASSERT_TRUE(Call(&Stub::PostInternalStatements, p, &replay).ok());
  EXPECT_EQ(replay.journal_entry_id(), batch.journal_entry_id());
  EXPECT_EQ(ledger_->Entries().size(), 1u);
  ExpectError(
      Call(&Stub::CreateServiceRecord,
           record("r5", v1::SERVICE_ITEM_ECG_READ, "ins-t1", "ins-lead", 1),
           &created),
      absl::StatusCode::kFailedPrecondition, "record.date");

  v1::GetBalancesRequest b;
  b.set_owner_id("ins-lead");
  v1::GetBalancesResponse balances;
  ASSERT_TRUE(Call(&Stub::GetBalances, b, &balances).ok());
  ASSERT_EQ(balances.balances_size(), 1);
  EXPECT_EQ(balances.balances(0).purpose(),
            v1::ACCOUNT_PURPOSE_INTERNAL_RECEIVABLE);
  EXPECT_EQ(balances.balances(0).balance().fen(), 3734);
}

}  // namespace
}  // namespace cmc::finance
