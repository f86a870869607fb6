-- Postings of staff to institutions other than their employer (institution service, schema
-- cmc_institution). Same conventions as 0001. start_date and end_date are both inclusive; end_date
-- NULL means open-ended. Rows are never deleted: they are the posting history.

CREATE TABLE IF NOT EXISTS postings (
  row_no BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(64) NOT NULL,
  staff_id VARCHAR(64) NOT NULL,
  from_institution_id VARCHAR(64) NOT NULL,
  to_institution_id VARCHAR(64) NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE NULL,
  create_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  update_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (row_no),
  UNIQUE KEY uk_postings_id (id),
  KEY ix_postings_staff (staff_id, start_date),
  KEY ix_postings_from (from_institution_id, row_no),
  KEY ix_postings_to (to_institution_id, row_no),
  CONSTRAINT fk_postings_staff FOREIGN KEY (staff_id) REFERENCES staff (id),
  CONSTRAINT fk_postings_from FOREIGN KEY (from_institution_id) REFERENCES institutions (id),
  CONSTRAINT fk_postings_to FOREIGN KEY (to_institution_id) REFERENCES institutions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
