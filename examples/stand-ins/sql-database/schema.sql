-- A regional tracking database as a region's own system keeps it (the stand-in for sql-query):
-- organisations, and one row per measure with its executor, district, dates, status word,
-- percent done and the time it last changed. Plain types, so the same script runs on SQLite and
-- PostgreSQL. Timestamps are text 'YYYY-MM-DD HH:MM:SS', which compares in time order.
CREATE TABLE organisations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE measures (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  organisation_id INTEGER NOT NULL REFERENCES organisations (id),
  soato TEXT NOT NULL,
  sector TEXT NOT NULL,
  decree_number TEXT NOT NULL,
  decree_date TEXT NOT NULL,
  start_date TEXT NOT NULL,
  due_date TEXT NOT NULL,
  done_date TEXT,
  status TEXT NOT NULL,
  percent REAL,
  remark TEXT,
  updated_at TEXT NOT NULL
);
