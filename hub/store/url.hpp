// Parsing of store URLs into a SOCI backend and its connection string. Internal to hub_store (and
// its tests).
#pragma once

#include <string>
#include <string_view>

namespace ijro::store::detail {

enum class Dialect { Sqlite, Postgres };

struct Location {
  Dialect dialect = Dialect::Sqlite;
  std::string connect;  // what SOCI's backend receives (SQLite: a file path; PostgreSQL: libpq's)
  std::string path;     // SQLite only: the database file (":memory:" for an in-memory database)
  std::string display;  // the URL with any password masked, for messages
};

// Accepted forms:
//   sqlite:/path/to/hub.db   sqlite3:relative.db   sqlite:///abs/path.db   sqlite::memory:
//   postgresql://dbname=ijro host=/run/postgresql port=5432 user=hub   (libpq key=value string)
//   postgresql:dbname=ijro user=hub                                  (the same without "//")
//   postgresql://user:secret@host:5432/ijro?sslmode=require          (libpq URI; also postgres://)
// Throws StoreError naming the accepted forms for anything else.
// `password`, when not empty, is added to a PostgreSQL connection string (libpq's password
// keyword, or the URI's password parameter); SQLite refuses one.
Location parseStoreUrl(std::string_view url, const std::string& password = {});

// The URL with password=... or user:password@ masked.
std::string redactUrl(std::string_view url);

}  // namespace ijro::store::detail
