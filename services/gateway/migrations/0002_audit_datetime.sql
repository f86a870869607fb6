-- Audit timestamps survive 2038: TIMESTAMP ends at 2038-01-19 03:14:07 UTC, DATETIME(6) runs to
-- the year 9999. Every connection works in UTC (SET time_zone = '+00:00', common/db/pool.cc), so
-- the stored instants read back unchanged. The gateway's schema has no other TIMESTAMP column.
ALTER TABLE audit_records MODIFY occurred_at DATETIME(6) NOT NULL;
