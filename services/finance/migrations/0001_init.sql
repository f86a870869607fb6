-- The finance service's schema (cmc_finance): the ledger (journal entries and their lines), the
-- settlement policies, annual budgets, monthly prepayments and finalized settlements of each
-- community, and the insurer's claims with their monthly totals.
--
-- Records are kept as the whole cmc.finance.v1 message (serialized protobuf, column `record`), which
-- is what the API returns; the other columns copy what queries search and sum by, written from the
-- same message in the same statement. Amounts are BIGINT fen. Times are UTC; days are county civil
-- days.

-- Immutable journal entries; (community_id, external_key) is the idempotency key.
CREATE TABLE IF NOT EXISTS journal_entries (
  row_no BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(64) NOT NULL,
  community_id VARCHAR(64) NOT NULL,
  external_key VARCHAR(64) NOT NULL,
  entry_date DATE NOT NULL,
  reversed_by VARCHAR(64) NOT NULL DEFAULT '',
  create_time DATETIME(6) NOT NULL,
  record MEDIUMBLOB NOT NULL,
  PRIMARY KEY (row_no),
  UNIQUE KEY uk_journal_entries_id (id),
  UNIQUE KEY uk_journal_entries_key (community_id, external_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per line: what balances and statements sum. side 1 debit, 2 credit (cmc.finance.v1.Side).
CREATE TABLE IF NOT EXISTS journal_lines (
  entry_row BIGINT NOT NULL,
  line_no INT NOT NULL,
  owner_id VARCHAR(64) NOT NULL,
  purpose TINYINT NOT NULL,
  entry_date DATE NOT NULL,
  side TINYINT NOT NULL,
  amount BIGINT NOT NULL,
  PRIMARY KEY (entry_row, line_no),
  KEY ix_journal_lines_account (owner_id, purpose, entry_date, entry_row)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Settlement policy versions per community and year (cmc.finance.v1.SettlementPolicy).
CREATE TABLE IF NOT EXISTS policies (
  community_id VARCHAR(64) NOT NULL,
  year INT NOT NULL,
  version BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY (community_id, year, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The current annual budget per community and year (cmc.finance.v1.AnnualBudget); its versions
-- are announced by finance.BudgetSet events.
CREATE TABLE IF NOT EXISTS budgets (
  community_id VARCHAR(64) NOT NULL,
  year INT NOT NULL,
  version BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  update_time DATETIME(6) NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY (community_id, year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One prepayment per community and month (cmc.finance.v1.Prepayment); month is 'YYYY-MM'.
CREATE TABLE IF NOT EXISTS prepayments (
  community_id VARCHAR(64) NOT NULL,
  month CHAR(7) NOT NULL,
  year INT NOT NULL,
  amount BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY (community_id, month),
  KEY ix_prepayments_year (community_id, year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Finalized year-end settlements (cmc.finance.v1.YearEndSettlement): at most one per year.
CREATE TABLE IF NOT EXISTS settlements (
  community_id VARCHAR(64) NOT NULL,
  year INT NOT NULL,
  id VARCHAR(64) NOT NULL,
  finalize_time DATETIME(6) NOT NULL,
  record MEDIUMBLOB NOT NULL,
  PRIMARY KEY (community_id, year),
  UNIQUE KEY uk_settlements_id (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The insurer's claims (cmc.finance.v1.Claim without output-only fields); claim_id is unique in
-- the deployment. location 1 in county, 2 out of county (cmc.finance.v1.CareLocation);
-- institution_id is '' out of county.
CREATE TABLE IF NOT EXISTS claims (
  claim_id VARCHAR(64) NOT NULL,
  community_id VARCHAR(64) NOT NULL,
  location TINYINT NOT NULL,
  institution_id VARCHAR(64) NOT NULL,
  end_date DATE NOT NULL,
  total_cost BIGINT NOT NULL,
  fund_paid BIGINT NOT NULL,
  patient_paid BIGINT NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY (claim_id),
  KEY ix_claims_community_day (community_id, end_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Totals of the claims per community, location, institution and month ('YYYY-MM' of end_date),
-- kept by the ingest in the same transaction: what settlements and finance.FundSpendingRecorded
-- read instead of summing millions of claims.
CREATE TABLE IF NOT EXISTS claim_totals (
  community_id VARCHAR(64) NOT NULL,
  location TINYINT NOT NULL,
  institution_id VARCHAR(64) NOT NULL,
  month CHAR(7) NOT NULL,
  claim_count BIGINT NOT NULL,
  total_cost BIGINT NOT NULL,
  fund_paid BIGINT NOT NULL,
  patient_paid BIGINT NOT NULL,
  PRIMARY KEY (community_id, location, institution_id, month)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Price list versions of the shared centers' service items per community
-- (cmc.finance.v1.PriceList).
CREATE TABLE IF NOT EXISTS price_lists (
  community_id VARCHAR(64) NOT NULL,
  version BIGINT NOT NULL,
  effective_from DATE NOT NULL,
  create_time DATETIME(6) NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY (community_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Services a shared center gave a requesting member (cmc.finance.v1.ServiceRecord).
CREATE TABLE IF NOT EXISTS service_records (
  row_no BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(64) NOT NULL,
  community_id VARCHAR(64) NOT NULL,
  date DATE NOT NULL,
  create_time DATETIME(6) NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY (row_no),
  UNIQUE KEY uk_service_records_id (id),
  KEY ix_service_records_community_date (community_id, date, row_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Months whose internal statements are posted (cmc.finance.v1.InternalStatementBatch).
CREATE TABLE IF NOT EXISTS internal_statements (
  community_id VARCHAR(64) NOT NULL,
  month CHAR(7) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  record MEDIUMBLOB NOT NULL,
  PRIMARY KEY (community_id, month)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
