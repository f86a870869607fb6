-- Where each consumer of another service's event feed stands (common/service/feed_consumer.h):
-- the last sequence of `source`'s feed whose effects this schema holds, for one purpose
-- (`consumer`). It advances in the same transaction that applies the events, so each event is
-- applied exactly once in effect whatever crashes or replays happen. DATETIME, not TIMESTAMP.
CREATE TABLE IF NOT EXISTS feed_cursors (
  source VARCHAR(32) NOT NULL,
  consumer VARCHAR(64) NOT NULL,
  last_sequence BIGINT NOT NULL DEFAULT 0,
  update_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (source, consumer)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
