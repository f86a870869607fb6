-- Idempotency of creates, one mechanism in every domain schema (common/service/idempotency.h).
-- One row per client request_id, claimed first in the create's transaction: a concurrent repeat
-- waits on the row lock, then replays. It holds a digest of the request, to refuse a key reused
-- for another request, and what the first call made: the resource's id, and, where the service
-- answers a repeat with the first response rather than the resource as it is now, that response.
-- A failed create rolls its row back. Rows are kept; purging old ones is an operations task once
-- volumes call for it. DATETIME, not TIMESTAMP: TIMESTAMP ends in 2038.
CREATE TABLE IF NOT EXISTS request_claims (
  request_id VARCHAR(64) NOT NULL,
  method VARCHAR(64) NOT NULL,
  request_sha256 CHAR(64) NOT NULL,
  resource_id VARCHAR(64) NULL,
  response LONGBLOB NULL,
  create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (request_id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
