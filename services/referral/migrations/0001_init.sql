-- Referrals of the referral service (schema cmc_referral).
--
-- One row per referral. `record` is the whole cmc.referral.v1.Referral (serialized protobuf, resident
-- ID unmasked, transitions included): it is what the API returns, so a new field in the contract
-- needs no migration. The other columns copy the facts the list filters, the expiry sweep and the
-- statistics search by; the store writes both from the same message in one statement, so they
-- cannot disagree. `version` guards every update (UPDATE ... WHERE id = ? AND version = ?).
-- Times are UTC (the pool's session time zone).
CREATE TABLE IF NOT EXISTS referrals (
  row_no BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(64) NOT NULL,
  -- Idempotency of CreateReferral: the client's key and a digest of its request, so that a repeat
  -- returns this row and a reused key with another payload is refused.
  request_id VARCHAR(64) NOT NULL,
  request_sha256 CHAR(64) NOT NULL,
  status TINYINT NOT NULL,
  version BIGINT NOT NULL,
  direction TINYINT NOT NULL,
  type TINYINT NOT NULL,
  from_institution_id VARCHAR(64) NOT NULL,
  -- The addressed institution, or the one that claimed a tier-open referral; '' while unclaimed
  -- and for an external hospital.
  receiving_institution_id VARCHAR(64) NOT NULL DEFAULT '',
  -- The tier a tier-open referral is addressed to; 0 otherwise.
  to_tier TINYINT NOT NULL DEFAULT 0,
  -- USCC of the external hospital of an out-of-county referral; '' otherwise.
  to_external_uscc VARCHAR(18) NOT NULL DEFAULT '',
  patient_resident_id VARCHAR(18) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  -- While REQUESTED or RECEIVED: when the referral expires unanswered; NULL otherwise.
  expire_time DATETIME(6) NULL,
  record MEDIUMBLOB NOT NULL,
  PRIMARY KEY (row_no),
  UNIQUE KEY uk_referrals_id (id),
  UNIQUE KEY uk_referrals_request_id (request_id),
  KEY ix_referrals_from (from_institution_id, row_no),
  KEY ix_referrals_receiving (receiving_institution_id, row_no),
  KEY ix_referrals_open_tier (to_tier, receiving_institution_id, row_no),
  KEY ix_referrals_patient (patient_resident_id, row_no),
  KEY ix_referrals_create_time (create_time),
  KEY ix_referrals_expiry (status, expire_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
