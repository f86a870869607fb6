-- The dispatch service's schema (cmc_dispatch): its policy versions, touring plans and visits,
-- stationing assignments, neighbouring-village extensions, relocation settlements and rota
-- proposals.
--
-- Every aggregate has one table of the same shape: `record` is the whole cmc.dispatch.v1 message
-- (serialized protobuf), which is what the API returns, so a new field in the contract needs no
-- migration; the other columns copy what lists and clash checks search by, written from the same
-- message in the same statement. `version` guards every update (UPDATE ... WHERE id = ? AND
-- version = ?). Persons and institutions a record involves (a visit's team, an assignment's home
-- and destination) are in record_keys, one row each. Times are UTC; days are county civil days.
CREATE TABLE IF NOT EXISTS policies (
  -- '' for the national default.
  community_id VARCHAR(64) NOT NULL,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY (community_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The national default policy (policy.h NationalDefaultPolicy(), serialized): township centers
-- tour villages without a fixed doctor weekly, county hospitals township areas monthly, city
-- hospitals the county quarterly; stationing at least 6 months with a physician at every township
-- center; 0.5 credit points per 24 service days, at most 2, 240 days a year; 4 villages per team and
-- day; no subsidies until a community sets them.
INSERT INTO policies (community_id, version, create_time, record)
  VALUES ('', 1, '2026-01-01 00:00:00.000000', X'10011A060801100218031A060802100318021A08080310041801200120062801320A0818103218C80120F00140044A0673797374656D');

CREATE TABLE IF NOT EXISTS touring_plans (
  row_no BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(64) NOT NULL,
  community_id VARCHAR(64) NOT NULL,
  parent_id VARCHAR(64) NOT NULL DEFAULT '',
  village_id VARCHAR(64) NOT NULL DEFAULT '',
  first_day DATE NOT NULL,
  last_day DATE NOT NULL,
  status TINYINT NOT NULL,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  record MEDIUMBLOB NOT NULL,
  PRIMARY KEY (row_no),
  UNIQUE KEY uk_touring_plans_id (id),
  KEY ix_touring_plans_community (community_id, row_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS visits LIKE touring_plans;
CREATE TABLE IF NOT EXISTS assignments LIKE touring_plans;
CREATE TABLE IF NOT EXISTS extensions LIKE touring_plans;
CREATE TABLE IF NOT EXISTS settlements LIKE touring_plans;
CREATE TABLE IF NOT EXISTS rota_proposals LIKE touring_plans;

ALTER TABLE visits ADD KEY ix_visits_parent (parent_id, row_no),
  ADD KEY ix_visits_village_day (village_id, first_day);
ALTER TABLE assignments ADD KEY ix_assignments_village_day (village_id, first_day);
ALTER TABLE extensions ADD KEY ix_extensions_village_day (village_id, first_day);
ALTER TABLE settlements ADD KEY ix_settlements_village_day (village_id, first_day);

-- Who and what a record involves: kind 'staff' (a visit's team, an assigned person) or
-- 'institution' (organiser, home, destination, extending clinic).
CREATE TABLE IF NOT EXISTS record_keys (
  record_table VARCHAR(32) NOT NULL,
  record_id VARCHAR(64) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  value VARCHAR(64) NOT NULL,
  PRIMARY KEY (record_table, record_id, kind, value),
  KEY ix_record_keys_value (record_table, kind, value, record_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Months whose service days were counted (CloseServiceMonth): the first count is the answer.
CREATE TABLE IF NOT EXISTS service_months (
  community_id VARCHAR(64) NOT NULL,
  month CHAR(7) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  record MEDIUMBLOB NOT NULL,
  PRIMARY KEY (community_id, month)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
