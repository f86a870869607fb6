-- Idempotency keys move to the kit's table request_claims (common/service/idempotency.h), created
-- by the runner's "requests" component before this one. Keys already claimed there are left as
-- they are. resource_id stays NULL for the copied rows: the institution service answers a repeat
-- from the stored response, which is copied. Plain INSERT ... SELECT and DROP TABLE: valid on
-- MariaDB 10.11 and MySQL 8.
INSERT INTO request_claims (request_id, method, request_sha256, response, create_time)
SELECT c.request_id, c.method, c.payload_sha256, c.response, c.create_time
FROM create_requests c
WHERE NOT EXISTS (SELECT 1 FROM request_claims r WHERE r.request_id = c.request_id);

DROP TABLE create_requests;
