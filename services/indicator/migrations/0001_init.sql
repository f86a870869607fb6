-- The indicator service's schema (cmc_indicator): data elements, indicator sets (every version
-- kept, with its definitions), data values and the approved (locked) periods of counties.
-- Enumerations are stored as the numbers of cmc.indicator.v1 (ValueType, Aggregation,
-- ValueSource, Direction, Comparison). Times are UTC.
CREATE TABLE IF NOT EXISTS data_elements (
  code VARCHAR(64) NOT NULL,
  name_zh VARCHAR(400) NOT NULL,
  name_en VARCHAR(400) NOT NULL,
  value_type TINYINT NOT NULL,
  aggregation TINYINT NOT NULL,
  source TINYINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  PRIMARY KEY (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS indicator_sets (
  code VARCHAR(64) NOT NULL,
  version BIGINT NOT NULL,
  name_zh VARCHAR(400) NOT NULL,
  name_en VARCHAR(400) NOT NULL,
  saved_by VARCHAR(200) NOT NULL,
  saved_at DATETIME(6) NOT NULL,
  PRIMARY KEY (code, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per definition of one set version; `position` keeps the set's order and
-- `definition_version` the set version in which the definition last changed.
CREATE TABLE IF NOT EXISTS indicator_definitions (
  set_code VARCHAR(64) NOT NULL,
  set_version BIGINT NOT NULL,
  position INT NOT NULL,
  code VARCHAR(64) NOT NULL,
  name_zh VARCHAR(400) NOT NULL,
  name_en VARCHAR(400) NOT NULL,
  numerator VARCHAR(1000) NOT NULL,
  denominator VARCHAR(1000) NOT NULL,
  factor DOUBLE NOT NULL,
  direction TINYINT NOT NULL,
  has_target BOOLEAN NOT NULL,
  target_value DOUBLE NOT NULL,
  target_comparison TINYINT NOT NULL,
  growth BOOLEAN NOT NULL,
  definition_version BIGINT NOT NULL,
  PRIMARY KEY (set_code, set_version, position),
  UNIQUE KEY uk_indicator_definitions_code (set_code, set_version, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One value per element, org unit and period (a day or a month). org_kind: 1 institution,
-- 2 community, 3 division. first_day/last_day are the period's days, for range queries.
CREATE TABLE IF NOT EXISTS data_values (
  element_code VARCHAR(64) NOT NULL,
  org_kind TINYINT NOT NULL,
  org_id VARCHAR(64) NOT NULL,
  period VARCHAR(10) NOT NULL,
  first_day DATE NOT NULL,
  last_day DATE NOT NULL,
  value BIGINT NOT NULL,
  source TINYINT NOT NULL,
  provenance VARCHAR(400) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  PRIMARY KEY (element_code, org_id, period),
  KEY ix_data_values_org (org_id, first_day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- An approved (locked) month or year of a county.
CREATE TABLE IF NOT EXISTS approvals (
  county_division_code CHAR(6) NOT NULL,
  period VARCHAR(10) NOT NULL,
  first_day DATE NOT NULL,
  last_day DATE NOT NULL,
  actor VARCHAR(200) NOT NULL,
  approve_time DATETIME(6) NOT NULL,
  PRIMARY KEY (county_division_code, period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
