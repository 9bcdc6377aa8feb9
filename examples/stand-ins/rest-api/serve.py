#!/usr/bin/env python3
"""Stand-in for a regional tracking system's JSON REST API (python3 standard library only).

Serves the measures of measures.json (or --data FILE), three items a page, with each paging style:

  /link/measures?page=N            the page is the array; Link: <...?page=N+1>; rel="next"
  /cursor/measures?cursor=C        {"data": {"items": [...]}, "meta": {"next_cursor": C or null}}
  /offset/measures?offset=O&limit=L  {"items": [...], "total": N}; a short page is the last

Each answer carries an ETag (and Last-Modified); a request with a matching If-None-Match is
answered 304. With --token T every measures request needs "Authorization: Bearer T", else 401 (the
401 body repeats the header received, as careless servers do). --bad-item adds an item whose
due_date is not a date. GET /_stats (no auth) gives the requests seen, the 304 and 401 answers.

  python3 serve.py --listen 127.0.0.1:0 [--token T] [--bad-item] [--data FILE]
Prints "listening on http://127.0.0.1:PORT" once ready; SIGTERM stops it.
"""
import argparse
import hashlib
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PAGE = 3
LAST_MODIFIED = "Sun, 01 Nov 2026 10:00:00 GMT"


def load(args):
    with open(args.data, encoding="utf-8") as f:
        items = json.load(f)
    if args.bad_item:
        bad = dict(items[0])
        bad.update({"id": "AND-2026-99", "due_date": "31.12.2026", "version": 1})
        items.insert(len(items) // 2, bad)
    return items


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rest-api-stand-in"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def send(self, status, body=b"", headers=None, content_type="application/json"):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def count(self, key):
        with self.server.lock:
            self.server.stats[key] = self.server.stats.get(key, 0) + 1

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path == "/_stats":
            with self.server.lock:
                body = json.dumps(self.server.stats).encode()
            return self.send(200, body)
        self.count("requests")
        token = self.server.token
        if token is not None:
            got = self.headers.get("Authorization", "")
            if got != "Bearer " + token:
                self.count("unauthorised")
                body = ("unauthorised: got Authorization: %s" % got).encode()
                return self.send(401, body, {"WWW-Authenticate": "Bearer"}, "text/plain")
        items = self.server.items
        base = "http://%s" % self.headers.get("Host", "127.0.0.1")
        headers = {}
        try:
            if url.path == "/link/measures":
                page = int(query.get("page", "1"))
                chunk = items[(page - 1) * PAGE:page * PAGE]
                if page * PAGE < len(items):
                    headers["Link"] = '<%s/link/measures?page=%d>; rel="next"' % (base, page + 1)
                doc = chunk
            elif url.path == "/cursor/measures":
                start = int(query.get("cursor", "c0")[1:])
                chunk = items[start:start + PAGE]
                more = start + PAGE < len(items)
                doc = {"data": {"items": chunk},
                       "meta": {"next_cursor": "c%d" % (start + PAGE) if more else None}}
            elif url.path == "/offset/measures":
                offset = int(query.get("offset", "0"))
                limit = min(int(query.get("limit", str(PAGE))), PAGE)
                doc = {"items": items[offset:offset + limit], "total": len(items)}
            else:
                return self.send(404, b'{"error": "no such resource"}')
        except ValueError:
            return self.send(400, b'{"error": "bad paging parameter"}')
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        headers["ETag"] = etag
        headers["Last-Modified"] = LAST_MODIFIED
        if self.headers.get("If-None-Match") == etag:
            self.count("not_modified")
            return self.send(304, headers=headers)
        self.send(200, body, headers)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0: any free port)")
    p.add_argument("--token", help="require Authorization: Bearer TOKEN")
    p.add_argument("--bad-item", action="store_true", help="add an item with a bad due_date")
    p.add_argument("--data", default=os.path.join(here, "measures.json"))
    args = p.parse_args()
    host, _, port = args.listen.rpartition(":")
    server = ThreadingHTTPServer((host, int(port)), Handler)
    server.daemon_threads = True
    server.items = load(args)
    server.token = args.token
    server.stats = {"requests": 0, "not_modified": 0, "unauthorised": 0}
    server.lock = threading.Lock()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print("listening on http://%s:%d" % server.server_address[:2], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
