-- CreateReferral's idempotency moves to the kit's request_claims (common/service/idempotency.h;
-- component "requests", applied before this service's migrations). The keys of the referrals
-- created before are copied there, so that their repeats still return them and a reused key is
-- still refused. New referrals leave referrals.request_id and request_sha256 NULL; the columns stay
-- until no cmc-referral older than this migration runs (during a rolling update an old replica
-- still writes them), and a later migration drops them. Written for MariaDB 10.11 and MySQL 8.
INSERT INTO request_claims (request_id, method, request_sha256, resource_id, create_time)
SELECT r.request_id, 'CreateReferral', r.request_sha256, r.id, r.create_time
FROM referrals r
WHERE NOT EXISTS (SELECT 1 FROM request_claims c WHERE c.request_id = r.request_id);
ALTER TABLE referrals MODIFY request_id VARCHAR(64) NULL, MODIFY request_sha256 CHAR(64) NULL;
