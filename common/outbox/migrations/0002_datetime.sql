-- TIMESTAMP ends on 2038-01-19; event times must outlive it. The pool's sessions are in UTC, so
-- the converted values stay UTC, as the readers expect.
ALTER TABLE outbox MODIFY occurred_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6);
