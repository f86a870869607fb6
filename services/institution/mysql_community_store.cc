// MysqlCommunityStore: communities in schema cmc_institution.
#include "services/institution/mysql_community_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/institution_rules.h"
#include "services/institution/mysql_rows.h"

namespace cmc::institution {
namespace {

using internal::BindNullable;

constexpr char kLeadField[] = "community.lead_institution_id";

// A lead hospital must exist, be of a kind that leads, operate, and sit in the
// community's county.
absl::Status CheckLead(sql::Connection& conn, const std::string& lead_id,
                       const std::string& county_code) {
  std::optional<v1::Institution> lead =
      internal::LoadInstitution(conn, lead_id, /*for_update=*/false);
  if (!lead.has_value()) {
    return FieldError(absl::StatusCode::kNotFound, kLeadField,
                      absl::StrCat("institution ", lead_id, " not found"));
  }
  if (!IsLeadHospitalKind(lead->kind())) {
    return InvalidField(
        kLeadField,
        absl::StrCat("institution ", lead_id, " is of kind ", lead->kind(),
                     "; a lead hospital is A100, A210 or "
                     "G100"));
  }
  if (lead->status() != v1::INSTITUTION_STATUS_ACTIVE) {
    return FieldError(absl::StatusCode::kFailedPrecondition, kLeadField,
                      absl::StrCat("institution ", lead_id, " is closed"));
  }
  return CheckDivisionInCounty(lead->division_code(), county_code, kLeadField);
}
}  // namespace

MysqlCommunityStore::MysqlCommunityStore(db::Pool* pool) : pool_(pool) {}

absl::StatusOr<v1::Community> MysqlCommunityStore::CreateCommunity(
    const RequestClaim& claim, const v1::Community& community,
    const Actor& actor, absl::Time deadline) {
  return internal::RunCreate<v1::Community>(
      *pool_, deadline, claim, "institution.CommunityCreated", "Community",
      actor, [&](sql::Connection& conn, v1::Community& out) -> absl::Status {
        if (!community.lead_institution_id().empty()) {
          CMC_RETURN_IF_ERROR(CheckLead(conn, community.lead_institution_id(),
                                        community.county_division_code()));
        }
        const std::string id = internal::NewId("com-");
        try {
          std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
              "INSERT INTO communities (id, code, name, county_division_code, "
              "lead_institution_id, status, version) "
              "VALUES (?, ?, ?, ?, ?, ?, 1)"));
          insert->setString(1, id);
          insert->setString(2, community.code());
          insert->setString(3, community.name());
          insert->setString(4, community.county_division_code());
          BindNullable(*insert, 5, community.lead_institution_id());
          insert->setInt(6, v1::COMMUNITY_STATUS_ACTIVE);
          insert->executeUpdate();
        } catch (const sql::SQLException& e) {
          if (e.getErrorCode() != db::kErDupEntry) throw;
          return FieldError(absl::StatusCode::kAlreadyExists, "community.code",
                            absl::StrCat("community code ", community.code(),
                                         " is already registered"));
        }
        out = *internal::LoadCommunity(conn, id, /*for_update=*/false);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Community> MysqlCommunityStore::GetCommunity(
    const std::string& id, absl::string_view field, absl::Time deadline) {
  std::optional<v1::Community> found;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        found = internal::LoadCommunity(conn, id, /*for_update=*/false);
        return absl::OkStatus();
      }));
  if (!found.has_value()) {
    return FieldError(absl::StatusCode::kNotFound, field,
                      absl::StrCat("community ", id, " not found"));
  }
  return *std::move(found);
}

absl::StatusOr<v1::Community> MysqlCommunityStore::UpdateCommunity(
    const std::string& id, int64_t version,
    const Mutation<v1::Community>& mutate, const Actor& actor,
    absl::Time deadline) {
  v1::Community result;
  CMC_RETURN_IF_ERROR(db::RunInTransaction(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        std::optional<v1::Community> current =
            internal::LoadCommunity(conn, id, /*for_update=*/true);
        if (!current.has_value()) {
          return FieldError(absl::StatusCode::kNotFound, "community.id",
                            absl::StrCat("community ", id, " not found"));
        }
        if (current->version() != version) {
          return FieldError(
              absl::StatusCode::kAborted, "community.version",
              absl::StrCat(version, " is stale; the community is at ",
                           current->version(), "; read it again and reapply"));
        }
        const std::string old_lead = current->lead_institution_id();
        CMC_RETURN_IF_ERROR(mutate(*current));
        if (current->lead_institution_id() != old_lead &&
            !current->lead_institution_id().empty()) {
          CMC_RETURN_IF_ERROR(CheckLead(conn, current->lead_institution_id(),
                                        current->county_division_code()));
        }
        std::unique_ptr<sql::PreparedStatement> update(conn.prepareStatement(
            "UPDATE communities SET name = ?, lead_institution_id = ?, "
            "status = ?, version = version + 1, "
            "update_time = CURRENT_TIMESTAMP(6) WHERE id = ?"));
        update->setString(1, current->name());
        BindNullable(*update, 2, current->lead_institution_id());
        update->setInt(3, current->status());
        update->setString(4, id);
        update->executeUpdate();
        result = *internal::LoadCommunity(conn, id, /*for_update=*/false);
        outbox::Append(conn, {"institution.CommunityUpdated", "Community", id,
                              actor.subject, &result});
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<PageOf<v1::Community>> MysqlCommunityStore::ListCommunities(
    const CommunityFilter& filter, const PageQuery& page, absl::Time deadline) {
  internal::Conditions conditions;
  if (filter.scope.has_value()) {
    conditions.AddAnyIn({"id"}, {&filter.scope->communities});
  }
  if (filter.status.has_value())
    conditions.AddInt("status = ?", *filter.status);
  if (!filter.county_division_code.empty()) {
    conditions.AddString("county_division_code = ?",
                         filter.county_division_code);
  }
  PageOf<v1::Community> result;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        result =
            internal::ReadPage(conn, internal::kCommunityColumns, "communities",
                               conditions, page, &internal::CommunityFromRow);
        return absl::OkStatus();
      }));
  return result;
}

}  // namespace cmc::institution
