-- The default data elements and the default indicator set CN_CMC_MONITORING, version 1: the
-- national monitoring indicators of domain.md §6. Provinces save their own sets (or new versions of
-- this one) through SaveIndicatorSet. Enumeration numbers as in 0001_init.sql. The down and up
-- referral elements are DERIVED (kept from the referral service's event feed); the others are
-- reported until their source service's feed is followed.
INSERT INTO data_elements (code, name_zh, name_en, value_type, aggregation, source, create_time) VALUES
  ('ADMISSIONS_RESIDENT_IN_COUNTY', '参保居民县域内住院人次', 'Admissions of insured residents in county', 1, 1, 1, '2026-01-01 00:00:00.000000'),
  ('ADMISSIONS_RESIDENT_ALL', '参保居民住院总人次', 'Admissions of insured residents anywhere', 1, 1, 1, '2026-01-01 00:00:00.000000'),
  ('VISITS_TOTAL', '诊疗人次', 'Visits', 1, 1, 1, '2026-01-01 00:00:00.000000'),
  ('VISITS_PRIMARY', '基层医疗卫生机构诊疗人次', 'Visits at township and village institutions', 1, 1, 1, '2026-01-01 00:00:00.000000'),
  ('VISITS_TCM', '中医类诊疗人次', 'TCM visits', 1, 1, 1, '2026-01-01 00:00:00.000000'),
  ('FUND_RESIDENT_IN_COUNTY_FEN', '医保基金县域内支出（分）', 'Insurance fund paid in county for residents (fen)', 2, 1, 1, '2026-01-01 00:00:00.000000'),
  ('FUND_RESIDENT_ALL_FEN', '医保基金支出（分）', 'Insurance fund paid for residents anywhere (fen)', 2, 1, 1, '2026-01-01 00:00:00.000000'),
  ('FUND_PRIMARY_FEN', '县域内基层医保基金支出（分）', 'Insurance fund paid to township and village institutions (fen)', 2, 1, 1, '2026-01-01 00:00:00.000000'),
  ('SURGERIES_TOTAL', '出院患者手术例数', 'Surgeries of discharged patients', 1, 1, 1, '2026-01-01 00:00:00.000000'),
  ('SURGERIES_LEVEL3', '出院患者三级手术例数', 'Level-3 surgeries of discharged patients', 1, 1, 1, '2026-01-01 00:00:00.000000'),
  ('SURGERIES_LEVEL4', '出院患者四级手术例数', 'Level-4 surgeries of discharged patients', 1, 1, 1, '2026-01-01 00:00:00.000000'),
  ('DOWN_REFERRALS_OUTPATIENT', '门诊下转人次', 'Outpatient down referrals', 1, 1, 2, '2026-01-01 00:00:00.000000'),
  ('DOWN_REFERRALS_INPATIENT', '住院下转人次', 'Inpatient down referrals', 1, 1, 2, '2026-01-01 00:00:00.000000'),
  ('UP_REFERRALS_OUTPATIENT', '门诊上转人次', 'Outpatient up referrals', 1, 1, 2, '2026-01-01 00:00:00.000000'),
  ('UP_REFERRALS_INPATIENT', '住院上转人次', 'Inpatient up referrals', 1, 1, 2, '2026-01-01 00:00:00.000000'),
  ('STATIONED_PHYSICIANS', '派驻医师人数', 'Physicians stationed downward', 1, 2, 1, '2026-01-01 00:00:00.000000'),
  ('REMOTE_READS', '远程影像心电诊断例数', 'Remote imaging and ECG reads', 1, 1, 1, '2026-01-01 00:00:00.000000'),
  ('INPATIENT_COST_FEN', '住院总费用（分）', 'Inpatient cost (fen)', 2, 1, 1, '2026-01-01 00:00:00.000000'),
  ('DISCHARGES', '出院人次', 'Discharges', 1, 1, 1, '2026-01-01 00:00:00.000000'),
  ('GENERAL_PRACTITIONERS', '全科医生数', 'General practitioners', 1, 2, 1, '2026-01-01 00:00:00.000000'),
  ('POPULATION', '常住人口数', 'Resident population', 1, 2, 1, '2026-01-01 00:00:00.000000'),
  ('CHRONIC_MANAGED_PATIENTS', '规范管理高血压糖尿病患者数', 'Managed hypertension and diabetes patients', 1, 2, 1, '2026-01-01 00:00:00.000000'),
  ('CHRONIC_MANAGED_ADMISSIONS', '规范管理慢病患者住院人次', 'Admissions of managed hypertension and diabetes patients', 1, 1, 1, '2026-01-01 00:00:00.000000');

INSERT INTO indicator_sets (code, version, name_zh, name_en, saved_by, saved_at) VALUES
  ('CN_CMC_MONITORING', 1, '紧密型县域医共体监测指标', 'County medical community monitoring indicators', 'migration', '2026-01-01 00:00:00.000000');

INSERT INTO indicator_definitions (set_code, set_version, position, code, name_zh, name_en,
  numerator, denominator, factor, direction, has_target, target_value, target_comparison, growth,
  definition_version) VALUES
  ('CN_CMC_MONITORING', 1, 0, 'IN_COUNTY_ADMISSION_RATE', '县域内住院人次占比', 'In-county share of insured residents admissions', 'ADMISSIONS_RESIDENT_IN_COUNTY', 'ADMISSIONS_RESIDENT_ALL', 100, 1, 1, 90, 1, 0, 1),
  ('CN_CMC_MONITORING', 1, 1, 'PRIMARY_VISIT_SHARE', '县域内基层医疗卫生机构诊疗人次占比', 'Primary-care share of visits', 'VISITS_PRIMARY', 'VISITS_TOTAL', 100, 1, 1, 65, 1, 0, 1),
  ('CN_CMC_MONITORING', 1, 2, 'FUND_IN_COUNTY_SHARE', '医保基金县域内支出占比', 'Insurance fund spent in county', 'FUND_RESIDENT_IN_COUNTY_FEN', 'FUND_RESIDENT_ALL_FEN', 100, 1, 0, 0, 0, 0, 1),
  ('CN_CMC_MONITORING', 1, 3, 'FUND_PRIMARY_SHARE', '县域内基层医保支出占比', 'Primary share of in-county fund', 'FUND_PRIMARY_FEN', 'FUND_RESIDENT_IN_COUNTY_FEN', 100, 1, 0, 0, 0, 0, 1),
  ('CN_CMC_MONITORING', 1, 4, 'SURGERY_LEVEL34_SHARE', '出院患者三、四级手术比例', 'Level-3 and level-4 share of surgeries', 'SURGERIES_LEVEL3 + SURGERIES_LEVEL4', 'SURGERIES_TOTAL', 100, 1, 0, 0, 0, 0, 1),
  ('CN_CMC_MONITORING', 1, 5, 'SURGERY_LEVEL3_SHARE', '出院患者三级手术比例', 'Level-3 share of surgeries', 'SURGERIES_LEVEL3', 'SURGERIES_TOTAL', 100, 1, 0, 0, 0, 0, 1),
  ('CN_CMC_MONITORING', 1, 6, 'SURGERY_LEVEL4_SHARE', '出院患者四级手术比例', 'Level-4 share of surgeries', 'SURGERIES_LEVEL4', 'SURGERIES_TOTAL', 100, 1, 0, 0, 0, 0, 1),
  ('CN_CMC_MONITORING', 1, 7, 'DOWN_REFERRALS', '下转患者人次数', 'Down-referral person-times', 'DOWN_REFERRALS_OUTPATIENT + DOWN_REFERRALS_INPATIENT', '', 1, 1, 0, 0, 0, 0, 1),
  ('CN_CMC_MONITORING', 1, 8, 'STATIONED_PHYSICIANS', '医师派驻人数', 'Physicians stationed downward', 'STATIONED_PHYSICIANS', '', 1, 1, 0, 0, 0, 0, 1),
  ('CN_CMC_MONITORING', 1, 9, 'REMOTE_READS', '远程影像心电服务量', 'Remote imaging and ECG service volume', 'REMOTE_READS', '', 1, 1, 0, 0, 0, 0, 1),
  ('CN_CMC_MONITORING', 1, 10, 'TCM_VISIT_SHARE', '中医类诊疗量占比', 'TCM share of visits', 'VISITS_TCM', 'VISITS_TOTAL', 100, 1, 0, 0, 0, 0, 1),
  ('CN_CMC_MONITORING', 1, 11, 'INPATIENT_COST_PER_CASE', '次均住院费用（元）', 'Inpatient cost per case (yuan)', 'INPATIENT_COST_FEN', 'DISCHARGES', 0.01, 2, 0, 0, 0, 0, 1),
  ('CN_CMC_MONITORING', 1, 12, 'INPATIENT_COST_GROWTH', '次均住院费用增长率', 'Growth of inpatient cost per case', 'INPATIENT_COST_FEN', 'DISCHARGES', 100, 2, 0, 0, 0, 1, 1),
  ('CN_CMC_MONITORING', 1, 13, 'GP_PER_10K_RESIDENTS', '每万人口全科医生数', 'General practitioners per 10,000 residents', 'GENERAL_PRACTITIONERS', 'POPULATION', 10000, 1, 0, 0, 0, 0, 1),
  ('CN_CMC_MONITORING', 1, 14, 'CHRONIC_ADMISSION_RATE', '规范管理慢病患者住院率', 'Admission rate of managed chronic patients', 'CHRONIC_MANAGED_ADMISSIONS', 'CHRONIC_MANAGED_PATIENTS', 100, 2, 0, 0, 0, 0, 1);
