#!/usr/bin/env bash
# Installs what is missing, builds, and runs the hub on the default configuration
# (config/hub.xml: SQLite under var/, the example sources and readers), posts the example reports
# once, and says where to look. Ctrl-C stops the hub gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build=${IJRO_BUILD:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIJRO_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target ijro-hub
hub="$build/hub/ijro-hub"
config=${IJRO_CONFIG:-config/hub.xml}
"$hub" validate --config "$config"

"$hub" serve --config "$config" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
base="http://127.0.0.1:8080"
# The demo read tokens of config/hub.xml: every read but /healthz needs one.
national="demo-national-read-token"
andijan="demo-andijan-read-token"
for _ in $(seq 1 100); do
  curl -fsS -H "Authorization: Bearer $national" "$base/readyz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { echo "run: the hub did not start (see above)" >&2; exit 1; }
  sleep 0.1
done

post() {  # token file content-type
  curl -sS -X POST "$base/api/v1/reports" -H "Authorization: Bearer $1" -H "Content-Type: $3" \
    --data-binary "@$2" -o /dev/null -w "  $2: HTTP %{http_code}\n"
}
echo "Posting the example reports:"
post demo-tashkent-token examples/report-tashkent.xml application/xml
post demo-andijan-token examples/report-andijan.xml application/xml

cat <<TXT

ijro-hub is running (pid $pid), store var/hub.db, config $config.
Every request but /healthz needs a bearer token. With the national read token:
  curl -H 'Authorization: Bearer $national' $base/api/v1/feed
      the consolidated XML feed (xmllint --schema schemas/monitoring-feed.xsd)
  curl -H 'Authorization: Bearer $national' '$base/api/v1/measures?status=overdue'
      measures, filtered (region, sector, status, organisation, q ...)
  curl -H 'Authorization: Bearer $national' '$base/api/v1/summary?by=region'
      roll-ups by region, sector, organisation or measure
  curl -H 'Authorization: Bearer $national' $base/metrics      (and $base/readyz)
Andijan's read token sees Andijan only:
  curl -H 'Authorization: Bearer $andijan' '$base/api/v1/summary?by=region'
Post a report yourself:
  curl -H 'Authorization: Bearer demo-tashkent-token' -H 'Content-Type: application/xml' \\
       --data-binary @examples/report-tashkent.xml $base/api/v1/reports
Ctrl-C stops the hub.
TXT
wait $pid
