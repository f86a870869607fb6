-- What each applied feed event added to a derived data value: one row per event and element, so a
-- derived value is explained down to its events (data_values.provenance names their range and
-- count) and an event can never be added twice (the primary key), besides the feed cursor that
-- advances in the same transaction.
CREATE TABLE IF NOT EXISTS derived_contributions (
  source VARCHAR(32) NOT NULL,
  sequence BIGINT NOT NULL,
  element_code VARCHAR(64) NOT NULL,
  org_id VARCHAR(64) NOT NULL,
  period VARCHAR(10) NOT NULL,
  amount BIGINT NOT NULL,
  apply_time DATETIME(6) NOT NULL,
  PRIMARY KEY (source, sequence, element_code),
  KEY ix_derived_contributions_value (element_code, org_id, period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
