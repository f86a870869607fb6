#!/usr/bin/env bash
# Validates the Prometheus configuration with promtool (offline):
#   1. `promtool check config` on prometheus.yml (also checks the rule files it names) and
#      `promtool check rules` on alerts.yml;
#   2. every CMC service's metrics port is scraped, and the expected alerts exist;
#   3. `promtool test rules`: the alerts fire on synthetic series that should trigger them and stay
#      quiet on ones that should not (caller errors such as NOT_FOUND, a flat timeout counter);
#   4. negative controls: a config with an unknown field and rules with broken PromQL are rejected,
#      so this test can fail.
#
#   tests/deploy/check_prometheus.sh [PROMETHEUS_YML [ALERTS_YML]]
#     (default: deploy/prometheus/prometheus.yml and deploy/prometheus/alerts.yml)
# Run by ctest (tests/deploy/CMakeLists.txt) from the repository root.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
config="${1:-$root/deploy/prometheus/prometheus.yml}"
alerts="${2:-$root/deploy/prometheus/alerts.yml}"

fail() { echo "check_prometheus: FAIL: $*" >&2; exit 1; }

if ! command -v promtool >/dev/null 2>&1; then
  fail "promtool is not installed; run scripts/bootstrap" \
       "(it installs Debian's prometheus package, which provides promtool, with --no-install-recommends)"
fi
[ -f "$config" ] || fail "$config not found"
[ -f "$alerts" ] || fail "$alerts not found"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
alerts="$(cd "$(dirname "$alerts")" && pwd)/$(basename "$alerts")"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# 1. Syntax and semantics.
out="$(promtool check config "$config" 2>&1)" || fail "promtool check config $config:"$'\n'"$out"
out="$(promtool check rules "$alerts" 2>&1)" || fail "promtool check rules $alerts:"$'\n'"$out"
echo "check_prometheus: promtool check config/rules: OK"

# 2. Coverage: the six metrics ports by compose service name, and the alerts we rely on.
for target in gateway:9100 institution:9101 referral:9102 dispatch:9103 finance:9104 indicator:9105; do
  grep -Eq "[\"' ]${target}[\"']" "$config" || fail "$config does not scrape $target"
done
grep -Eq '^ *scrape_interval: *15s' "$config" || fail "$config: scrape_interval is not 15s"
for alert in ServiceDown HighErrorRate DbPoolExhausted; do
  grep -Eq "^ *- alert: *${alert} *$" "$alerts" || fail "$alerts has no alert $alert"
done
echo "check_prometheus: all six services scraped; ServiceDown, HighErrorRate, DbPoolExhausted present"

# 3. Behaviour of the alerts. promtool compares the labels AND annotations of firing alerts, so
# the tests run against a copy of the rules without annotations: they pin what fires and with
# which labels, not the wording (template syntax is already checked by `check rules`).
cat >"$tmp/alerts_test.yml" <<EOF
rule_files:
  - $alerts
evaluation_interval: 1m
tests:
  - name: a scrape target that stays down fires ServiceDown after 1 minute
    interval: 1m
    input_series:
      - series: 'up{job="referral", instance="referral:9102"}'
        values: '1 0 0 0 0'
      - series: 'up{job="finance", instance="finance:9104"}'
        values: '1 1 1 1 1'
    alert_rule_test:
      - eval_time: 1m
        alertname: ServiceDown
        exp_alerts: []
      - eval_time: 3m
        alertname: ServiceDown
        exp_alerts:
          - exp_labels: {severity: critical, job: referral, instance: "referral:9102"}

  - name: server-side errors above 5% fire HighErrorRate; caller errors do not
    interval: 1m
    # The service label is the full gRPC service name (common/server/metrics.cc); job is the binary.
    input_series:
      # referral: 90 OK + 10 UNAVAILABLE a minute = 10% server errors.
      - series: 'cmc_grpc_requests_total{job="referral", service="cmc.referral.v1.ReferralService", method="CreateReferral", code="OK"}'
        values: '0+90x20'
      - series: 'cmc_grpc_requests_total{job="referral", service="cmc.referral.v1.ReferralService", method="CreateReferral", code="UNAVAILABLE"}'
        values: '0+10x20'
      # finance: half the calls fail, but only with the caller's errors.
      - series: 'cmc_grpc_requests_total{job="finance", service="cmc.finance.v1.FinanceService", method="GetClaim", code="OK"}'
        values: '0+50x20'
      - series: 'cmc_grpc_requests_total{job="finance", service="cmc.finance.v1.FinanceService", method="GetClaim", code="NOT_FOUND"}'
        values: '0+20x20'
      - series: 'cmc_grpc_requests_total{job="finance", service="cmc.finance.v1.FinanceService", method="SubmitClaim", code="FAILED_PRECONDITION"}'
        values: '0+20x20'
      - series: 'cmc_grpc_requests_total{job="finance", service="cmc.finance.v1.FinanceService", method="UpdateBudget", code="ABORTED"}'
        values: '0+10x20'
      # dispatch: 2% INTERNAL, below the threshold.
      - series: 'cmc_grpc_requests_total{job="dispatch", service="cmc.dispatch.v1.DispatchService", method="ListVisits", code="OK"}'
        values: '0+98x20'
      - series: 'cmc_grpc_requests_total{job="dispatch", service="cmc.dispatch.v1.DispatchService", method="ListVisits", code="INTERNAL"}'
        values: '0+2x20'
    alert_rule_test:
      - eval_time: 15m
        alertname: HighErrorRate
        exp_alerts:
          - exp_labels: {severity: warning, job: referral, service: cmc.referral.v1.ReferralService}

  - name: requests timing out on the connection pool fire DbPoolExhausted; a flat counter does not
    interval: 1m
    input_series:
      - series: 'cmc_db_pool_wait_timeouts_total{job="finance", instance="finance:9104"}'
        values: '0+3x20'
      - series: 'cmc_db_pool_wait_timeouts_total{job="referral", instance="referral:9102"}'
        values: '7x20'
    alert_rule_test:
      - eval_time: 10m
        alertname: DbPoolExhausted
        exp_alerts:
          - exp_labels: {severity: warning, job: finance}

  - name: a pool at 90% or more of its size for 10 minutes fires DbPoolSaturated
    interval: 1m
    input_series:
      - series: 'cmc_db_pool_connections{job="gateway", instance="gateway:9100", state="in_use"}'
        values: '8x20'
      - series: 'cmc_db_pool_size{job="gateway", instance="gateway:9100"}'
        values: '8x20'
      - series: 'cmc_db_pool_connections{job="dispatch", instance="dispatch:9103", state="in_use"}'
        values: '3x20'
      - series: 'cmc_db_pool_connections{job="dispatch", instance="dispatch:9103", state="idle"}'
        values: '0x20'
      - series: 'cmc_db_pool_size{job="dispatch", instance="dispatch:9103"}'
        values: '8x20'
    alert_rule_test:
      - eval_time: 15m
        alertname: DbPoolSaturated
        exp_alerts:
          - exp_labels: {severity: info, job: gateway}
EOF
"$(command -v /usr/bin/python3 || command -v python3)" - "$alerts" "$tmp/alerts_noannot.yml" <<'PY' \
  || fail "cannot prepare the rules copy for promtool test rules (python3 with PyYAML needed)"
import sys
import yaml
doc = yaml.safe_load(open(sys.argv[1]))
for group in doc["groups"]:
    for rule in group["rules"]:
        rule.pop("annotations", None)
yaml.safe_dump(doc, open(sys.argv[2], "w"), sort_keys=False)
PY
sed -i "s#^  - $alerts\$#  - $tmp/alerts_noannot.yml#" "$tmp/alerts_test.yml"
out="$(promtool test rules "$tmp/alerts_test.yml" 2>&1)" || fail "promtool test rules:"$'\n'"$out"
echo "check_prometheus: promtool test rules (ServiceDown, HighErrorRate, DbPoolExhausted, DbPoolSaturated): OK"

# 4. Negative controls.
sed 's/^global:$/global:\n  no_such_field: 1/' "$config" >"$tmp/bad-prometheus.yml"
cp "$alerts" "$tmp/$(basename "$alerts")"
if promtool check config "$tmp/bad-prometheus.yml" >"$tmp/out" 2>&1; then
  fail "promtool accepted a config with an unknown field"
fi
grep -q no_such_field "$tmp/out" || fail "the broken config was rejected for another reason: $(cat "$tmp/out")"
sed 's/expr: up == 0/expr: up == == 0/' "$alerts" >"$tmp/bad-alerts.yml"
cmp -s "$alerts" "$tmp/bad-alerts.yml" && fail "could not break a copy of $alerts (no 'expr: up == 0')"
if promtool check rules "$tmp/bad-alerts.yml" >"$tmp/out" 2>&1; then
  fail "promtool accepted rules with broken PromQL"
fi
echo "check_prometheus: a config with an unknown field and rules with broken PromQL are rejected"
echo "check_prometheus: OK"
