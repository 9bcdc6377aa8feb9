#!/usr/bin/env python3
"""A stand-in for a student information system that publishes a OneRoster 1.1 CSV bulk package.

    python3 serve.py --listen 127.0.0.1:0 [--data FILE.zip | --data DIR] [--seed N] [--token T]

GET /oneroster/bulk.zip   the package, with an ETag and a Last-Modified; a request whose
                          If-None-Match names the ETag (or whose If-Modified-Since is not older
                          than the package) gets 304 Not Modified and no body
GET /oneroster/requests   the requests served so far as JSON: {"requests": [{"path", "status"}]}

--data FILE.zip serves that package as it is; --data DIR zips the CSV files of DIR (manifest.csv
included). Without --data a package is generated from --seed: districts in the regions Andijan
(1703), Samarkand (1718) and Tashkent city (1726), each with schools, teachers, pupils, classes
and enrollments; district identifiers are DIST-<SOATO district code>, so a mapping of those
identifiers to their codes places every school. With --token, requests need
"Authorization: Bearer <token>" (401 otherwise).

Prints "listening on http://127.0.0.1:PORT" once it accepts connections; SIGTERM stops it.
Python 3 standard library only.
"""
import argparse
import csv
import email.utils
import hashlib
import io
import json
import os
import random
import signal
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FILES = ["academicSessions", "categories", "classes", "classResources", "courses",
         "courseResources", "demographics", "enrollments", "lineItems", "orgs", "resources",
         "results", "users"]
COLUMNS = {
    "orgs": ["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
             "parentSourcedId"],
    "users": ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
              "username", "userIds", "givenName", "familyName", "middleName", "identifier",
              "email", "sms", "phone", "agentSourcedIds", "grades", "password"],
    "classes": ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
                "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds",
                "subjects", "subjectCodes", "periods"],
    "enrollments": ["sourcedId", "status", "dateLastModified", "classSourcedId",
                    "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
                    "endDate"],
}
REGIONS = [("1703", "Andijan", ["1703202", "1703206"]),
           ("1718", "Samarkand", ["1718206", "1718212"]),
           ("1726", "Tashkent city", ["1726262", "1726269"])]
GIVEN = ["Aziza", "Bobur", "Dilnoza", "Jasur", "Kamola", "Laziz", "Malika", "Nodir", "Sardor",
         "Shahnoza", "Temur", "Zarina"]
FAMILY = ["Abdullayev", "Karimova", "Rahimov", "Yusupova", "Tursunov", "Ergasheva", "Nazarov"]


def csv_text(columns, rows):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n")
    w.writeheader()
    for row in rows:
        w.writerow({c: row.get(c, "") for c in columns})
    return buf.getvalue()


def generated(seed):
    rnd = random.Random(seed)
    stamp = "2026-11-30T08:00:00Z"
    orgs, users, classes, enrollments = [], [], [], []
    for region, name, districts in REGIONS:
        for district in districts:
            did = "d-" + district
            orgs.append({"sourcedId": did, "status": "active", "dateLastModified": stamp,
                         "name": "%s district %s" % (name, district), "type": "district",
                         "identifier": "DIST-" + district, "parentSourcedId": ""})
            for s in range(rnd.randint(2, 4)):
                sid = "s-%s-%d" % (district, s)
                orgs.append({"sourcedId": sid, "status": "active", "dateLastModified": stamp,
                             "name": "School %d of %s" % (s + 1, district), "type": "school",
                             "identifier": "SCH-%s-%d" % (district, s), "parentSourcedId": did})
                cid = "c-" + sid
                classes.append({"sourcedId": cid, "status": "active", "dateLastModified": stamp,
                                "title": "Homeroom 5A", "grades": "05",
                                "courseSourcedId": "course-5", "classCode": "5A",
                                "classType": "homeroom", "schoolSourcedId": sid,
                                "termSourcedIds": "term-2026"})
                for role, count in (("teacher", rnd.randint(2, 6)),
                                    ("student", rnd.randint(10, 30))):
                    for n in range(count):
                        uid = "u-%s-%s-%d" % (sid, role[0], n)
                        users.append({
                            "sourcedId": uid, "status": "active", "dateLastModified": stamp,
                            "enabledUser": "false" if rnd.random() < 0.05 else "true",
                            "orgSourcedIds": sid, "role": role, "username": uid,
                            "givenName": rnd.choice(GIVEN), "familyName": rnd.choice(FAMILY)})
                        enrollments.append({
                            "sourcedId": "e-" + uid, "status": "active",
                            "dateLastModified": stamp, "classSourcedId": cid,
                            "schoolSourcedId": sid, "userSourcedId": uid, "role": role,
                            "primary": "true" if role == "teacher" else "false"})
    modes = {"orgs": "bulk", "users": "bulk", "classes": "bulk", "enrollments": "bulk"}
    manifest = "propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.1\r\n"
    manifest += "".join("file.%s,%s\r\n" % (f, modes.get(f, "absent")) for f in FILES)
    manifest += "source.systemName,SIS stand-in\r\nsource.systemCode,sis-stand-in\r\n"
    entries = [("manifest.csv", manifest)]
    for name, rows in (("orgs", orgs), ("users", users), ("classes", classes),
                       ("enrollments", enrollments)):
        entries.append((name + ".csv", csv_text(COLUMNS[name], rows)))
    return zipped(entries)


def zipped(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in entries:
            z.writestr(zipfile.ZipInfo(name, (2026, 11, 30, 8, 0, 0)), text,
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def package_of(data, seed):
    if data is None:
        return generated(seed)
    if os.path.isdir(data):
        entries = []
        for name in sorted(os.listdir(data)):
            if name.endswith(".csv"):
                with open(os.path.join(data, name), encoding="utf-8") as f:
                    entries.append((name, f.read()))
        return zipped(entries)
    with open(data, "rb") as f:
        return f.read()


class State:
    def __init__(self, body, token):
        self.body = body
        self.etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        self.modified = int(time.time())
        self.token = token
        self.requests = []
        self.lock = threading.Lock()


def handler_for(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            sys.stderr.write("oneroster-sis: " + (fmt % args) + "\n")

        def answer(self, status, body=b"", headers=()):
            with state.lock:
                state.requests.append({"path": self.path, "status": status})
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body and self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self):
            if self.path == "/oneroster/requests":
                with state.lock:
                    body = json.dumps({"requests": state.requests}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path.split("?")[0] != "/oneroster/bulk.zip":
                self.answer(404, b"not found\n", [("Content-Type", "text/plain")])
                return
            if state.token and self.headers.get("Authorization") != "Bearer " + state.token:
                self.answer(401, b"a bearer token is required\n",
                            [("Content-Type", "text/plain"),
                             ("WWW-Authenticate", 'Bearer realm="oneroster"')])
                return
            validators = [("ETag", state.etag),
                          ("Last-Modified", email.utils.formatdate(state.modified, usegmt=True))]
            match = self.headers.get("If-None-Match")
            since = self.headers.get("If-Modified-Since")
            unchanged = False
            if match is not None:
                unchanged = state.etag in [m.strip() for m in match.split(",")] or match == "*"
            elif since is not None:
                try:
                    unchanged = email.utils.parsedate_to_datetime(since).timestamp() >= state.modified
                except (TypeError, ValueError):
                    unchanged = False
            if unchanged:
                self.answer(304, b"", validators)
                return
            self.answer(200, state.body, [("Content-Type", "application/zip")] + validators)

        do_HEAD = do_GET

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0: any free)")
    parser.add_argument("--data", help="a OneRoster .zip package, or a folder of its CSV files")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated package")
    parser.add_argument("--token", help="bearer token the package needs")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    state = State(package_of(args.data, args.seed), args.token)
    server = ThreadingHTTPServer((host, int(port)), handler_for(state))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print("listening on http://%s:%d" % (host, server.server_address[1]), flush=True)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
