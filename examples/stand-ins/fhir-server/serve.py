#!/usr/bin/env python3
"""A stand-in for a FHIR R4 server holding MeasureReports (python3 standard library only).

    serve.py --listen 127.0.0.1:0 [--data DIR]... [--token T]

Serves the MeasureReports of the .json files in each DIR (a MeasureReport or a Bundle of them
per file; default: the published R4 examples of adapters/health-fhir/fixtures/hl7-r4 and the
per-region reports of data/ beside this script), read again at every request so that a test can
add files while it runs:

    GET /metadata                      a CapabilityStatement (fhirVersion 4.0.1)
    GET /MeasureReport?_lastUpdated=gtT&_count=N&_sort=_lastUpdated[&_offset=K]
                                       a searchset Bundle, oldest first, N per page, with a
                                       link relation "next" while more remain

A resource's meta.lastUpdated is its own when it has one, else its file's modification time.
With --token T every request needs "Authorization: Bearer T" (401 otherwise). Prints
"listening on http://127.0.0.1:PORT" once ready; SIGTERM stops it.
"""
import argparse
import datetime
import json
import os
import signal
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = [
    os.path.join(HERE, "..", "..", "..", "adapters", "health-fhir", "fixtures", "hl7-r4"),
    os.path.join(HERE, "data"),
]
FHIR_JSON = "application/fhir+json; fhirVersion=4.0"


def instant(text):
    """A FHIR instant as an aware datetime (Z or an offset); None when it is not one."""
    try:
        t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)


def load(dirs):
    """Every MeasureReport of the folders, each with meta.lastUpdated set."""
    out = []
    for d in dirs:
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if not name.endswith(".json") or not os.path.isfile(path):
                continue
            try:
                with open(path, encoding="utf-8") as f:
                    doc = json.load(f)
            except (OSError, ValueError) as e:
                print(f"skipping {path}: {e}", file=sys.stderr, flush=True)
                continue
            mtime = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
            if doc.get("resourceType") == "Bundle":
                resources = [e.get("resource", {}) for e in doc.get("entry", [])]
            else:
                resources = [doc]
            for r in resources:
                if r.get("resourceType") != "MeasureReport":
                    continue
                meta = r.setdefault("meta", {})
                if "lastUpdated" not in meta:
                    meta["lastUpdated"] = mtime.isoformat(timespec="milliseconds").replace(
                        "+00:00", "Z")
                out.append(r)
    out.sort(key=lambda r: (instant(r["meta"]["lastUpdated"]), r.get("id", "")))
    return out


class Handler(BaseHTTPRequestHandler):
    server_version = "fhir-stand-in/1.0"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def send(self, status, body):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", FHIR_JSON)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def outcome(self, status, code, text):
        self.send(status, {"resourceType": "OperationOutcome",
                           "issue": [{"severity": "error", "code": code, "diagnostics": text}]})

    def do_GET(self):
        token = self.server.token
        if token and self.headers.get("Authorization") != "Bearer " + token:
            self.outcome(401, "login", "a bearer token is required")
            return
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/metadata":
            self.send(200, {"resourceType": "CapabilityStatement", "status": "active",
                            "kind": "instance", "fhirVersion": "4.0.1",
                            "format": ["json"]})
            return
        if url.path != "/MeasureReport":
            self.outcome(404, "not-found", "unknown path " + url.path)
            return
        reports = load(self.server.data)
        since = query.get("_lastUpdated", [""])[0]
        if since:
            if not since.startswith("gt") or instant(since[2:]) is None:
                self.outcome(400, "invalid", "_lastUpdated must be gt followed by an instant")
                return
            after = instant(since[2:])
            reports = [r for r in reports if instant(r["meta"]["lastUpdated"]) > after]
        try:
            count = max(1, int(query.get("_count", ["50"])[0]))
            offset = max(0, int(query.get("_offset", ["0"])[0]))
        except ValueError:
            self.outcome(400, "invalid", "_count and _offset must be integers")
            return
        page = reports[offset:offset + count]
        base = "http://%s:%d" % self.server.server_address[:2]
        params = {k: v[0] for k, v in query.items() if k != "_offset"}
        links = [{"relation": "self", "url": base + self.path}]
        if offset + count < len(reports):
            params["_offset"] = str(offset + count)
            links.append({"relation": "next",
                          "url": base + "/MeasureReport?" + urllib.parse.urlencode(params)})
        self.send(200, {"resourceType": "Bundle", "type": "searchset", "total": len(reports),
                        "link": links,
                        "entry": [{"fullUrl": base + "/MeasureReport/" + r.get("id", ""),
                                   "resource": r, "search": {"mode": "match"}} for r in page]})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0: any free)")
    parser.add_argument("--data", action="append", help="a folder of MeasureReport .json files")
    parser.add_argument("--token", default="", help="require Authorization: Bearer TOKEN")
    args = parser.parse_args()
    host, port = args.listen.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), Handler)
    server.data = args.data or DEFAULT_DATA
    server.token = args.token
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("listening on http://%s:%d" % server.server_address[:2], flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
