// MysqlPostingStore: postings of staff to other institutions, in schema
// cmc_institution.
#include "services/institution/mysql_posting_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/institution_rules.h"
#include "services/institution/mysql_rows.h"

namespace cmc::institution {
namespace {

// The stored span of `posting`; its dates were validated on the way in.
DaySpan SpanOf(const v1::Posting& posting) {
  DaySpan span;
  span.first = *ParseCivilDate(posting.start_date().value(), "start_date");
  if (posting.has_end_date()) {
    span.last = *ParseCivilDate(posting.end_date().value(), "end_date");
  }
  return span;
}

std::string Describe(const v1::Posting& posting) {
  return absl::StrCat(
      "posting ", posting.id(), " to ", posting.to_institution_id(), " from ",
      posting.start_date().value(),
      posting.has_end_date() ? absl::StrCat(" to ", posting.end_date().value())
                             : std::string(" on"));
}

std::vector<v1::Posting> PostingsOf(sql::Connection& conn,
                                    const std::string& staff_id) {
  std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
      absl::StrCat("SELECT ", internal::kPostingColumns,
                   " FROM postings WHERE staff_id = ? ORDER BY row_no")));
  select->setString(1, staff_id);
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  std::vector<v1::Posting> postings;
  while (rows->next()) postings.push_back(internal::PostingFromRow(*rows));
  return postings;
}

// Checks that need the staff member and the host; returns the employer.
absl::StatusOr<std::string> CheckPosting(sql::Connection& conn,
                                         const v1::Posting& posting,
                                         const Guard<v1::Staff>& guard) {
  // The lock makes concurrent postings of one person run one after the other.
  std::optional<v1::Staff> staff =
      internal::LoadStaff(conn, posting.staff_id(), /*for_update=*/true);
  if (!staff.has_value()) {
    return FieldError(absl::StatusCode::kNotFound, "posting.staff_id",
                      absl::StrCat("staff ", posting.staff_id(), " not found"));
  }
  if (guard) CMC_RETURN_IF_ERROR(guard(*staff));
  if (staff->status() != v1::STAFF_STATUS_ACTIVE) {
    return FieldError(absl::StatusCode::kFailedPrecondition, "posting.staff_id",
                      absl::StrCat("staff ", staff->id(), " is ",
                                   v1::StaffStatus_Name(staff->status())));
  }
  if (posting.to_institution_id() == staff->institution_id()) {
    return InvalidField("posting.to_institution_id",
                        "the staff member's own employer; a posting is to "
                        "another institution");
  }
  std::optional<v1::Institution> host = internal::LoadInstitution(
      conn, posting.to_institution_id(), /*for_update=*/false);
  if (!host.has_value()) {
    return FieldError(absl::StatusCode::kNotFound, "posting.to_institution_id",
                      absl::StrCat("institution ", posting.to_institution_id(),
                                   " not found"));
  }
  if (host->status() != v1::INSTITUTION_STATUS_ACTIVE) {
    return FieldError(absl::StatusCode::kFailedPrecondition,
                      "posting.to_institution_id",
                      absl::StrCat("institution ", host->id(), " is closed"));
  }
  const std::vector<v1::Posting> existing = PostingsOf(conn, staff->id());
  std::vector<DaySpan> spans;
  for (const v1::Posting& p : existing) spans.push_back(SpanOf(p));
  if (std::optional<size_t> clash = FindOverlap(spans, SpanOf(posting))) {
    return FieldError(absl::StatusCode::kFailedPrecondition,
                      "posting.start_date",
                      absl::StrCat("staff ", staff->id(), " already has ",
                                   Describe(existing[*clash]),
                                   "; one person is posted to one place at a "
                                   "time"));
  }
  return staff->institution_id();
}

}  // namespace

MysqlPostingStore::MysqlPostingStore(db::Pool* pool) : pool_(pool) {}

absl::StatusOr<v1::Posting> MysqlPostingStore::CreatePosting(
    const RequestClaim& claim, const v1::Posting& posting,
    const Guard<v1::Staff>& guard, const Actor& actor, absl::Time deadline) {
  return internal::RunCreate<v1::Posting>(
      *pool_, deadline, claim, "institution.PostingCreated", "Posting", actor,
      [&](sql::Connection& conn, v1::Posting& out) -> absl::Status {
        CMC_ASSIGN_OR_RETURN(const std::string employer,
                             CheckPosting(conn, posting, guard));
        const std::string id = internal::NewId("pst-");
        std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
            "INSERT INTO postings (id, staff_id, from_institution_id, "
            "to_institution_id, start_date, end_date) "
            "VALUES (?, ?, ?, ?, ?, ?)"));
        insert->setString(1, id);
        insert->setString(2, posting.staff_id());
        insert->setString(3, employer);
        insert->setString(4, posting.to_institution_id());
        insert->setString(5, posting.start_date().value());
        if (posting.has_end_date()) {
          insert->setString(6, posting.end_date().value());
        } else {
          insert->setNull(6, sql::DataType::DATE);
        }
        insert->executeUpdate();
        out = *internal::LoadPosting(conn, id, /*for_update=*/false);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Posting> MysqlPostingStore::EndPosting(
    const std::string& id, absl::CivilDay last_day,
    const Guard<v1::Posting>& guard, const Actor& actor, absl::Time deadline) {
  v1::Posting result;
  CMC_RETURN_IF_ERROR(db::RunInTransaction(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        std::optional<v1::Posting> current =
            internal::LoadPosting(conn, id, /*for_update=*/true);
        if (!current.has_value()) {
          return FieldError(absl::StatusCode::kNotFound, "id",
                            absl::StrCat("posting ", id, " not found"));
        }
        if (guard) CMC_RETURN_IF_ERROR(guard(*current));
        const DaySpan span = SpanOf(*current);
        if (last_day < span.first) {
          return InvalidField("end_date",
                              absl::StrCat("before the posting's start_date ",
                                           current->start_date().value()));
        }
        // Shortening can never create an overlap; lengthening could, so it
        // is not what ending means.
        if (span.last.has_value() && *span.last <= last_day) {
          return FieldError(absl::StatusCode::kFailedPrecondition, "end_date",
                            absl::StrCat("posting ", id, " already ends on ",
                                         current->end_date().value()));
        }
        std::unique_ptr<sql::PreparedStatement> update(conn.prepareStatement(
            "UPDATE postings SET end_date = ?, "
            "update_time = CURRENT_TIMESTAMP(6) WHERE id = ?"));
        update->setString(1, FormatCivilDate(last_day));
        update->setString(2, id);
        update->executeUpdate();
        result = *internal::LoadPosting(conn, id, /*for_update=*/false);
        outbox::Append(conn, {"institution.PostingEnded", "Posting", id,
                              actor.subject, &result});
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<PageOf<v1::Posting>> MysqlPostingStore::ListPostings(
    const PostingFilter& filter, const PageQuery& page, absl::Time deadline) {
  internal::Conditions conditions;
  if (!filter.staff_id.empty()) {
    conditions.AddString("staff_id = ?", filter.staff_id);
  }
  if (!filter.institution_id.empty()) {
    conditions.Add("(from_institution_id = ? OR to_institution_id = ?)");
    conditions.BindString(filter.institution_id);
    conditions.BindString(filter.institution_id);
  }
  if (filter.scope.has_value()) {
    conditions.AddAnyIn(
        {"from_institution_id", "to_institution_id"},
        {&filter.scope->institutions, &filter.scope->institutions});
  }
  if (filter.as_of.has_value()) {
    const std::string day = FormatCivilDate(*filter.as_of);
    conditions.AddString("start_date <= ?", day);
    conditions.AddString("(end_date IS NULL OR end_date >= ?)", day);
  }
  PageOf<v1::Posting> result;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        result =
            internal::ReadPage(conn, internal::kPostingColumns, "postings",
                               conditions, page, &internal::PostingFromRow);
        return absl::OkStatus();
      }));
  return result;
}

}  // namespace cmc::institution
