#!/usr/bin/env python3
"""Creates a region's tracking database for the sql-query plugin (python3 standard library only).

  python3 make.py --out FILE             schema.sql and rows-1.sql into a new SQLite file
  python3 make.py --out FILE --stage 2   then rows-2.sql: later changes (one row updated, one added)

The same SQL files run on PostgreSQL (psql -f schema.sql -f rows-1.sql), which the tests do.
"""
import argparse
import os
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(db, name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        db.executescript(f.read())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--out", required=True, help="the SQLite file to write")
    p.add_argument("--stage", type=int, choices=(1, 2), default=1,
                   help="1: a new database; 2: apply the later changes to FILE")
    args = p.parse_args()
    if args.stage == 1:
        if os.path.exists(args.out):
            os.remove(args.out)
        db = sqlite3.connect(args.out)
        run(db, "schema.sql")
        run(db, "rows-1.sql")
    else:
        if not os.path.exists(args.out):
            sys.exit("make.py: %s does not exist: run stage 1 first" % args.out)
        db = sqlite3.connect(args.out)
        run(db, "rows-2.sql")
    db.commit()
    db.close()
    print("wrote %s (stage %d)" % (args.out, args.stage))


if __name__ == "__main__":
    main()
