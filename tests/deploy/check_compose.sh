#!/usr/bin/env bash
# Validates docker-compose.yml offline (no Docker engine needed) with Debian's docker-compose 1.29:
#   1. `docker-compose config -q` accepts the file;
#   2. all services are present, and the CMC wiring holds: shared image, per-service ports,
#      cmcctl health checks on the service's own port, each service's MySQL password equal to the
#      one the mysql container creates its user with, the gateway's backends and dependencies;
#   3. negative controls: a copy with an unknown key and a copy without the gateway are rejected,
#      so this test can fail;
#   4. the file has no default secrets: without the passwords in the environment it is refused,
#      naming the first missing one.
#
#   tests/deploy/check_compose.sh [COMPOSE_FILE]     (default: docker-compose.yml at the repo root)
# Run by ctest (tests/deploy/CMakeLists.txt) from the repository root.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
compose_file="${1:-$root/docker-compose.yml}"

fail() { echo "check_compose: FAIL: $*" >&2; exit 1; }

if ! command -v docker-compose >/dev/null 2>&1; then
  fail "docker-compose is not installed; run scripts/bootstrap" \
       "(it installs Debian's docker-compose with --no-install-recommends)"
fi
# docker-compose depends on python3-yaml, which Debian installs for /usr/bin/python3 (a pyenv
# python3 earlier in PATH may not have it).
python=/usr/bin/python3
[ -x "$python" ] || python=python3
"$python" -c 'import yaml' 2>/dev/null || fail "python3 with PyYAML not found; run scripts/bootstrap"
[ -f "$compose_file" ] || fail "$compose_file not found"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/empty.env"

# Interpolation must not depend on a developer's .env file or COMPOSE_* settings: read no .env,
# and resolve relative paths against the repository root whatever file is checked. The file has no
# default secrets, so every check sets the passwords; distinct ones prove the per-service wiring.
secrets=(CMC_DB_PASSWORD_INSTITUTION=pw-i CMC_DB_PASSWORD_REFERRAL=pw-r
  CMC_DB_PASSWORD_DISPATCH=pw-d CMC_DB_PASSWORD_FINANCE=pw-f CMC_DB_PASSWORD_INDICATOR=pw-x
  CMC_DB_PASSWORD_GATEWAY=pw-g CMC_MYSQL_ROOT_PASSWORD=pw-root)
unset_secrets=(-u CMC_MYSQL_ROOT_PASSWORD -u CMC_DB_PASSWORD_INSTITUTION -u CMC_DB_PASSWORD_REFERRAL
  -u CMC_DB_PASSWORD_DISPATCH -u CMC_DB_PASSWORD_FINANCE -u CMC_DB_PASSWORD_INDICATOR
  -u CMC_DB_PASSWORD_GATEWAY)
# compose_bare FILE ARGS...: with no password in the environment.
compose_bare() {
  env -u COMPOSE_FILE -u COMPOSE_PROJECT_NAME "${unset_secrets[@]}" \
    docker-compose --project-directory "$root" --env-file "$tmp/empty.env" -f "$1" "${@:2}"
}
# compose FILE ARGS...: with the test's passwords.
compose() {
  env -u COMPOSE_FILE -u COMPOSE_PROJECT_NAME "${secrets[@]}" \
    docker-compose --project-directory "$root" --env-file "$tmp/empty.env" -f "$1" "${@:2}"
}

expected_services="mysql institution referral dispatch finance indicator gateway prometheus"

# check_file FILE: all checks on one compose file; prints the reason and returns 1 on a failure.
check_file() {
  local file="$1" out
  if ! out="$(compose "$file" config -q 2>&1)"; then
    echo "docker-compose config -q rejected $file:"
    echo "$out"
    return 1
  fi
  local services
  if ! services="$(compose "$file" config --services 2>&1)"; then
    echo "docker-compose config --services failed: $services"
    return 1
  fi
  local s
  for s in $expected_services; do
    if ! grep -qx "$s" <<<"$services"; then
      echo "service '$s' is missing (found: $(tr '\n' ' ' <<<"$services"))"
      return 1
    fi
  done
  if ! compose "$file" config >"$tmp/resolved.yml" 2>"$tmp/resolved.err"; then
    echo "docker-compose config failed: $(cat "$tmp/resolved.err")"
    return 1
  fi
  "$python" - "$tmp/resolved.yml" <<'PY'
import sys
import yaml

cfg = yaml.safe_load(open(sys.argv[1]))
svcs = cfg["services"]
ports = {"gateway": (50050, 9100), "institution": (50051, 9101), "referral": (50052, 9102),
         "dispatch": (50053, 9103), "finance": (50054, 9104), "indicator": (50055, 9105)}
passwords = {"institution": "pw-i", "referral": "pw-r", "dispatch": "pw-d", "finance": "pw-f",
             "indicator": "pw-x", "gateway": "pw-g"}
errors = []

def env_of(svc):
    env = svcs[svc].get("environment", {})
    if isinstance(env, list):
        env = dict(e.split("=", 1) for e in env)
    return env

def depends(svc):
    dep = svcs[svc].get("depends_on", {})
    return dep if isinstance(dep, dict) else {d: {} for d in dep}

mysql_env = env_of("mysql")
if mysql_env.get("MYSQL_ROOT_PASSWORD") != "pw-root":
    errors.append("mysql: MYSQL_ROOT_PASSWORD does not come from CMC_MYSQL_ROOT_PASSWORD")
if "mysqladmin" not in " ".join(svcs["mysql"].get("healthcheck", {}).get("test", [])):
    errors.append("mysql: no mysqladmin ping health check")

for name, (grpc, metrics) in ports.items():
    svc = svcs[name]
    env = env_of(name)
    where = f"{name}:"
    if svc.get("image") != "cmc:latest":
        errors.append(f"{where} image is {svc.get('image')!r}, want cmc:latest")
    if svc.get("build", {}).get("dockerfile") != "deploy/docker/Dockerfile":
        errors.append(f"{where} not built from deploy/docker/Dockerfile")
    command = svc.get("command")
    if isinstance(command, str):
        command = command.split()
    if not command or command[0] != f"cmc-{name}":
        errors.append(f"{where} command {command!r} does not run cmc-{name}")
    if str(env.get("CMC_GRPC_PORT")) != str(grpc) or str(env.get("CMC_METRICS_PORT")) != str(metrics):
        errors.append(f"{where} ports {env.get('CMC_GRPC_PORT')}/{env.get('CMC_METRICS_PORT')}, "
                      f"want {grpc}/{metrics}")
    test = " ".join(svc.get("healthcheck", {}).get("test", []))
    if f"cmcctl health --addr=127.0.0.1:{grpc}" not in test:
        errors.append(f"{where} health check {test!r} does not probe 127.0.0.1:{grpc} with cmcctl")
    if env.get("CMC_MYSQL_HOST") != "mysql":
        errors.append(f"{where} CMC_MYSQL_HOST is not mysql")
    if env.get("CMC_MYSQL_USER") not in (None, f"cmc_{name}"):
        errors.append(f"{where} CMC_MYSQL_USER is {env.get('CMC_MYSQL_USER')}")
    want = passwords[name]
    got_db = mysql_env.get(f"CMC_DB_PASSWORD_{name.upper()}")
    if env.get("CMC_MYSQL_PASSWORD") != want or got_db != want:
        errors.append(f"{where} CMC_MYSQL_PASSWORD does not equal the mysql container's "
                      f"CMC_DB_PASSWORD_{name.upper()}")
    if depends(name).get("mysql", {}).get("condition") != "service_healthy":
        errors.append(f"{where} does not wait for mysql to be healthy")
    if svc.get("restart") != "unless-stopped":
        errors.append(f"{where} restart is {svc.get('restart')!r}")

gw_env = env_of("gateway")
for backend, (grpc, _) in ports.items():
    if backend == "gateway":
        continue
    if gw_env.get(f"CMC_{backend.upper()}_ADDR") != f"{backend}:{grpc}":
        errors.append(f"gateway: CMC_{backend.upper()}_ADDR is not {backend}:{grpc}")
    if depends("gateway").get(backend, {}).get("condition") != "service_healthy":
        errors.append(f"gateway: does not wait for {backend} to be healthy")
published = {(str(p.get("published")), str(p.get("target"))) if isinstance(p, dict)
             else tuple(str(p).split(":")[-2:]) for p in svcs["gateway"].get("ports", [])}
for port in ("50050", "9100"):
    if (port, port) not in published:
        errors.append(f"gateway: port {port} is not published to the host")
for name in ports:
    if name != "gateway" and svcs[name].get("ports"):
        errors.append(f"{name}: publishes ports to the host; only the gateway should")

prom_mounts = " ".join(str(v) for v in svcs["prometheus"].get("volumes", []))
if "deploy/prometheus/prometheus.yml" not in prom_mounts:
    errors.append("prometheus: deploy/prometheus/prometheus.yml is not mounted")

for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
}

# 1 + 2: the real file.
if ! reason="$(check_file "$compose_file")"; then
  fail "$compose_file: $reason"
fi
echo "check_compose: $compose_file is valid; services: $expected_services"

# 3: negative controls, so a checker that accepts anything is noticed.
awk '{print} /^  gateway:$/ {print "    no_such_option: true"}' "$compose_file" >"$tmp/unknown-key.yml"
grep -q no_such_option "$tmp/unknown-key.yml" || fail "could not inject a key into a copy (no gateway service?)"
if out="$(compose "$tmp/unknown-key.yml" config -q 2>&1)"; then
  fail "docker-compose accepted a copy with an unknown key"
fi
grep -q no_such_option <<<"$out" || fail "the unknown-key copy was rejected for another reason: $out"
echo "check_compose: a copy with an unknown key is rejected: $(tail -n1 <<<"$out")"

"$python" - "$compose_file" "$tmp/no-gateway.yml" <<'PY'
import sys
import yaml
cfg = yaml.safe_load(open(sys.argv[1]))
del cfg["services"]["gateway"]
yaml.safe_dump(cfg, open(sys.argv[2], "w"))
PY
if reason="$(check_file "$tmp/no-gateway.yml")"; then
  fail "a copy without the gateway service passed the checks"
fi
echo "check_compose: a copy without the gateway is rejected: $reason"

# 4: no default secrets.
if out="$(compose_bare "$compose_file" config -q 2>&1)"; then
  fail "docker-compose accepted the file without any password set (a default secret?)"
fi
grep -q "CMC_.*PASSWORD" <<<"$out" || fail "refused without passwords, but not for them: $out"
echo "check_compose: without the passwords it is refused: $(tail -n1 <<<"$out")"
echo "check_compose: OK"
