-- The caller's org scope of each audit record, one row per entry ("county", "community:<id>",
-- "institution:<id>"), so ListAuditRecords can show an auditor scoped to a community only the
-- calls of callers whose every scope entry lies in that community (docs/decisions.md, D35).
-- Records written before this migration have no entries: only county auditors see them.
CREATE TABLE audit_record_scopes (
  record_id BIGINT NOT NULL,
  entry VARCHAR(255) NOT NULL,
  PRIMARY KEY (record_id, entry),
  CONSTRAINT audit_record_scopes_record FOREIGN KEY (record_id) REFERENCES audit_records (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
