"""Turns the benchmark measurements into bench/RESULTS.md: each figure a ratio against the
limit measured beside it in the same run, with the goal next to it.
  report.py SECTIONS-DIR OUT
SECTIONS-DIR holds one SECTION.txt per section measured ("key value" lines, with the section's
commit, date and load) and micro.json (Google Benchmark's output of the micro section)."""
import datetime
import glob
import json
import os
import platform
import sys

sections_dir, out_path = sys.argv[1:3]
SECTION_ORDER = ("micro", "intake", "rollup", "feed", "national")
values = {}
sections = {}
for path in sorted(glob.glob(os.path.join(sections_dir, "*.txt"))):
    own = {}
    for line in open(path):
        key, _, value = line.strip().partition(" ")
        own[key] = value
    sections[own.get("section", os.path.basename(path)[:-4])] = own
    values.update({k: v for k, v in own.items()
                   if k not in ("section", "commit", "date", "load.start", "section.seconds")})
micro_path = os.path.join(sections_dir, "micro.json")
# Google Benchmark appends settings to the name ("BM_Feed_Hub/real_time"): keep the function name.
# With repetitions, each benchmark's median (its "median" aggregate) stands for it; a run without
# repetitions has only the one run.
micro = {}
if os.path.exists(micro_path):
    for b in json.load(open(micro_path))["benchmarks"]:
        name = b.get("run_name", b["name"]).split("/")[0]
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                micro[name] = b
        elif name not in micro or micro[name].get("run_type") != "aggregate":
            micro[name] = b


def rate(name, field):
    b = micro.get(name)
    return b.get(field) if b else None


def fmt(x, unit=""):
    if x is None:
        return "n/a"
    if x >= 100:
        return f"{x:,.0f}{unit}"
    return f"{x:.3g}{unit}"


rows = []


def ratio_row(name, hub, limit, unit, goal, goal_ok, what):
    r = hub / limit if hub and limit else None
    status = "n/a" if r is None else ("met" if goal_ok(r) else "short")
    rows.append((name, fmt(hub, unit), fmt(limit, unit), "n/a" if r is None else f"{r:.2f}",
                 goal, status, what))


def num(key):
    v = values.get(key)
    try:
        return float(v) if v not in (None, "") else None
    except ValueError:
        return None


def rounds(name):
    """Each round's requests/s of an intake server, as measured ("5,027 / 5,310 / 4,998")."""
    figures = values.get(f"intake.{name}.rounds", "").split()
    return " / ".join(fmt(float(x)) for x in figures) if figures else "one run"


for f in ("xml", "json"):
    ratio_row(f"intake ({f})", num(f"intake.hub-{f}.rps"), num(f"intake.null-{f}.rps"), " req/s",
              ">= 0.5", lambda r: r >= 0.5,
              f"6-record report, each a new revision committed before the reply; rounds of the "
              f"hub and the null server in turn, the figures those of the round with the median "
              f"ratio, round {values.get(f'intake.{f}.median-round')} (hub {rounds(f'hub-{f}')}; "
              f"null server {rounds(f'null-{f}')} req/s); p50/p99 of that round, hub "
              f"{values.get(f'intake.hub-{f}.p50')}/{values.get(f'intake.hub-{f}.p99')}, "
              f"null server {values.get(f'intake.null-{f}.p50')}/{values.get(f'intake.null-{f}.p99')}")
    ratio_row(f"intake ({f}, durable limit)", num(f"intake.hub-{f}.rps"),
              num(f"intake.nullsync-{f}.rps"), " req/s", "reported", lambda r: True,
              f"the same hub figure against the null server that appends each body to a file and "
              f"answers after one fdatasync per group of waiting requests (rounds "
              f"{rounds(f'nullsync-{f}')} req/s); p50/p99 "
              f"{values.get(f'intake.nullsync-{f}.p50')}/{values.get(f'intake.nullsync-{f}.p99')}")
ratio_row("intake (xml, content changes)", num("intake.hub-xml-changing.rps"),
          num("intake.null-xml.rps"), " req/s", "reported", lambda r: True,
          "the xml row's load with each record's note changed by every revision, so the store reads "
          "and rewrites each row's children; p50/p99 "
          f"{values.get('intake.hub-xml-changing.p50')}/{values.get('intake.hub-xml-changing.p99')}")
ratio_row("store (SQLite)", rate("BM_Store_Hub_SQLite", "items_per_second"),
          rate("BM_Store_RawSqlite", "items_per_second"), " rec/s", ">= 0.8", lambda r: r >= 0.8,
          "Store::upsert, batches of 100, vs. raw sqlite3 inserts of the same rows, WAL + synchronous=FULL")
ratio_row("store (PostgreSQL)", rate("BM_Store_Hub_Postgres", "items_per_second"),
          rate("BM_Store_RawCopy_Postgres", "items_per_second"), " rec/s", ">= 0.8",
          lambda r: r >= 0.8, "Store::upsert, batches of 100, vs. COPY of the same rows (test cluster, fsync off)")
ratio_row("parse", rate("BM_Parse_Hub", "items_per_second"),
          rate("BM_Parse_RawReader", "items_per_second"), " rec/s", ">= 0.7", lambda r: r >= 0.7,
          "parseReportXml (100 records) vs. a bare xmlTextReader loop over the same bytes")
ratio_row("feed", rate("BM_Feed_Hub", "bytes_per_second"),
          rate("BM_Feed_RawWriter", "bytes_per_second"), " B/s", ">= 0.5", lambda r: r >= 0.5,
          "store read + evaluate + writeFeed (2,000 implementations) vs. raw xmlTextWriter writing the same elements")
ratio_row("plugin (in-process)", rate("BM_Plugin_InProcess", "items_per_second"),
          rate("BM_Plugin_Direct", "items_per_second"), " rec/s", ">= 0.9", lambda r: r >= 0.9,
          "records emitted through the C ABI and parsed by the host vs. the same records built in the hub")
ratio_row("plugin (isolated)", rate("BM_Plugin_Isolated", "items_per_second"),
          rate("BM_Plugin_Direct", "items_per_second"), " rec/s", "reported", lambda r: True,
          "the same through a plugin-host child process")
hub_s, sql_s = num("rollup.hub.seconds"), num("rollup.sql.seconds")
rr = hub_s / sql_s if hub_s and sql_s else None
rows.append(("roll-up", fmt(hub_s, " s"), fmt(sql_s, " s"), "n/a" if rr is None else f"{rr:.2f}x",
             "<= 1.5x", "n/a" if rr is None else ("met" if rr <= 1.5 else "short"),
             f"/api/v1/summary?by=region over {values.get('rollup.n', '?')} implementations "
             "vs. the same aggregation as one SQL statement in the sqlite3 shell (best of 3)"))
for key, label in (("rss.intake-xml.kib", "rss (intake load, XML)"),
                   ("rss.intake-json.kib", "rss (intake load, JSON)"),
                   ("rss.rollup.kib", "rss (roll-up over 1M)"),
                   ("rss.drain.kib", "rss (draining a backlog)")):
    v = num(key)
    mib = v / 1024 if v else None
    what = "peak resident set (VmHWM) of the hub process"
    if key == "rss.drain.kib":
        what += (f", restarted on the roll-up store with an exchange sink that delivers its whole "
                 f"history ({values.get('drain.seconds', '?')[:6]} s, lag left "
                 f"{values.get('drain.lag', '?')})")
    rows.append((label, fmt(mib, " MiB"), "", "", "<= 64 MiB" if "intake" in key else "reported",
                 "n/a" if mib is None else ("met" if mib <= 64 or "intake" not in key else "short"),
                 what))



def backlog_label(n):
    return "1M" if n == 1_000_000 else f"{n:,}"


# The feed drain, one pair of rows per batch size: the drain rate, and the peak resident set
# against the requirement (under 128 MiB while draining 1,000,000 undelivered entries).
feed_n = int(num("feed.backlog") or 0)
sizes = values.get("feed.sizes", "").split()
for size in sizes:
    key = f"feed.{size}"
    label = backlog_label(feed_n) + " backlog" + ("" if size == "500" else f", batchSize {size}")
    seconds, entries = num(f"{key}.seconds"), num(f"{key}.receiver.entries")
    check = values.get(f"{key}.check", "not run")
    rate_ = entries / seconds if seconds and entries else None
    rows.append((f"feed drain ({label})", fmt(rate_, " entries/s"), "", "", "reported",
                 "met" if check == "ok" else "FAILED: " + check,
                 f"the hub restarted on the roll-up store with all {feed_n:,} changes undelivered "
                 f"and a `<feed>` pushing signed batches of {size} over loopback HTTP to "
                 f"ijro-bench-receipt-server (a receipt accepting every entry): "
                 f"{fmt(seconds, ' s')} from start to the last receipt; the receiver counted "
                 f"{int(entries or 0):,} entries in {values.get(f'{key}.receiver.batches', '?')} "
                 f"batches ({values.get(f'{key}.receiver.resends', '?')} resent), checked against "
                 f"the store (each change once)"))
    hwm = num(f"{key}.hwm.kib")
    mib = hwm / 1024 if hwm else None
    kib_mib = lambda k: fmt((num(k) or 0) / 1024, " MiB")
    rows.append((f"rss (feed drain, {label})", fmt(mib, " MiB"), "", "", "< 128 MiB",
                 "n/a" if mib is None else ("met" if mib < 128 else "short"),
                 f"peak resident set (VmHWM) of the hub process while it drains, batches of "
                 f"{size}; VmRSS sampled every 0.25 s: {kib_mib(f'{key}.rss.first.kib')} at the "
                 f"first receipt, {kib_mib(f'{key}.rss.last.kib')} at the last, at most "
                 f"{kib_mib(f'{key}.rss.max.kib')}"))

# The national data set (issue 13's goals): each backend at each size factor.
if "national" in sections:
    for run in values.get("national.runs", "").split():
        backend, _, factor = run.partition(":")
        key = f"national.{backend}.{factor}"
        big = float(factor) > 1
        n = int(num(f"{key}.implementations") or 0)
        accepted = int(num(f"{key}.accepted") or 0)
        label = f"national {factor}x {backend}"
        intake = num(f"{key}.intake.seconds")
        goal = None if big else 3
        rows.append((f"{label}: 14 reports in", fmt(intake, " s"), "", "",
                     "" if goal is None else f"< {goal} s",
                     "n/a" if intake is None or goal is None
                     else ("met" if intake < goal and accepted == n else "short"),
                     f"the 14 regional JSON reports of ijro-bench-national ({n:,} implementations, "
                     f"{accepted:,} accepted), posted one after the other to a fresh store; the "
                     f"slowest report took {fmt(num(f'{key}.intake.max'), ' s')}"))
        for what_key, what, limit_1x, limit_10x in (
                ("summary", "/api/v1/summary?by=region", 50, 200),
                ("overdue", "/api/v1/measures?status=overdue&pageSize=50", 50, 200),
                ("overview", "/api/v1/overview (the dashboard's overview)", 300, None),
                ("list", "/api/v1/measures?region=1703&status=overdue,atRisk&pageSize=50 (the "
                         "dashboard's filtered list)", 300, None)):
            v = num(f"{key}.{what_key}.p95ms")
            limit = limit_10x if big else limit_1x
            rows.append((f"{label}: {what_key} p95", fmt(v, " ms"), "", "",
                         "" if limit is None else f"< {limit} ms",
                         "n/a" if v is None or limit is None else ("met" if v < limit else "short"),
                         f"{what}, 95th percentile of 50 warm requests"))
        hwm = num(f"{key}.hwm.kib")
        mib = hwm / 1024 if hwm else None
        ok = int(num(f"{key}.feed.ok") or 0)
        seconds, size = num(f"{key}.feed.seconds"), num(f"{key}.feed.bytes")
        raw_seconds, raw_size = num(f"{key}.raw.seconds"), num(f"{key}.raw.bytes")
        hub_rate = size / seconds if size and seconds else None
        raw_rate = raw_size / raw_seconds if raw_size and raw_seconds else None
        idle = num(f"{key}.hwm.idle.kib")
        rows.append((f"{label}: rss, feed with 8 readers", fmt(mib, " MiB"), "", "",
                     "" if big else "< 64 MiB",
                     "n/a" if mib is None or big else ("met" if mib < 64 and ok == 8 else "short"),
                     f"peak resident set (VmHWM) of a hub started on the loaded store that served "
                     f"only the feed ({fmt(idle / 1024 if idle else None, ' MiB')} when it was "
                     f"ready); 8 readers of /api/v1/feed at once, {ok} answered 200"))
        ratio_row(f"{label}: feed, 8 readers", hub_rate / 1e6 if hub_rate else None,
                  raw_rate / 1e6 if raw_rate else None, " MB/s", ">= 0.5",
                  lambda r: r >= 0.5,
                  f"{fmt(size / 1e6 if size else None, ' MB')} streamed to 8 readers at once in "
                  f"{fmt(seconds, ' s')}; limit: a raw writer sending the same bytes from memory "
                  f"(ijro-bench-null-server --body) to 8 readers at once")

cpu = "unknown"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
machine = f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}"
runs = []
for name in SECTION_ORDER:
    own = sections.get(name)
    if own is None:
        runs.append(f"- `{name}`: not measured yet (`bench/run {name}`)")
        continue
    runs.append(f"- `{name}`: {own.get('date', '?')}, commit `{own.get('commit', '?')}`, "
                f"{own.get('section.seconds', '?')} s, load average {own.get('load.start', '?')} "
                "at its start")
header = (f"Written by `bench/run` on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {machine}. "
          "Each ratio divides the hub's figure by the limit measured beside it in the same "
          "run. The sections and the runs their rows come from:\n\n" + "\n".join(runs) +
          "\n\nSee bench/README.md.\n\n")
with open(out_path, "w") as out:
    out.write("# Benchmark results\n\n")
    out.write(header)
    out.write("| row | hub | limit | ratio | goal | | what is measured |\n|---|---|---|---|---|---|---|\n")
    for r in rows:
        out.write("| " + " | ".join(r) + " |\n")
