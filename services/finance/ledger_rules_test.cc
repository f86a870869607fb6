#include "services/finance/ledger_rules.h"

#include <functional>
#include <map>
#include <random>
#include <string>

#include "common/status.h"
#include "gtest/gtest.h"

namespace cmc::finance {
namespace {

v1::JournalLine Line(std::string owner, v1::AccountPurpose purpose,
                     v1::Side side, int64_t fen) {
  v1::JournalLine line;
  line.set_owner_id(owner);
  line.set_purpose(purpose);
  line.set_side(side);
  line.mutable_amount()->set_fen(fen);
  return line;
}

v1::JournalEntry ValidEntry() {
  v1::JournalEntry entry;
  entry.set_community_id("com-1");
  entry.set_external_key("his:2026-03:0001");
  entry.mutable_entry_date()->set_value("2026-03-31");
  entry.set_description("March drug purchases");
  *entry.add_lines() = Line("ins-a", v1::ACCOUNT_PURPOSE_OPERATING_EXPENSE,
                            v1::SIDE_DEBIT, 70'000);
  *entry.add_lines() = Line("ins-a", v1::ACCOUNT_PURPOSE_OPERATING_EXPENSE,
                            v1::SIDE_DEBIT, 30'000);
  *entry.add_lines() =
      Line("ins-a", v1::ACCOUNT_PURPOSE_BANK, v1::SIDE_CREDIT, 100'000);
  return entry;
}

TEST(CheckJournalEntry, NamesTheBadField) {
  struct Case {
    std::string name;
    std::function<void(v1::JournalEntry&)> mutate;
    std::string field;
  } cases[] = {
      {"community", [](v1::JournalEntry& e) { e.set_community_id("x"); },
       "entry.community_id"},
      {"key empty", [](v1::JournalEntry& e) { e.clear_external_key(); },
       "entry.external_key"},
      {"key chars", [](v1::JournalEntry& e) { e.set_external_key("a b"); },
       "entry.external_key"},
      {"key reserved",
       [](v1::JournalEntry& e) { e.set_external_key("settlement:com-1:2026"); },
       "entry.external_key"},
      {"no date", [](v1::JournalEntry& e) { e.clear_entry_date(); },
       "entry.entry_date"},
      {"bad date",
       [](v1::JournalEntry& e) {
         e.mutable_entry_date()->set_value("2026-02-30");
       },
       "entry.entry_date"},
      {"description", [](v1::JournalEntry& e) { e.clear_description(); },
       "entry.description"},
      {"one line",
       [](v1::JournalEntry& e) { e.mutable_lines()->DeleteSubrange(1, 2); },
       "entry.lines"},
      {"owner",
       [](v1::JournalEntry& e) { e.mutable_lines(1)->set_owner_id("stf-1"); },
       "entry.lines[1].owner_id"},
      {"purpose",
       [](v1::JournalEntry& e) {
         e.mutable_lines(2)->set_purpose(v1::ACCOUNT_PURPOSE_UNSPECIFIED);
       },
       "entry.lines[2].purpose"},
      {"side",
       [](v1::JournalEntry& e) {
         e.mutable_lines(0)->set_side(v1::SIDE_UNSPECIFIED);
       },
       "entry.lines[0].side"},
      {"zero amount",
       [](v1::JournalEntry& e) {
         e.mutable_lines(0)->mutable_amount()->set_fen(0);
       },
       "entry.lines[0].amount"},
      {"negative amount",
       [](v1::JournalEntry& e) {
         e.mutable_lines(2)->mutable_amount()->set_fen(-5);
       },
       "entry.lines[2].amount"},
      {"unbalanced",
       [](v1::JournalEntry& e) {
         e.mutable_lines(2)->mutable_amount()->set_fen(99'999);
       },
       "entry.lines"},
  };
  for (const Case& c : cases) {
    v1::JournalEntry entry = ValidEntry();
    c.mutate(entry);
    absl::Status status = CheckJournalEntry(entry, "entry");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(BadField(status), c.field) << c.name << ": " << status;
  }
  EXPECT_TRUE(CheckJournalEntry(ValidEntry(), "entry").ok());
}

TEST(CheckJournalEntry, UnbalancedMessageGivesBothTotals) {
  v1::JournalEntry entry = ValidEntry();
  entry.mutable_lines(2)->mutable_amount()->set_fen(99'999);
  absl::Status status = CheckJournalEntry(entry, "entry");
  EXPECT_NE(status.message().find("100000"), absl::string_view::npos) << status;
  EXPECT_NE(status.message().find("99999"), absl::string_view::npos) << status;
}

TEST(Ledger, RandomBalancedEntriesKeepTheBooksAtZeroAndReversalsUndoThem) {
  std::mt19937_64 rng(13);
  std::map<AccountKey, AccountTotals> totals;
  std::vector<v1::JournalEntry> posted;
  const std::string owners[] = {"com-1", "ins-a", "ins-b"};
  for (int round = 0; round < 500; ++round) {
    v1::JournalEntry entry;
    int64_t debit_total = 0;
    int debits = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < debits; ++i) {
      int64_t fen = 1 + static_cast<int64_t>(rng() % 10'000'000);
      debit_total += fen;
      *entry.add_lines() = Line(owners[rng() % 3],
                                static_cast<v1::AccountPurpose>(1 + rng() % 10),
                                v1::SIDE_DEBIT, fen);
    }
    // Credits split the debit total in up to three random parts.
    int64_t left = debit_total;
    while (left > 0) {
      int64_t fen = left == 1 ? 1 : 1 + static_cast<int64_t>(rng() % left);
      if (entry.lines_size() > debits + 1) fen = left;
      *entry.add_lines() = Line(owners[rng() % 3],
                                static_cast<v1::AccountPurpose>(1 + rng() % 10),
                                v1::SIDE_CREDIT, fen);
      left -= fen;
    }
    ASSERT_TRUE(CheckBalanced(entry.lines()).ok()) << round;
    Accumulate(entry, totals);
    posted.push_back(entry);
    int64_t sum = 0;
    for (const auto& [key, t] : totals) sum += t.balance();
    ASSERT_EQ(sum, 0) << "round " << round;
  }
  for (const v1::JournalEntry& entry : posted) {
    v1::JournalEntry reversal;
    for (v1::JournalLine& line : ReversalLines(entry)) {
      *reversal.add_lines() = std::move(line);
    }
    ASSERT_TRUE(CheckBalanced(reversal.lines()).ok());
    Accumulate(reversal, totals);
  }
  for (const auto& [key, t] : totals) {
    EXPECT_EQ(t.balance(), 0) << key.first << " " << key.second;
  }
}

TEST(SignedLine, Table) {
  struct Case {
    int64_t amount;
    bool debit_when_positive;
    v1::Side side;
    int64_t fen;
  } cases[] = {
      {500, true, v1::SIDE_DEBIT, 500},
      {-500, true, v1::SIDE_CREDIT, 500},
      {500, false, v1::SIDE_CREDIT, 500},
      {-1, false, v1::SIDE_DEBIT, 1},
  };
  for (const Case& c : cases) {
    v1::JournalLine line = SignedLine("com-1", v1::ACCOUNT_PURPOSE_BANK,
                                      c.amount, c.debit_when_positive, "");
    EXPECT_EQ(line.side(), c.side) << c.amount;
    EXPECT_EQ(line.amount().fen(), c.fen) << c.amount;
  }
}

}  // namespace
}  // namespace cmc::finance
