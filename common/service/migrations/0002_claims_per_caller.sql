-- Idempotency keys are claimed per caller: the same request_id from two principals is two claims,
-- so one caller can neither replay another's create nor squat its key. The caller is stored as
-- the SHA-256 (lower-case hex) of the principal's subject: fixed width, ASCII, whatever the
-- subject holds. Keys claimed before this migration (and keys that later migrations of a service
-- copy in from its own older tables) belong to the anonymous caller, the SHA-256 of "": before
-- it no key had a caller.
ALTER TABLE request_claims
  ADD COLUMN caller_sha256 CHAR(64) NOT NULL
    DEFAULT 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' FIRST,
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (caller_sha256, request_id);
