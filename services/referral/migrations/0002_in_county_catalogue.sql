-- The county's in-county condition catalogue (县域内诊疗病种目录), see InCountyCondition in
-- referral.proto.
--
-- One row per entry, keyed by its ICD-10 code or code prefix. `record` is the whole
-- cmc.referral.v1.InCountyCondition (serialized protobuf): what the API returns. The other
-- columns copy the facts the list filters by; the store writes both from the same message in one
-- statement. `version` guards every replacement and delete. The history of the catalogue is its
-- events in the outbox (referral.InCountyCondition{Created,Updated,Deleted}, each with the entry).
CREATE TABLE IF NOT EXISTS in_county_conditions (
  -- Binary collation: codes compare byte by byte, so "E11" < "E11.9" < "I10" and paging by code
  -- is stable.
  icd10_code VARCHAR(16) NOT NULL,
  version BIGINT NOT NULL,
  lowest_tier TINYINT NOT NULL,
  down_referral_suited TINYINT NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY (icd10_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
