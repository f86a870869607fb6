// MysqlVillageStore: villages served by a community, in schema cmc_institution.
#include "services/institution/mysql_village_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/status.h"
#include "services/institution/institution_rules.h"
#include "services/institution/mysql_rows.h"

namespace cmc::institution {
namespace {

using internal::BindNullable;

const char* TierWord(Tier tier) {
  return tier == common::v1::TIER_TOWNSHIP ? "township" : "village";
}

// An institution a village refers to (its township center or its clinic) must
// exist, be of `tier`, operate, and sit in the community's county.
absl::Status CheckVillageInstitution(sql::Connection& conn,
                                     const std::string& id, Tier tier,
                                     const std::string& county_code,
                                     const char* field) {
  std::optional<v1::Institution> institution =
      internal::LoadInstitution(conn, id, /*for_update=*/false);
  if (!institution.has_value()) {
    return FieldError(absl::StatusCode::kNotFound, field,
                      absl::StrCat("institution ", id, " not found"));
  }
  if (institution->tier() != tier) {
    return InvalidField(
        field,
        absl::StrCat("institution ", id, " is of kind ", institution->kind(),
                     "; a ", TierWord(tier), "-tier institution is needed"));
  }
  if (institution->status() != v1::INSTITUTION_STATUS_ACTIVE) {
    return FieldError(absl::StatusCode::kFailedPrecondition, field,
                      absl::StrCat("institution ", id, " is closed"));
  }
  return CheckDivisionInCounty(institution->division_code(), county_code,
                               field);
}

// The institutions of `village` that differ from `before` (all of them for a
// new village), checked against the county of `community`.
absl::Status CheckVillageLinks(sql::Connection& conn,
                               const v1::Village& village,
                               const v1::Village* before,
                               const v1::Community& community) {
  const std::string& county = community.county_division_code();
  if (before == nullptr ||
      village.township_center_id() != before->township_center_id()) {
    CMC_RETURN_IF_ERROR(CheckVillageInstitution(
        conn, village.township_center_id(), common::v1::TIER_TOWNSHIP, county,
        "village.township_center_id"));
  }
  if (!village.village_clinic_id().empty() &&
      (before == nullptr ||
       village.village_clinic_id() != before->village_clinic_id())) {
    CMC_RETURN_IF_ERROR(CheckVillageInstitution(
        conn, village.village_clinic_id(), common::v1::TIER_VILLAGE, county,
        "village.village_clinic_id"));
  }
  return absl::OkStatus();
}

}  // namespace

MysqlVillageStore::MysqlVillageStore(db::Pool* pool) : pool_(pool) {}

absl::StatusOr<v1::Village> MysqlVillageStore::CreateVillage(
    const RequestClaim& claim, const v1::Village& village, const Actor& actor,
    absl::Time deadline) {
  return internal::RunCreate<v1::Village>(
      *pool_, deadline, claim, "institution.VillageCreated", "Village", actor,
      [&](sql::Connection& conn, v1::Village& out) -> absl::Status {
        std::optional<v1::Community> community = internal::LoadCommunity(
            conn, village.community_id(), /*for_update=*/false);
        if (!community.has_value()) {
          return FieldError(
              absl::StatusCode::kNotFound, "village.community_id",
              absl::StrCat("community ", village.community_id(), " not found"));
        }
        if (community->status() != v1::COMMUNITY_STATUS_ACTIVE) {
          return FieldError(
              absl::StatusCode::kFailedPrecondition, "village.community_id",
              absl::StrCat("community ", community->id(), " is closed"));
        }
        CMC_RETURN_IF_ERROR(CheckDivisionInCounty(
            village.division_code(), community->county_division_code(),
            "village.division_code"));
        CMC_RETURN_IF_ERROR(
            CheckVillageLinks(conn, village, /*before=*/nullptr, *community));
        const std::string id = internal::NewId("vil-");
        try {
          std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
              "INSERT INTO villages (id, community_id, division_code, name, "
              "population, township_center_id, village_clinic_id, "
              "has_resident_village_doctor, version) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)"));
          insert->setString(1, id);
          insert->setString(2, village.community_id());
          insert->setString(3, village.division_code());
          insert->setString(4, village.name());
          insert->setInt(5, village.population());
          insert->setString(6, village.township_center_id());
          BindNullable(*insert, 7, village.village_clinic_id());
          insert->setInt(8, village.has_resident_village_doctor() ? 1 : 0);
          insert->executeUpdate();
        } catch (const sql::SQLException& e) {
          if (e.getErrorCode() != db::kErDupEntry) throw;
          return FieldError(absl::StatusCode::kAlreadyExists,
                            "village.division_code",
                            absl::StrCat("village ", village.division_code(),
                                         " is already registered"));
        }
        out = *internal::LoadVillage(conn, id, /*for_update=*/false);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Village> MysqlVillageStore::GetVillage(
    const std::string& id, absl::string_view field, absl::Time deadline) {
  std::optional<v1::Village> found;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        found = internal::LoadVillage(conn, id, /*for_update=*/false);
        return absl::OkStatus();
      }));
  if (!found.has_value()) {
    return FieldError(absl::StatusCode::kNotFound, field,
                      absl::StrCat("village ", id, " not found"));
  }
  return *std::move(found);
}

absl::StatusOr<v1::Village> MysqlVillageStore::UpdateVillage(
    const std::string& id, int64_t version, const Guard<v1::Village>& guard,
    const Mutation<v1::Village>& mutate, const Actor& actor,
    absl::Time deadline) {
  v1::Village result;
  CMC_RETURN_IF_ERROR(db::RunInTransaction(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        std::optional<v1::Village> current =
            internal::LoadVillage(conn, id, /*for_update=*/true);
        if (!current.has_value()) {
          return FieldError(absl::StatusCode::kNotFound, "village.id",
                            absl::StrCat("village ", id, " not found"));
        }
        if (guard) CMC_RETURN_IF_ERROR(guard(*current));
        if (current->version() != version) {
          return FieldError(
              absl::StatusCode::kAborted, "village.version",
              absl::StrCat(version, " is stale; the village is at ",
                           current->version(), "; read it again and reapply"));
        }
        const v1::Village before = *current;
        CMC_RETURN_IF_ERROR(mutate(*current));
        const v1::Community community = *internal::LoadCommunity(
            conn, current->community_id(), /*for_update=*/false);
        CMC_RETURN_IF_ERROR(
            CheckVillageLinks(conn, *current, &before, community));
        std::unique_ptr<sql::PreparedStatement> update(conn.prepareStatement(
            "UPDATE villages SET name = ?, population = ?, "
            "township_center_id = ?, village_clinic_id = ?, "
            "has_resident_village_doctor = ?, version = version + 1, "
            "update_time = CURRENT_TIMESTAMP(6) WHERE id = ?"));
        update->setString(1, current->name());
        update->setInt(2, current->population());
        update->setString(3, current->township_center_id());
        BindNullable(*update, 4, current->village_clinic_id());
        update->setInt(5, current->has_resident_village_doctor() ? 1 : 0);
        update->setString(6, id);
        update->executeUpdate();
        result = *internal::LoadVillage(conn, id, /*for_update=*/false);
        outbox::Append(conn, {"institution.VillageUpdated", "Village", id,
                              actor.subject, &result});
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<PageOf<v1::Village>> MysqlVillageStore::ListVillages(
    const VillageFilter& filter, const PageQuery& page, absl::Time deadline) {
  internal::Conditions conditions;
  if (!filter.community_id.empty()) {
    conditions.AddString("community_id = ?", filter.community_id);
  }
  if (!filter.township_center_id.empty()) {
    conditions.AddString("township_center_id = ?", filter.township_center_id);
  }
  if (!filter.village_clinic_id.empty()) {
    conditions.AddString("village_clinic_id = ?", filter.village_clinic_id);
  }
  if (filter.scope.has_value()) {
    conditions.AddAnyIn(
        {"community_id", "township_center_id", "village_clinic_id"},
        {&filter.scope->communities, &filter.scope->institutions,
         &filter.scope->institutions});
  }
  if (filter.has_resident_village_doctor.has_value()) {
    conditions.AddInt("has_resident_village_doctor = ?",
                      *filter.has_resident_village_doctor ? 1 : 0);
  }
  if (!filter.name_contains.empty()) {
    conditions.AddString("name LIKE ? ESCAPE '!'",
                         internal::ContainsPattern(filter.name_contains));
  }
  PageOf<v1::Village> result;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        result =
            internal::ReadPage(conn, internal::kVillageColumns, "villages",
                               conditions, page, &internal::VillageFromRow);
        return absl::OkStatus();
      }));
  return result;
}

}  // namespace cmc::institution
