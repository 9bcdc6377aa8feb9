"""Checks that the hub's /api/v1/summary and bench/rollup.sql counted the same thing."""
import json
import sys

STATUSES = ["notStarted", "onTrack", "atRisk", "overdue", "doneOnTime", "doneLate",
            "cancelled", "suspended"]

summary = json.load(open(sys.argv[1]))
hub = {g["key"]: [g["total"]] + [g["byStatus"].get(s, 0) for s in STATUSES]
       for g in summary["groups"]}
sql = {}
for line in open(sys.argv[2]):
    parts = line.strip().split("|")
    if len(parts) == 10:
        sql[parts[0]] = [int(x) for x in parts[1:]]
if hub != sql:
    print("roll-up mismatch between the hub and SQL:")
    for key in sorted(set(hub) | set(sql)):
        if hub.get(key) != sql.get(key):
            print(f"  {key}: hub {hub.get(key)} sql {sql.get(key)}")
    sys.exit(1)
print(f"   roll-up check: hub and SQL agree on {len(hub)} regions")
