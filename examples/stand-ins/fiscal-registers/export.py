#!/usr/bin/env python3
"""Stand-in for the tax authority's online cash-register (fiscal) system: writes its nightly
export of register registrations and receipts (fiscal documents) into a folder, in the format
adapters/tax-fiscal/README.md describes (JSON lines or XML).

    export.py --out DIR [--as-of 2026-11-30T23:59:59+05:00] [--seed 7] [--format jsonl|xml]
              [--registers 60]
        writes one export and exits.
    export.py --listen 127.0.0.1:0 --out DIR [--every SECONDS] ...
        writes one export, then answers GET /exports (the files written, as JSON) and prints
        "listening on http://127.0.0.1:PORT"; with --every, writes the next night's export (as-of
        one day later: the registrations again and the receipts since) every SECONDS seconds.
        SIGTERM stops it.

Registers are spread over six regions and their districts (SOATO); some are deregistered, some
never sent a receipt, some last sent one more than three days before the as-of time. Only valid
entries are written, so a reader can count what an adapter should report from the file alone.
Files are written under a temporary name (.tmp) and renamed when complete.
Python 3 standard library only.
"""

import argparse
import datetime
import json
import os
import random
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import quoteattr

TASHKENT = datetime.timezone(datetime.timedelta(hours=5))
# Region -> a few of its districts (7-digit SOATO codes start with the region's 4 digits).
REGIONS = {
    "1703": ["1703202", "1703206", "1703209"],
    "1726": ["1726262", "1726264", "1726277"],
    "1718": ["1718203", "1718206"],
    "1714": ["1714204", "1714207"],
    "1733": ["1733204", "1733208"],
    "1730": ["1730201", "1730212"],
}


def iso(t):
    return t.astimezone(TASHKENT).strftime("%Y-%m-%dT%H:%M:%S+05:00")


class Registry:
    """The fiscal system's registers and the receipts they sent, grown export by export."""

    def __init__(self, rng, count, as_of):
        self.rng = rng
        self.registers = []
        first_day = datetime.date(2024, 1, 1)
        span = (as_of.date() - first_day).days
        for i in range(count):
            region = rng.choice(sorted(REGIONS))
            # One register in eight is known by its region only.
            place = region if rng.random() < 0.125 else rng.choice(REGIONS[region])
            registered = first_day + datetime.timedelta(days=rng.randrange(max(span, 1)))
            deregistered = None
            if rng.random() < 0.1 and registered < as_of.date() - datetime.timedelta(days=2):
                days = (as_of.date() - registered).days
                deregistered = registered + datetime.timedelta(days=rng.randrange(1, days))
            self.registers.append({
                "registration_number": "UZ-KKM-%06d" % (i + 1),
                "fiscal_drive": "FD%04d%06d" % (rng.randrange(10000), i + 1),
                "stir": "%09d" % rng.randrange(200000000, 700000000),
                "place": place,
                "registered_on": registered.isoformat(),
                "deregistered_on": deregistered.isoformat() if deregistered else None,
                "next_document": rng.randrange(1, 5000),
                "silent": rng.random() < 0.2,  # never sends a receipt
            })

    def receipts(self, since, until):
        """Receipts issued after `since` and up to `until`: 0 to 3 per register, each at a
        random time in that span, not before its registration nor after its deregistration."""
        out = []
        for r in self.registers:
            if r["silent"]:
                continue
            start = max(since, datetime.datetime.fromisoformat(r["registered_on"]).replace(
                tzinfo=TASHKENT))
            end = until
            if r["deregistered_on"]:
                end = min(end, datetime.datetime.fromisoformat(r["deregistered_on"]).replace(
                    tzinfo=TASHKENT) - datetime.timedelta(seconds=1))
            if end <= start:
                continue
            seconds = int((end - start).total_seconds())
            times = sorted(start + datetime.timedelta(seconds=self.rng.randrange(1, seconds + 1))
                           for _ in range(self.rng.randrange(0, 4)))
            for t in times:
                out.append({
                    "registration_number": r["registration_number"],
                    "fiscal_drive": r["fiscal_drive"],
                    "document_number": r["next_document"],
                    "issued_at": iso(t),
                    "total": "%d.%02d" % (self.rng.randrange(0, 2000000), self.rng.randrange(100)),
                    "fiscal_sign": "%012d" % self.rng.randrange(10 ** 12),
                })
                r["next_document"] += 1
        return out


def registration(r):
    keys = ("registration_number", "fiscal_drive", "stir", "place", "registered_on",
            "deregistered_on")
    return {k: r[k] for k in keys if r[k] is not None}


def write_export(out_dir, as_of, registrations, receipts, fmt):
    name = "fiscal-export-%s.%s" % (as_of.astimezone(TASHKENT).strftime("%Y%m%d"), fmt)
    path = os.path.join(out_dir, name)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        if fmt == "jsonl":
            f.write(json.dumps({"type": "export", "as_of": iso(as_of)}) + "\n")
            for r in registrations:
                f.write(json.dumps(dict(type="registration", **r)) + "\n")
            for r in receipts:
                f.write(json.dumps(dict(type="receipt", **r)) + "\n")
        else:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
            f.write('<fiscal_export xmlns="urn:ijro-hub:tax-fiscal:1" as_of=%s>\n'
                    % quoteattr(iso(as_of)))
            for kind, entries in (("registration", registrations), ("receipt", receipts)):
                for e in entries:
                    attrs = " ".join("%s=%s" % (k, quoteattr(str(v))) for k, v in e.items())
                    f.write("  <%s %s/>\n" % (kind, attrs))
            f.write("</fiscal_export>\n")
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)
    return name


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="the folder exports are written into")
    p.add_argument("--as-of", default=None,
                   help="the first export's as-of time (default: now), e.g. "
                        "2026-11-30T23:59:59+05:00")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--format", choices=("jsonl", "xml"), default="jsonl")
    p.add_argument("--registers", type=int, default=60)
    p.add_argument("--listen", default=None, help="HOST:PORT (port 0: any free port)")
    p.add_argument("--every", type=float, default=0,
                   help="with --listen: seconds between exports (0: only the first)")
    args = p.parse_args()

    as_of = (datetime.datetime.fromisoformat(args.as_of) if args.as_of
             else datetime.datetime.now(TASHKENT).replace(microsecond=0))
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=TASHKENT)
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    registry = Registry(rng, args.registers, as_of)
    written = []
    lock = threading.Lock()

    def export(since, until):
        regs = [registration(r) for r in registry.registers
                if r["registered_on"] <= until.astimezone(TASHKENT).date().isoformat()]
        name = write_export(args.out, until, regs, registry.receipts(since, until), args.format)
        with lock:
            written.append(name)
        print("wrote %s" % os.path.join(args.out, name), flush=True)

    export(as_of - datetime.timedelta(days=10), as_of)
    if not args.listen:
        return 0

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/exports":
                self.send_error(404, "only GET /exports")
                return
            with lock:
                body = json.dumps({"folder": os.path.abspath(args.out), "files": written})
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *a):
            pass

    host, port = args.listen.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), Handler)
    stop = threading.Event()

    def on_term(*_):
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_term)
    if args.every > 0:
        def nightly():
            last = as_of
            while not stop.wait(args.every):
                nxt = last + datetime.timedelta(days=1)
                export(last, nxt)
                last = nxt
        threading.Thread(target=nightly, daemon=True).start()
    print("listening on http://%s:%d" % (host, server.server_address[1]), flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
