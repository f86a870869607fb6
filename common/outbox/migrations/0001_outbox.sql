-- The transactional outbox (architecture rule 3). A service appends one row per domain event in
-- the transaction that makes the change; EventFeed serves them in sequence order.
CREATE TABLE IF NOT EXISTS outbox (
  sequence BIGINT NOT NULL PRIMARY KEY,
  event_id CHAR(36) NOT NULL,
  event_type VARCHAR(128) NOT NULL,
  aggregate_type VARCHAR(64) NOT NULL,
  aggregate_id VARCHAR(64) NOT NULL,
  actor VARCHAR(128) NOT NULL,
  payload_type VARCHAR(255) NOT NULL,
  payload LONGBLOB NOT NULL,
  occurred_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uk_outbox_event_id (event_id),
  KEY ix_outbox_aggregate (aggregate_type, aggregate_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row holding the last sequence handed out. Appending locks it until commit, so sequences
-- become visible in order and without gaps (see docs/decisions.md).
CREATE TABLE IF NOT EXISTS outbox_sequence (
  id TINYINT NOT NULL PRIMARY KEY,
  last_sequence BIGINT NOT NULL
) ENGINE=InnoDB;

INSERT IGNORE INTO outbox_sequence (id, last_sequence) VALUES (1, 0);
