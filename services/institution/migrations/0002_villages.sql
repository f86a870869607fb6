-- Administrative villages served by a community (institution service, schema cmc_institution).
-- Same conventions as 0001: utf8mb4_bin, enumerations as proto numbers, row_no as the paging key.
-- division_code is a national code and unique: a village is registered once in a deployment.

CREATE TABLE IF NOT EXISTS villages (
  row_no BIGINT NOT NULL AUTO_INCREMENT,
  id VARCHAR(64) NOT NULL,
  community_id VARCHAR(64) NOT NULL,
  division_code CHAR(12) NOT NULL,
  name VARCHAR(100) NOT NULL,
  population INT NOT NULL,
  township_center_id VARCHAR(64) NOT NULL,
  village_clinic_id VARCHAR(64) NULL,
  has_resident_village_doctor TINYINT NOT NULL,
  version BIGINT NOT NULL,
  create_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  update_time TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (row_no),
  UNIQUE KEY uk_villages_id (id),
  UNIQUE KEY uk_villages_division_code (division_code),
  KEY ix_villages_community (community_id, row_no),
  KEY ix_villages_township_center (township_center_id, row_no),
  KEY ix_villages_village_clinic (village_clinic_id, row_no),
  CONSTRAINT fk_villages_community FOREIGN KEY (community_id) REFERENCES communities (id),
  CONSTRAINT fk_villages_township_center FOREIGN KEY (township_center_id)
    REFERENCES institutions (id),
  CONSTRAINT fk_villages_village_clinic FOREIGN KEY (village_clinic_id) REFERENCES institutions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
