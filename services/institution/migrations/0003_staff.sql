-- Staff of member institutions (institution service, schema cmc_institution).
-- Same conventions as 0001. resident_id holds the full GB 11643 number (the service masks it on the
-- way out); it is unique, so one person is registered once in a deployment. gender and birth_date
-- are derived from it at registration.

CREATE TABLE IF NOT EXISTS staff (
  row_no BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(64) NOT NULL,
  resident_id CHAR(18) NOT NULL,
  name VARCHAR(100) NOT NULL,
  gender TINYINT NOT NULL,
  birth_date DATE NOT NULL,
  qualification TINYINT NOT NULL,
  title_code VARCHAR(3) NOT NULL,
  general_practitioner TINYINT NOT NULL,
  licence_number VARCHAR(32) NOT NULL,
  institution_id VARCHAR(64) NOT NULL,
  department VARCHAR(50) NOT NULL,
  status TINYINT NOT NULL,
  version BIGINT NOT NULL,
  create_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  update_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (row_no),
  UNIQUE KEY uk_staff_id (id),
  UNIQUE KEY uk_staff_resident_id (resident_id),
  KEY ix_staff_institution (institution_id, status, row_no),
  CONSTRAINT fk_staff_institution FOREIGN KEY (institution_id) REFERENCES institutions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
