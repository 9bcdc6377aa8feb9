#!/usr/bin/env bash
# Installs what is missing, builds, and runs the national picture: the stand-ins of
# examples/stand-ins (a FHIR server, a school information system, the fiscal system's export,
# regional tracking sheets, ...) and the hub on config/national.xml, which runs every bundled
# adapter against them and pushes its signed feed batches to a ministry hub (config/ministry.xml,
# the same binary on port 8090); posts the example reports too, and says where to look. The
# picture is rebuilt at each run (var/national, var/national.db, var/ministry.db). Ctrl-C stops
# everything gracefully.
# IJRO_CONFIG=config/hub.xml runs the plain default configuration instead, with no stand-ins.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build=${IJRO_BUILD:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIJRO_TESTS=OFF >/dev/null
# The hub's target builds the bundled plugins and adapters too.
cmake --build "$build" -j "$(nproc)" --target ijro-hub
hub="$build/hub/ijro-hub"
config=${IJRO_CONFIG:-config/national.xml}

pids=()
stop() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop EXIT
trap 'exit 130' INT TERM

ministry="http://127.0.0.1:8090"
if [ "$config" = config/national.xml ]; then
  rm -rf var/national var/national.db var/national.db-wal var/national.db-shm \
    var/ministry.db var/ministry.db-wal var/ministry.db-shm
  mkdir -p var/national/logs var/national/keys
  # The national hub's signing key pair; the ministry trusts its certificate (config/ministry.xml).
  "$hub" feed keygen --key var/national/keys/national-demo.key \
    --cert var/national/keys/national-demo.crt --hub national-demo >/dev/null
  "$hub" validate --config config/ministry.xml
  "$hub" serve --config config/ministry.xml >var/national/logs/ministry.log 2>&1 &
  pids+=($!)
  python3 examples/national/make_sheets.py --out var/national/sheets >/dev/null
  python3 examples/stand-ins/fiscal-registers/export.py --out var/national/fiscal \
    --as-of "$(date -u -d '+5 hours' +%Y-%m-%dT%H:%M:%S+05:00)" >/dev/null
  python3 examples/stand-ins/sql-database/make.py --out var/national/andijan-tracking.db >/dev/null
  standin() {  # name port args...
    local name=$1 port=$2
    shift 2
    python3 -u "examples/stand-ins/$name" --listen "127.0.0.1:$port" "$@" \
      >"var/national/logs/${name%%/*}.log" 2>&1 &
    pids+=($!)
  }
  standin fhir-server/serve.py 18101 --token demo-fhir-token --data examples/stand-ins/fhir-server/data
  standin oneroster-sis/serve.py 18102 --token demo-sis-token
  standin rest-api/serve.py 18103 --token demo-api-token
  for log in fhir-server oneroster-sis rest-api; do
    for _ in $(seq 1 100); do
      grep -q "listening on" "var/national/logs/$log.log" 2>/dev/null && break
      sleep 0.1
    done
    grep -q "listening on" "var/national/logs/$log.log" ||
      { echo "run: the $log stand-in did not start:" >&2; cat "var/national/logs/$log.log" >&2; exit 1; }
  done
fi

"$hub" validate --config "$config"
"$hub" serve --config "$config" &
pids+=($!)
hubpid=$!
base="http://127.0.0.1:8080"
# The demo read token of the configuration: every read but /healthz needs one.
national="demo-national-read-token"
for _ in $(seq 1 100); do
  curl -fsS -H "Authorization: Bearer $national" "$base/readyz" >/dev/null 2>&1 && break
  kill -0 $hubpid 2>/dev/null || { echo "run: the hub did not start (see above)" >&2; exit 1; }
  sleep 0.1
done
started=$(date +%s)

post() {  # token file content-type
  curl -sS -X POST "$base/api/v1/reports" -H "Authorization: Bearer $1" -H "Content-Type: $3" \
    --data-binary "@$2" -o /dev/null -w "  $2: HTTP %{http_code}\n"
}
echo "Posting the example reports:"
post demo-tashkent-token examples/report-tashkent.xml application/xml
post demo-andijan-token examples/report-andijan.xml application/xml
if [ "$config" = config/national.xml ]; then
  for r in samarqand namangan xorazm; do
    post "demo-$r-token" "examples/report-$r.xml" application/xml
  done
  # The adapters poll every 10 s: wait for the first round of each.
  for _ in $(seq 1 600); do
    n=$(curl -fsS -H "Authorization: Bearer $national" "$base/api/v1/summary?by=sector" |
      python3 -c 'import json,sys; print(len(json.load(sys.stdin)["groups"]))' 2>/dev/null || echo 0)
    [ "$n" -ge 6 ] && break
    sleep 0.2
  done
  echo
  echo "The national picture after $(($(date +%s) - started)) s, by sector:"
  curl -fsS -H "Authorization: Bearer $national" "$base/api/v1/summary?by=sector" | python3 -c '
import json, sys
for g in json.load(sys.stdin)["groups"]:
    s = ", ".join(f"{k} {v}" for k, v in sorted(g["byStatus"].items()) if v)
    print("  {:<14} {:>3} implementations: {}".format(g["key"], g["total"], s))'
  regions=$(curl -fsS -H "Authorization: Bearer $national" "$base/api/v1/summary?by=region" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["groups"]))')
  echo "  in $regions regions"
  # The ministry hub receives the same picture in signed batches (pushed every half second).
  count() {  # base token
    curl -fsS -H "Authorization: Bearer $2" "$1/api/v1/summary?by=sector" |
      python3 -c 'import json,sys; print(sum(g["total"] for g in json.load(sys.stdin)["groups"]))' \
      2>/dev/null || echo 0
  }
  for _ in $(seq 1 300); do
    [ "$(count "$ministry" demo-ministry-read-token)" = "$(count "$base" "$national")" ] && break
    sleep 0.2
  done
  echo
  echo "The ministry hub ($ministry) received them as signed feed batches:"
  curl -fsS "$base/metrics" -H "Authorization: Bearer $national" |
    grep -E '^ijro_feed_(last_sequence|lag_batches) ' | sed 's/^/  national-demo: /'
  curl -fsS -H "Authorization: Bearer demo-ministry-read-token" \
    "$ministry/api/v1/summary?by=sector" | python3 -c '
import json, sys
body = json.load(sys.stdin)
print("  {} implementations at the ministry".format(sum(g["total"] for g in body["groups"])))
for f in body.get("freshness", [])[:3]:
    print("  region {}: last batch at {}".format(f.get("region"), f.get("lastBatchAt")))'
fi

cat <<TXT

ijro-hub is running (pid $hubpid), config $config.
Every request but /healthz needs a bearer token. With the national read token:
  curl -H 'Authorization: Bearer $national' $base/api/v1/feed
      the consolidated XML feed (xmllint --schema schemas/monitoring-feed.xsd)
  curl -H 'Authorization: Bearer $national' '$base/api/v1/measures?status=overdue'
      measures, filtered (region, sector, status, organisation, q ...)
  curl -H 'Authorization: Bearer $national' '$base/api/v1/summary?by=region'
      roll-ups by region, sector, organisation or measure
  curl -H 'Authorization: Bearer $national' $base/metrics      (and $base/readyz)
Post a report yourself:
  curl -H 'Authorization: Bearer demo-tashkent-token' -H 'Content-Type: application/xml' \\
       --data-binary @examples/report-tashkent.xml $base/api/v1/reports
Ctrl-C stops the hub and the stand-ins.
TXT
if [ "$config" = config/national.xml ]; then
  cat <<TXT
The ministry hub, fed by this one's signed batches (token demo-ministry-read-token):
  curl -H 'Authorization: Bearer demo-ministry-read-token' '$ministry/api/v1/summary?by=region'
      the national picture with each region's freshness (last batch received, its age)
  curl -H 'Authorization: Bearer $national' '$base/api/v1/feed?after=0' > batch.xml
  $hub feed verify batch.xml --cert var/national/keys/national-demo.crt
      one signed batch, pulled and verified
TXT
fi
wait $hubpid
