#include "services/finance/ledger_rules.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::finance {
namespace {

bool IsKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
}

bool IsOwnerId(absl::string_view id) {
  return (absl::StartsWith(id, "com-") || absl::StartsWith(id, "ins-")) &&
         id.size() > 4 && id.size() <= 64;
}

}  // namespace

absl::Status CheckExternalKey(absl::string_view key, absl::string_view field) {
  if (key.empty() || key.size() > 64) {
    return InvalidField(field, "must be 1-64 characters");
  }
  for (char c : key) {
    if (!IsKeyChar(c)) {
      return InvalidField(field, "allowed characters are [A-Za-z0-9._:-]");
    }
  }
  return absl::OkStatus();
}

bool IsReservedExternalKey(absl::string_view key) {
  for (absl::string_view prefix :
       {"prepayment:", "settlement:", "internal:", "subsidy:"}) {
    if (absl::StartsWith(key, prefix)) return true;
  }
  return false;
}

absl::Status CheckJournalEntry(const v1::JournalEntry& entry,
                               absl::string_view prefix) {
  auto field = [&](absl::string_view name) {
    return absl::StrCat(prefix, ".", name);
  };
  if (!absl::StartsWith(entry.community_id(), "com-") ||
      entry.community_id().size() > 64) {
    return InvalidField(field("community_id"), "must be a community id");
  }
  CMC_RETURN_IF_ERROR(
      CheckExternalKey(entry.external_key(), field("external_key")));
  if (IsReservedExternalKey(entry.external_key())) {
    return InvalidField(field("external_key"),
                        "this prefix is reserved for the service");
  }
  if (entry.entry_date().value().empty()) {
    return InvalidField(field("entry_date"), "is required");
  }
  CMC_RETURN_IF_ERROR(
      ParseCivilDate(entry.entry_date().value(), field("entry_date")).status());
  if (entry.description().empty() || entry.description().size() > 200) {
    return InvalidField(field("description"), "must be 1-200 characters");
  }
  if (entry.lines_size() < 2) {
    return InvalidField(field("lines"), "needs at least two lines");
  }
  for (int i = 0; i < entry.lines_size(); ++i) {
    const v1::JournalLine& line = entry.lines(i);
    std::string at = field(absl::StrCat("lines[", i, "]"));
    if (!IsOwnerId(line.owner_id())) {
      return InvalidField(absl::StrCat(at, ".owner_id"),
                          "must be a community or institution id");
    }
    if (line.purpose() == v1::ACCOUNT_PURPOSE_UNSPECIFIED ||
        !v1::AccountPurpose_IsValid(line.purpose())) {
      return InvalidField(absl::StrCat(at, ".purpose"), "is required");
    }
    if (line.side() == v1::SIDE_UNSPECIFIED || !v1::Side_IsValid(line.side())) {
      return InvalidField(absl::StrCat(at, ".side"), "is required");
    }
    if (line.amount().fen() <= 0) {
      return InvalidField(absl::StrCat(at, ".amount"), "must be positive");
    }
    if (line.memo().size() > 200) {
      return InvalidField(absl::StrCat(at, ".memo"), "at most 200 characters");
    }
  }
  absl::Status balanced = CheckBalanced(entry.lines());
  if (!balanced.ok()) {
    return InvalidField(field("lines"), balanced.message());
  }
  return absl::OkStatus();
}

absl::Status CheckBalanced(
    const google::protobuf::RepeatedPtrField<v1::JournalLine>& lines) {
  if (lines.size() < 2)
    return InvalidField("lines", "needs at least two lines");
  // Each amount is positive and below 2^63; the sums are kept in 128 bits so
  // that no set of lines can overflow into a false balance.
  __int128 debits = 0;
  __int128 credits = 0;
  for (const v1::JournalLine& line : lines) {
    if (line.amount().fen() <= 0) {
      return InvalidField("lines", "every amount must be positive");
    }
    if (line.side() == v1::SIDE_DEBIT) {
      debits += line.amount().fen();
    } else if (line.side() == v1::SIDE_CREDIT) {
      credits += line.amount().fen();
    } else {
      return InvalidField("lines", "every line needs a side");
    }
  }
  if (debits != credits) {
    return InvalidField("lines",
                        absl::StrCat("debits ", static_cast<int64_t>(debits),
                                     " fen differ from credits ",
                                     static_cast<int64_t>(credits), " fen"));
  }
  return absl::OkStatus();
}

std::vector<v1::JournalLine> ReversalLines(const v1::JournalEntry& entry) {
  std::vector<v1::JournalLine> out;
  for (const v1::JournalLine& line : entry.lines()) {
    v1::JournalLine mirror = line;
    mirror.set_side(line.side() == v1::SIDE_DEBIT ? v1::SIDE_CREDIT
                                                  : v1::SIDE_DEBIT);
    out.push_back(std::move(mirror));
  }
  return out;
}

v1::JournalLine SignedLine(absl::string_view owner_id,
                           v1::AccountPurpose purpose, int64_t amount,
                           bool debit_when_positive, absl::string_view memo) {
  v1::JournalLine line;
  line.set_owner_id(std::string(owner_id));
  line.set_purpose(purpose);
  bool positive = amount > 0;
  line.set_side(positive == debit_when_positive ? v1::SIDE_DEBIT
                                                : v1::SIDE_CREDIT);
  line.mutable_amount()->set_fen(positive ? amount : -amount);
  line.set_memo(std::string(memo));
  return line;
}

bool SameEntryContent(const v1::JournalEntry& a, const v1::JournalEntry& b) {
  auto content = [](v1::JournalEntry entry) {
    entry.clear_id();
    entry.clear_reversed_by_entry_id();
    entry.clear_posted_at();
    entry.clear_posted_by();
    return entry.SerializeAsString();
  };
  return content(a) == content(b);
}

void Accumulate(const v1::JournalEntry& entry,
                std::map<AccountKey, AccountTotals>& totals) {
  for (const v1::JournalLine& line : entry.lines()) {
    AccountTotals& t = totals[{line.owner_id(), line.purpose()}];
    if (line.side() == v1::SIDE_DEBIT) {
      t.debits += line.amount().fen();
    } else {
      t.credits += line.amount().fen();
    }
  }
}

}  // namespace cmc::finance
