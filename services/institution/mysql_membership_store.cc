// MysqlMembershipStore: memberships of institutions in communities, in schema
// cmc_institution. InsertMembership and JoinCommunity are shared with the
// institution creates.
#include "services/institution/mysql_membership_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/params.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/institution_rules.h"
#include "services/institution/mysql_rows.h"

namespace cmc::institution {
namespace {

// The stored span of `membership`; its dates were validated on the way in.
DaySpan SpanOf(const v1::Membership& membership) {
  DaySpan span;
  span.first = *ParseCivilDate(membership.valid_from().value(), "valid_from");
  if (membership.has_valid_to()) {
    span.last = *ParseCivilDate(membership.valid_to().value(), "valid_to");
  }
  return span;
}

// The institution's memberships, for the overlap check.
std::vector<v1::Membership> MembershipsOf(sql::Connection& conn,
                                          const std::string& institution_id) {
  std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
      absl::StrCat("SELECT ", internal::kMembershipColumns,
                   " FROM memberships WHERE institution_id = ? "
                   "ORDER BY row_no")));
  select->setString(1, institution_id);
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  std::vector<v1::Membership> memberships;
  while (rows->next()) {
    memberships.push_back(internal::MembershipFromRow(*rows));
  }
  return memberships;
}

// Checks that need the institution and the community; locks the institution
// row so that concurrent additions for one institution run one after the
// other and cannot both pass the overlap check.
absl::Status CheckMembership(sql::Connection& conn,
                             const v1::Membership& membership,
                             const internal::MembershipFields& fields) {
  std::optional<v1::Institution> institution = internal::LoadInstitution(
      conn, membership.institution_id(), /*for_update=*/true);
  if (!institution.has_value()) {
    return FieldError(absl::StatusCode::kNotFound, fields.institution,
                      absl::StrCat("institution ", membership.institution_id(),
                                   " not found"));
  }
  std::optional<v1::Community> community = internal::LoadCommunity(
      conn, membership.community_id(), /*for_update=*/false);
  if (!community.has_value()) {
    return FieldError(
        absl::StatusCode::kNotFound, fields.community,
        absl::StrCat("community ", membership.community_id(), " not found"));
  }
  if (institution->status() != v1::INSTITUTION_STATUS_ACTIVE) {
    return FieldError(
        absl::StatusCode::kFailedPrecondition, fields.institution,
        absl::StrCat("institution ", institution->id(), " is closed"));
  }
  if (community->status() != v1::COMMUNITY_STATUS_ACTIVE) {
    return FieldError(
        absl::StatusCode::kFailedPrecondition, fields.community,
        absl::StrCat("community ", community->id(), " is closed"));
  }
  CMC_RETURN_IF_ERROR(CheckDivisionInCounty(institution->division_code(),
                                            community->county_division_code(),
                                            fields.institution));
  const std::vector<v1::Membership> existing =
      MembershipsOf(conn, institution->id());
  std::vector<DaySpan> spans;
  for (const v1::Membership& m : existing) spans.push_back(SpanOf(m));
  if (std::optional<size_t> clash = FindOverlap(spans, SpanOf(membership))) {
    const v1::Membership& other = existing[*clash];
    return FieldError(
        absl::StatusCode::kFailedPrecondition, fields.valid_from,
        absl::StrCat("institution ", institution->id(),
                     " is already a member of community ", other.community_id(),
                     " from ", other.valid_from().value(),
                     other.has_valid_to()
                         ? absl::StrCat(" to ", other.valid_to().value())
                         : std::string(" on"),
                     " (membership ", other.id(),
                     "); an institution belongs to at most one community on "
                     "any date"));
  }
  return absl::OkStatus();
}

}  // namespace

namespace internal {

absl::StatusOr<v1::Membership> InsertMembership(
    sql::Connection& conn, const v1::Membership& membership,
    const MembershipFields& fields) {
  CMC_RETURN_IF_ERROR(CheckMembership(conn, membership, fields));
  const std::string id = NewId("mem-");
  std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
      "INSERT INTO memberships (id, institution_id, community_id, kind, "
      "valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?)"));
  insert->setString(1, id);
  insert->setString(2, membership.institution_id());
  insert->setString(3, membership.community_id());
  insert->setInt(4, membership.kind());
  insert->setString(5, membership.valid_from().value());
  if (membership.has_valid_to()) {
    insert->setString(6, membership.valid_to().value());
  } else {
    insert->setNull(6, sql::DataType::DATE);
  }
  insert->executeUpdate();
  return *LoadMembership(conn, id, /*for_update=*/false);
}

absl::StatusOr<v1::Membership> JoinCommunity(sql::Connection& conn,
                                             const std::string& institution_id,
                                             const Joining& joining) {
  v1::Membership membership;
  membership.set_institution_id(institution_id);
  membership.set_community_id(joining.community_id);
  membership.set_kind(joining.kind);
  membership.mutable_valid_from()->set_value(
      FormatCivilDate(joining.valid_from));
  MembershipFields fields;
  fields.institution = "institution.division_code";
  fields.community = "community_id";
  fields.valid_from = "community_id";  // a new institution has no other
  return InsertMembership(conn, membership, fields);
}

}  // namespace internal

MysqlMembershipStore::MysqlMembershipStore(db::Pool* pool) : pool_(pool) {}

absl::StatusOr<v1::Membership> MysqlMembershipStore::AddMembership(
    const RequestClaim& claim, const v1::Membership& membership,
    const Actor& actor, absl::Time deadline) {
  return internal::RunCreate<v1::Membership>(
      *pool_, deadline, claim, "institution.MembershipAdded", "Membership",
      actor, [&](sql::Connection& conn, v1::Membership& out) -> absl::Status {
        CMC_ASSIGN_OR_RETURN(
            out, internal::InsertMembership(conn, membership,
                                            internal::MembershipFields()));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Membership> MysqlMembershipStore::EndMembership(
    const std::string& id, absl::CivilDay last_day,
    const Guard<v1::Membership>& guard, const Actor& actor,
    absl::Time deadline) {
  v1::Membership result;
  CMC_RETURN_IF_ERROR(db::RunInTransaction(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        std::optional<v1::Membership> current =
            internal::LoadMembership(conn, id, /*for_update=*/true);
        if (!current.has_value()) {
          return FieldError(absl::StatusCode::kNotFound, "id",
                            absl::StrCat("membership ", id, " not found"));
        }
        if (guard) CMC_RETURN_IF_ERROR(guard(*current));
        if (current->has_valid_to()) {
          return FieldError(
              absl::StatusCode::kFailedPrecondition, "id",
              absl::StrCat("membership ", id, " already ended on ",
                           current->valid_to().value()));
        }
        if (last_day < SpanOf(*current).first) {
          return InvalidField(
              "valid_to", absl::StrCat("before the membership's valid_from ",
                                       current->valid_from().value()));
        }
        std::unique_ptr<sql::PreparedStatement> update(conn.prepareStatement(
            "UPDATE memberships SET valid_to = ?, "
            "update_time = CURRENT_TIMESTAMP(6) WHERE id = ?"));
        update->setString(1, FormatCivilDate(last_day));
        update->setString(2, id);
        update->executeUpdate();
        result = *internal::LoadMembership(conn, id, /*for_update=*/false);
        outbox::Append(conn, {"institution.MembershipEnded", "Membership", id,
                              actor.subject, &result});
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<PageOf<v1::Membership>> MysqlMembershipStore::ListMemberships(
    const MembershipFilter& filter, const PageQuery& page,
    absl::Time deadline) {
  internal::Conditions conditions;
  if (!filter.institution_id.empty()) {
    conditions.AddString("institution_id = ?", filter.institution_id);
  }
  if (!filter.community_id.empty()) {
    conditions.AddString("community_id = ?", filter.community_id);
  }
  if (filter.as_of.has_value()) {
    const std::string day = FormatCivilDate(*filter.as_of);
    conditions.AddString("valid_from <= ?", day);
    conditions.AddString("(valid_to IS NULL OR valid_to >= ?)", day);
  }
  if (filter.scope.has_value()) {
    conditions.AddAnyIn(
        {"community_id", "institution_id"},
        {&filter.scope->communities, &filter.scope->institutions});
  }
  PageOf<v1::Membership> result;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        result = internal::ReadPage(conn, internal::kMembershipColumns,
                                    "memberships", conditions, page,
                                    &internal::MembershipFromRow);
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<std::map<std::string, std::string>>
MysqlMembershipStore::MembersOf(const std::set<std::string>& community_ids,
                                absl::CivilDay day, absl::Time deadline) {
  std::map<std::string, std::string> result;
  if (community_ids.empty()) return result;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        result.clear();
        const std::string placeholders = db::Placeholders(community_ids.size());
        std::unique_ptr<sql::PreparedStatement> select(
            conn.prepareStatement(absl::StrCat(
                "SELECT institution_id, community_id FROM memberships "
                "WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?) "
                "AND community_id IN (",
                placeholders, ")")));
        const std::string text = FormatCivilDate(day);
        select->setString(1, text);
        select->setString(2, text);
        int index = 3;
        for (const std::string& id : community_ids) {
          select->setString(index++, id);
        }
        std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
        while (rows->next()) {
          result[rows->getString(1).asStdString()] =
              rows->getString(2).asStdString();
        }
        return absl::OkStatus();
      }));
  return result;
}

}  // namespace cmc::institution
