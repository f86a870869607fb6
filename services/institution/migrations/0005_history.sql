-- Effective-dated history of the facts ListSubtree and GetStaffingSummary read on a past day
-- (institution service, schema cmc_institution). Same conventions as 0001.
--
-- One row per version: the values that held from valid_from to valid_to (both inclusive civil
-- days in Asia/Shanghai; valid_to NULL for the open, current version, which always equals the
-- row in institutions / staff). Versions of one resource never overlap and leave no gap: a change
-- on day D closes the open version on D - 1 and opens one from D; a second change on D replaces
-- D's version. is_first marks the version written at registration (or by the backfill below):
-- it also holds on every day before its valid_from, since the registry knows nothing earlier
-- (the memberships say when an institution belonged to a community). Rows are written in the
-- transaction of the change and never deleted.

CREATE TABLE IF NOT EXISTS institution_history (
  row_no BIGINT NOT NULL AUTO_INCREMENT,
  institution_id VARCHAR(64) NOT NULL,
  parent_institution_id VARCHAR(64) NULL,
  status TINYINT NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  is_first TINYINT NOT NULL,
  PRIMARY KEY (row_no),
  UNIQUE KEY uk_institution_history_day (institution_id, valid_from),
  KEY ix_institution_history_parent (parent_institution_id),
  CONSTRAINT fk_institution_history_institution FOREIGN KEY (institution_id)
    REFERENCES institutions (id),
  CONSTRAINT fk_institution_history_parent FOREIGN KEY (parent_institution_id)
    REFERENCES institutions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS staff_history (
  row_no BIGINT NOT NULL AUTO_INCREMENT,
  staff_id VARCHAR(64) NOT NULL,
  institution_id VARCHAR(64) NOT NULL,
  status TINYINT NOT NULL,
  qualification TINYINT NOT NULL,
  title_code VARCHAR(3) NOT NULL,
  general_practitioner TINYINT NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NULL,
  is_first TINYINT NOT NULL,
  PRIMARY KEY (row_no),
  UNIQUE KEY uk_staff_history_day (staff_id, valid_from),
  KEY ix_staff_history_institution (institution_id),
  CONSTRAINT fk_staff_history_staff FOREIGN KEY (staff_id) REFERENCES staff (id),
  CONSTRAINT fk_staff_history_institution FOREIGN KEY (institution_id)
    REFERENCES institutions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Backfill: every existing row's current values as its first version, from its registration day
-- in Asia/Shanghai (create_time reads in the session's time zone).
INSERT INTO institution_history (institution_id, parent_institution_id, status, valid_from,
                                 valid_to, is_first)
SELECT i.id, i.parent_institution_id, i.status,
       DATE(CONVERT_TZ(i.create_time, @@session.time_zone, '+08:00')), NULL, 1
FROM institutions i
WHERE NOT EXISTS (SELECT 1 FROM institution_history h WHERE h.institution_id = i.id);

INSERT INTO staff_history (staff_id, institution_id, status, qualification, title_code,
                           general_practitioner, valid_from, valid_to, is_first)
SELECT s.id, s.institution_id, s.status, s.qualification, s.title_code, s.general_practitioner,
       DATE(CONVERT_TZ(s.create_time, @@session.time_zone, '+08:00')), NULL, 1
FROM staff s
WHERE NOT EXISTS (SELECT 1 FROM staff_history h WHERE h.staff_id = s.id);
