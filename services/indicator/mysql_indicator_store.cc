#include "services/indicator/mysql_indicator_store.h"

#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/params.h"
#include "common/db/row_values.h"
#include "common/db/transaction.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/indicator/catalogue.h"

namespace cmc::indicator {
namespace {

using Statement = std::unique_ptr<sql::PreparedStatement>;
using Rows = std::unique_ptr<sql::ResultSet>;

std::string Day(absl::CivilDay day) { return FormatCivilDate(day); }

absl::Time TimeFromDb(const std::string& text) {
  const google::protobuf::Timestamp t = db::TimestampFromDb(text);
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Timestamp ProtoTime(absl::Time time) {
  google::protobuf::Timestamp t;
  const int64_t micros = absl::ToUnixMicros(time);
  t.set_seconds(micros / 1000000);
  t.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return t;
}

v1::DataElement ElementFromRow(sql::ResultSet& rs) {
  v1::DataElement e;
  e.set_code(rs.getString("code"));
  e.set_name_zh(rs.getString("name_zh"));
  e.set_name_en(rs.getString("name_en"));
  e.set_value_type(static_cast<v1::ValueType>(rs.getInt("value_type")));
  e.set_aggregation(static_cast<v1::Aggregation>(rs.getInt("aggregation")));
  e.set_source(static_cast<v1::ValueSource>(rs.getInt("source")));
  return e;
}

// The latest version of set `code`, 0 when none; `lock` locks its row.
int64_t LatestVersion(sql::Connection& conn, const std::string& code,
                      bool lock) {
  Statement select(conn.prepareStatement(
      std::string(
          "SELECT MAX(version) AS v FROM indicator_sets WHERE code = ?") +
      (lock ? " FOR UPDATE" : "")));
  select->setString(1, code);
  Rows rs(select->executeQuery());
  if (!rs->next() || rs->isNull("v")) return 0;
  return rs->getInt64("v");
}

std::optional<v1::IndicatorSet> LoadSet(sql::Connection& conn,
                                        const std::string& code,
                                        int64_t version) {
  Statement head(conn.prepareStatement(
      "SELECT name_zh, name_en, saved_by, saved_at FROM indicator_sets "
      "WHERE code = ? AND version = ?"));
  head->setString(1, code);
  head->setInt64(2, version);
  Rows hs(head->executeQuery());
  if (!hs->next()) return std::nullopt;
  v1::IndicatorSet set;
  set.set_code(code);
  set.set_version(version);
  set.set_name_zh(hs->getString("name_zh"));
  set.set_name_en(hs->getString("name_en"));
  set.set_saved_by(hs->getString("saved_by"));
  *set.mutable_saved_at() = db::TimestampFromDb(hs->getString("saved_at"));
  Statement defs(conn.prepareStatement(
      "SELECT code, name_zh, name_en, numerator, denominator, factor, "
      "direction, has_target, target_value, target_comparison, growth, "
      "definition_version FROM indicator_definitions "
      "WHERE set_code = ? AND set_version = ? ORDER BY position"));
  defs->setString(1, code);
  defs->setInt64(2, version);
  Rows ds(defs->executeQuery());
  while (ds->next()) {
    v1::IndicatorDefinition* d = set.add_indicators();
    d->set_code(ds->getString("code"));
    d->set_name_zh(ds->getString("name_zh"));
    d->set_name_en(ds->getString("name_en"));
    d->set_numerator(ds->getString("numerator"));
    d->set_denominator(ds->getString("denominator"));
    d->set_factor(ds->getDouble("factor"));
    d->set_direction(static_cast<v1::Direction>(ds->getInt("direction")));
    if (ds->getBoolean("has_target")) {
      d->mutable_target()->set_value(ds->getDouble("target_value"));
      d->mutable_target()->set_comparison(
          static_cast<v1::Comparison>(ds->getInt("target_comparison")));
    }
    d->set_growth(ds->getBoolean("growth"));
    d->set_version(ds->getInt64("definition_version"));
  }
  return set;
}

v1::PeriodApproval Approval(const std::string& county,
                            const std::string& period, const std::string& actor,
                            absl::Time at, bool approved) {
  v1::PeriodApproval a;
  a.set_county_division_code(county);
  a.mutable_period()->set_value(period);
  a.set_actor(actor);
  *a.mutable_at() = ProtoTime(at);
  a.set_approved(approved);
  return a;
}

class MysqlIndicatorStore final : public IndicatorStore {
 public:
  explicit MysqlIndicatorStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::DataElement>> ListDataElements(
      absl::Time deadline) override {
    std::vector<v1::DataElement> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          Statement select(conn.prepareStatement(
              "SELECT code, name_zh, name_en, value_type, aggregation, source "
              "FROM data_elements ORDER BY code"));
          Rows rs(select->executeQuery());
          while (rs->next()) out.push_back(ElementFromRow(*rs));
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<v1::DataElement> CreateDataElement(
      const v1::DataElement& element, absl::Time now,
      absl::Time deadline) override {
    v1::DataElement stored;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          Statement select(conn.prepareStatement(
              "SELECT code, name_zh, name_en, value_type, aggregation, source "
              "FROM data_elements WHERE code = ? FOR UPDATE"));
          select->setString(1, element.code());
          Rows rs(select->executeQuery());
          if (rs->next()) {
            stored = ElementFromRow(*rs);
            if (stored.SerializeAsString() != element.SerializeAsString()) {
              return FieldError(absl::StatusCode::kAlreadyExists,
                                "element.code", "defined differently already");
            }
            return absl::OkStatus();
          }
          Statement insert(conn.prepareStatement(
              "INSERT INTO data_elements (code, name_zh, name_en, value_type, "
              "aggregation, source, create_time) VALUES (?, ?, ?, ?, ?, ?, "
              "?)"));
          insert->setString(1, element.code());
          insert->setString(2, element.name_zh());
          insert->setString(3, element.name_en());
          insert->setInt(4, element.value_type());
          insert->setInt(5, element.aggregation());
          insert->setInt(6, element.source());
          insert->setString(7, db::DbTime(now));
          insert->executeUpdate();
          stored = element;
          return absl::OkStatus();
        }));
    return stored;
  }

  absl::StatusOr<v1::IndicatorSet> GetIndicatorSet(
      const std::string& code, int64_t version, absl::Time deadline) override {
    std::optional<v1::IndicatorSet> set;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          const int64_t latest = LatestVersion(conn, code, false);
          if (latest == 0) {
            return FieldError(absl::StatusCode::kNotFound, "code",
                              absl::StrCat("no indicator set \"", code, "\""));
          }
          set = LoadSet(conn, code, version == 0 ? latest : version);
          if (!set.has_value()) {
            return FieldError(
                absl::StatusCode::kNotFound, "version",
                absl::StrCat("set \"", code, "\" has versions 1-", latest));
          }
          return absl::OkStatus();
        }));
    return *set;
  }

  absl::StatusOr<std::vector<v1::IndicatorSet>> ListIndicatorSets(
      absl::Time deadline) override {
    std::vector<v1::IndicatorSet> out;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          Statement select(conn.prepareStatement(
              "SELECT code, MAX(version) AS v FROM indicator_sets "
              "GROUP BY code ORDER BY code"));
          Rows rs(select->executeQuery());
          std::vector<std::pair<std::string, int64_t>> latest;
          while (rs->next()) {
            latest.emplace_back(rs->getString("code"), rs->getInt64("v"));
          }
          for (const auto& [code, version] : latest) {
            if (auto set = LoadSet(conn, code, version)) {
              out.push_back(*std::move(set));
            }
          }
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<v1::IndicatorSet> SaveIndicatorSet(
      v1::IndicatorSet set, const std::string& actor, absl::Time now,
      absl::Time deadline) override {
    v1::IndicatorSet saved;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          const int64_t latest = LatestVersion(conn, set.code(), true);
          if (set.version() != latest) {
            return FieldError(absl::StatusCode::kAborted, "set.version",
                              absl::StrCat("the latest version is ", latest,
                                           ", not ", set.version()));
          }
          std::optional<v1::IndicatorSet> previous;
          if (latest > 0) previous = LoadSet(conn, set.code(), latest);
          saved = set;
          saved.set_version(latest + 1);
          saved.set_saved_by(actor);
          *saved.mutable_saved_at() = ProtoTime(now);
          AssignDefinitionVersions(previous ? &*previous : nullptr,
                                   saved.version(), &saved);
          Statement head(conn.prepareStatement(
              "INSERT INTO indicator_sets (code, version, name_zh, name_en, "
              "saved_by, saved_at) VALUES (?, ?, ?, ?, ?, ?)"));
          head->setString(1, saved.code());
          head->setInt64(2, saved.version());
          head->setString(3, saved.name_zh());
          head->setString(4, saved.name_en());
          head->setString(5, actor);
          head->setString(6, db::DbTime(now));
          head->executeUpdate();
          Statement def(conn.prepareStatement(
              "INSERT INTO indicator_definitions (set_code, set_version, "
              "position, code, name_zh, name_en, numerator, denominator, "
              "factor, direction, has_target, target_value, "
              "target_comparison, growth, definition_version) VALUES "
              "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
          for (int i = 0; i < saved.indicators_size(); ++i) {
            const v1::IndicatorDefinition& d = saved.indicators(i);
            def->setString(1, saved.code());
            def->setInt64(2, saved.version());
            def->setInt(3, i);
            def->setString(4, d.code());
            def->setString(5, d.name_zh());
            def->setString(6, d.name_en());
            def->setString(7, d.numerator());
            def->setString(8, d.denominator());
            def->setDouble(9, d.factor());
            def->setInt(10, d.direction());
            def->setBoolean(11, d.has_target());
            def->setDouble(12, d.target().value());
            def->setInt(13, d.target().comparison());
            def->setBoolean(14, d.growth());
            def->setInt64(15, d.version());
            def->executeUpdate();
          }
          return absl::OkStatus();
        }));
    return saved;
  }

  absl::StatusOr<std::vector<size_t>> PutValues(
      const std::vector<ValueWrite>& writes, absl::Time deadline) override {
    std::vector<size_t> locked;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          locked.clear();
          // Reading the approvals with a shared lock orders this batch with
          // any ApprovePeriod of the same counties.
          Statement approval(conn.prepareStatement(
              "SELECT 1 FROM approvals WHERE county_division_code = ? AND "
              "first_day <= ? AND last_day >= ? LOCK IN SHARE MODE"));
          Statement upsert(conn.prepareStatement(
              "INSERT INTO data_values (element_code, org_kind, org_id, "
              "period, first_day, last_day, value, source, provenance, "
              "update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON DUPLICATE KEY UPDATE value = VALUES(value), "
              "source = VALUES(source), provenance = VALUES(provenance), "
              "update_time = VALUES(update_time)"));
          for (size_t i = 0; i < writes.size(); ++i) {
            const StoredValue& v = writes[i].value;
            if (!writes[i].county_division_code.empty()) {
              approval->setString(1, writes[i].county_division_code);
              approval->setString(2, Day(v.period.first_day()));
              approval->setString(3, Day(v.period.last_day()));
              Rows rs(approval->executeQuery());
              if (rs->next()) {
                locked.push_back(i);
                continue;
              }
            }
            upsert->setString(1, v.element_code);
            upsert->setInt(2, static_cast<int>(v.org_unit.kind));
            upsert->setString(3, v.org_unit.id);
            upsert->setString(4, v.period.ToString());
            upsert->setString(5, Day(v.period.first_day()));
            upsert->setString(6, Day(v.period.last_day()));
            upsert->setInt64(7, v.value);
            upsert->setInt(8, v.source);
            upsert->setString(9, v.provenance);
            upsert->setString(10, db::DbTime(v.update_time));
            upsert->executeUpdate();
          }
          return absl::OkStatus();
        }));
    return locked;
  }

  absl::StatusOr<std::vector<StoredValue>> ReadValues(
      const ValueQuery& query, absl::Time deadline) override {
    std::string sql =
        "SELECT element_code, org_kind, org_id, period, value, source, "
        "provenance, update_time FROM data_values WHERE first_day >= ? AND "
        "last_day <= ? AND (";
    std::vector<db::Param> params{Day(query.first), Day(query.last)};
    bool any = false;
    if (!query.units.empty()) {
      sql += "org_id IN (" + db::Placeholders(query.units.size()) + ")";
      for (const OrgUnitKey& u : query.units) params.emplace_back(u.id);
      any = true;
    }
    if (!query.divisions_within.empty()) {
      if (any) sql += " OR ";
      sql += "(org_kind = 3 AND org_id LIKE ?)";
      params.emplace_back(DivisionPrefix(query.divisions_within) + "%");
      any = true;
    }
    if (!any) return std::vector<StoredValue>();
    sql += ")";
    if (!query.element_codes.empty()) {
      sql += " AND element_code IN (" +
             db::Placeholders(query.element_codes.size()) + ")";
      for (const std::string& c : query.element_codes) params.emplace_back(c);
    }
    sql += " ORDER BY element_code, org_kind, org_id, first_day, last_day";
    std::vector<StoredValue> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          Statement select(conn.prepareStatement(sql));
          db::BindParams(*select, params);
          Rows rs(select->executeQuery());
          while (rs->next()) {
            auto period = ParsePeriod(std::string(rs->getString("period")));
            if (!period.ok()) continue;  // never written by PutValues
            StoredValue v;
            v.element_code = rs->getString("element_code");
            v.org_unit = KeyOf(rs->getInt("org_kind"), rs->getString("org_id"));
            v.period = *period;
            v.value = rs->getInt64("value");
            v.source = static_cast<v1::ValueSource>(rs->getInt("source"));
            v.provenance = rs->getString("provenance");
            v.update_time = TimeFromDb(rs->getString("update_time"));
            out.push_back(std::move(v));
          }
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<std::vector<std::string>> DivisionsWithValues(
      const std::string& within, absl::Time deadline) override {
    std::vector<std::string> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          Statement select(conn.prepareStatement(
              "SELECT DISTINCT org_id FROM data_values WHERE org_kind = 3 AND "
              "org_id LIKE ? ORDER BY org_id"));
          select->setString(1, DivisionPrefix(within) + "%");
          Rows rs(select->executeQuery());
          while (rs->next()) out.push_back(rs->getString("org_id"));
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<std::vector<v1::PeriodApproval>> ListApprovals(
      const std::string& county, absl::Time deadline) override {
    std::vector<v1::PeriodApproval> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          Statement select(conn.prepareStatement(
              "SELECT period, actor, approve_time FROM approvals WHERE "
              "county_division_code = ? ORDER BY first_day, last_day"));
          select->setString(1, county);
          Rows rs(select->executeQuery());
          while (rs->next()) {
            out.push_back(Approval(
                county, rs->getString("period"), rs->getString("actor"),
                TimeFromDb(rs->getString("approve_time")), true));
          }
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<v1::PeriodApproval> Approve(const std::string& county,
                                             const ReportingPeriod& period,
                                             const std::string& actor,
                                             absl::Time now,
                                             absl::Time deadline) override {
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          Statement insert(conn.prepareStatement(
              "INSERT IGNORE INTO approvals (county_division_code, period, "
              "first_day, last_day, actor, approve_time) VALUES "
              "(?, ?, ?, ?, ?, ?)"));
          insert->setString(1, county);
          insert->setString(2, period.ToString());
          insert->setString(3, Day(period.first_day()));
          insert->setString(4, Day(period.last_day()));
          insert->setString(5, actor);
          insert->setString(6, db::DbTime(now));
          if (insert->executeUpdate() == 0) {
            return FieldError(absl::StatusCode::kAlreadyExists, "period",
                              "already approved");
          }
          return absl::OkStatus();
        }));
    return Approval(county, period.ToString(), actor, now, true);
  }

  absl::StatusOr<v1::PeriodApproval> Revoke(const std::string& county,
                                            const ReportingPeriod& period,
                                            const std::string& actor,
                                            absl::Time now,
                                            absl::Time deadline) override {
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          Statement remove(conn.prepareStatement(
              "DELETE FROM approvals WHERE county_division_code = ? AND "
              "period = ?"));
          remove->setString(1, county);
          remove->setString(2, period.ToString());
          if (remove->executeUpdate() == 0) {
            return FieldError(absl::StatusCode::kNotFound, "period",
                              "not approved");
          }
          return absl::OkStatus();
        }));
    return Approval(county, period.ToString(), actor, now, false);
  }

 private:
  // The code prefix shared by every division inside `division`.
  static std::string DivisionPrefix(const std::string& division) {
    switch (DivisionLevel(division)) {
      case v1::ORG_LEVEL_PROVINCE:
        return division.substr(0, 2);
      case v1::ORG_LEVEL_PREFECTURE:
        return division.substr(0, 4);
      default:
        return division;
    }
  }

  db::Pool* pool_;
};

}  // namespace

absl::Status ApplyDerivations(sql::Connection& conn, const std::string& source,
                              const std::vector<AppliedDerivation>& items,
                              absl::Time now) {
  Statement contribute(conn.prepareStatement(
      "INSERT IGNORE INTO derived_contributions (source, sequence, "
      "element_code, org_id, period, amount, apply_time) VALUES "
      "(?, ?, ?, ?, ?, ?, ?)"));
  Statement add(conn.prepareStatement(
      "INSERT INTO data_values (element_code, org_kind, org_id, period, "
      "first_day, last_day, value, source, provenance, update_time) VALUES "
      "(?, 1, ?, ?, ?, ?, ?, ?, '', ?) ON DUPLICATE KEY UPDATE "
      "value = value + VALUES(value), update_time = VALUES(update_time)"));
  Statement range(conn.prepareStatement(
      "SELECT MIN(sequence) AS first, MAX(sequence) AS last, COUNT(*) AS n "
      "FROM derived_contributions WHERE element_code = ? AND org_id = ? AND "
      "period = ? AND source = ?"));
  Statement provenance(conn.prepareStatement(
      "UPDATE data_values SET provenance = ? WHERE element_code = ? AND "
      "org_id = ? AND period = ?"));
  for (const AppliedDerivation& item : items) {
    const Derivation& d = item.derivation;
    const std::string period = d.month.ToString();
    contribute->setString(1, source);
    contribute->setInt64(2, item.sequence);
    contribute->setString(3, d.element_code);
    contribute->setString(4, d.institution_id);
    contribute->setString(5, period);
    contribute->setInt64(6, d.amount);
    contribute->setString(7, db::DbTime(now));
    if (contribute->executeUpdate() == 0) continue;  // applied before
    add->setString(1, d.element_code);
    add->setString(2, d.institution_id);
    add->setString(3, period);
    add->setString(4, Day(d.month.first_day()));
    add->setString(5, Day(d.month.last_day()));
    add->setInt64(6, d.amount);
    add->setInt(7, v1::VALUE_SOURCE_DERIVED);
    add->setString(8, db::DbTime(now));
    add->executeUpdate();
    range->setString(1, d.element_code);
    range->setString(2, d.institution_id);
    range->setString(3, period);
    range->setString(4, source);
    Rows rs(range->executeQuery());
    rs->next();
    provenance->setString(
        1, absl::StrCat("events ", source, " ", rs->getInt64("first"), "..",
                        rs->getInt64("last"), " (", rs->getInt64("n"),
                        " events)"));
    provenance->setString(2, d.element_code);
    provenance->setString(3, d.institution_id);
    provenance->setString(4, period);
    provenance->executeUpdate();
  }
  return absl::OkStatus();
}

absl::Status ApplyReferralEvents(sql::Connection& conn,
                                 const std::vector<common::v1::Event>& page) {
  std::vector<AppliedDerivation> items;
  for (const common::v1::Event& event : page) {
    if (auto d = ReferralDerivation(event)) {
      items.push_back({event.sequence(), *std::move(d)});
    }
  }
  return ApplyDerivations(conn, kReferralSource, items, absl::Now());
}

std::unique_ptr<IndicatorStore> NewMysqlIndicatorStore(db::Pool* pool) {
  return std::make_unique<MysqlIndicatorStore>(pool);
}

}  // namespace cmc::indicator
