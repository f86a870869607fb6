-- The audit trail: one row per call through the gateway that changes data (see
-- services/gateway/audit_record.h). Written in batches by the asynchronous audit writer, read by
-- ListAuditRecords newest first (by id), purged by age (--audit_retention_days).
CREATE TABLE audit_records (
  id BIGINT NOT NULL AUTO_INCREMENT,
  occurred_at TIMESTAMP(6) NOT NULL,
  subject VARCHAR(255) NOT NULL,
  roles VARCHAR(1024) NOT NULL,
  method VARCHAR(255) NOT NULL,
  request_id VARCHAR(128) NOT NULL,
  code VARCHAR(32) NOT NULL,
  latency_ms BIGINT NOT NULL,
  peer VARCHAR(255) NOT NULL,
  personal_data_read BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (id),
  KEY audit_records_by_time (occurred_at),
  KEY audit_records_by_subject (subject, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
