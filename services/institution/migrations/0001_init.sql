-- Communities, institutions and memberships (institution service, schema cmc_institution).
-- Every table is utf8mb4 with the binary collation: names compare and match exactly, character by
-- character. The Unicode collations would treat some rare CJK characters (beyond the BMP, common in
-- personal and place names) as equal, and a search would then return the wrong rows.
-- Enumerations are stored as their proto numbers, which contract rules keep stable.
-- row_no orders rows by creation and is the paging key; id is the opaque public identifier.

CREATE TABLE IF NOT EXISTS institutions (
  row_no BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(64) NOT NULL,
  uscc CHAR(18) NOT NULL,
  name VARCHAR(100) NOT NULL,
  kind CHAR(4) NOT NULL,
  tier TINYINT NOT NULL,
  division_code CHAR(12) NOT NULL,
  parent_institution_id VARCHAR(64) NULL,
  beds INT NOT NULL,
  -- Hosted shared centers as comma-separated SharedCenter numbers in ascending order, e.g. "1,3".
  shared_centers VARCHAR(64) NOT NULL,
  status TINYINT NOT NULL,
  version BIGINT NOT NULL,
  create_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  update_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (row_no),
  UNIQUE KEY uk_institutions_id (id),
  UNIQUE KEY uk_institutions_uscc (uscc),
  KEY ix_institutions_tier (tier, row_no),
  KEY ix_institutions_kind (kind, row_no),
  KEY ix_institutions_status (status, row_no),
  KEY ix_institutions_parent (parent_institution_id),
  CONSTRAINT fk_institutions_parent FOREIGN KEY (parent_institution_id) REFERENCES institutions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS communities (
  row_no BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(64) NOT NULL,
  code VARCHAR(32) NOT NULL,
  name VARCHAR(100) NOT NULL,
  county_division_code CHAR(6) NOT NULL,
  lead_institution_id VARCHAR(64) NULL,
  status TINYINT NOT NULL,
  version BIGINT NOT NULL,
  create_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  update_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (row_no),
  UNIQUE KEY uk_communities_id (id),
  UNIQUE KEY uk_communities_code (code),
  KEY ix_communities_county (county_division_code, row_no),
  KEY ix_communities_status (status, row_no),
  CONSTRAINT fk_communities_lead FOREIGN KEY (lead_institution_id) REFERENCES institutions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- valid_from and valid_to are both inclusive; valid_to NULL means open-ended.
CREATE TABLE IF NOT EXISTS memberships (
  row_no BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(64) NOT NULL,
  institution_id VARCHAR(64) NOT NULL,
  community_id VARCHAR(64) NOT NULL,
  kind TINYINT NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  create_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  update_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (row_no),
  UNIQUE KEY uk_memberships_id (id),
  KEY ix_memberships_institution (institution_id, valid_from),
  KEY ix_memberships_community (community_id, valid_from),
  CONSTRAINT fk_memberships_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT fk_memberships_community FOREIGN KEY (community_id) REFERENCES communities (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Idempotency of creates: one row per client request_id, claimed first in the create's transaction
-- (a concurrent repeat waits on the row lock, then replays), holding a digest of the request to
-- detect a reused key and the first response to return on a repeat. A failed create rolls its row
-- back. Rows are kept; purging old ones is an operations task once volumes call for it.
CREATE TABLE IF NOT EXISTS create_requests (
  request_id VARCHAR(64) NOT NULL,
  method VARCHAR(64) NOT NULL,
  payload_sha256 CHAR(64) NOT NULL,
  response LONGBLOB NULL,
  create_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (request_id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
