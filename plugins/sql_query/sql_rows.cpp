#include "sql_rows.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <charconv>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <utility>

namespace ijro::sql_query {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool sameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool wordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

std::optional<double> numberOf(std::string_view s) {
  s = mapping::trimmed(s);
  double v = 0;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || res.ec != std::errc() || res.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string tmText(const std::tm& t) {
  // Always with the time, so that a checkpoint bound back compares with the column as it was
  // read; a date field takes the date part.
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", t.tm_year + 1900, t.tm_mon + 1,
                t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
  return buf;
}

std::optional<Value> valueOf(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_string:
    case soci::dt_xml:
      return Value{Value::Kind::Text, r.get<std::string>(i), 0};
    case soci::dt_date:
      return Value{Value::Kind::Text, tmText(r.get<std::tm>(i)), 0};
    case soci::dt_double: {
      const double d = r.get<double>(i);
      char buf[32];
      const auto res = std::to_chars(buf, buf + sizeof buf, d);
      return Value{Value::Kind::Number, std::string(buf, res.ptr), d};
    }
    case soci::dt_integer: {
      const int v = r.get<int>(i);
      return Value{Value::Kind::Integer, std::to_string(v), static_cast<double>(v)};
    }
    case soci::dt_long_long: {
      const long long v = r.get<long long>(i);
      return Value{Value::Kind::Integer, std::to_string(v), static_cast<double>(v)};
    }
    case soci::dt_unsigned_long_long: {
      const unsigned long long v = r.get<unsigned long long>(i);
      return Value{Value::Kind::Integer, std::to_string(v), static_cast<double>(v)};
    }
    case soci::dt_blob:
      break;
  }
  return Value{Value::Kind::Other, "binary data", 0};
}

bool transient(std::string_view message) {
  for (const char* word : {"locked", "busy", "could not connect", "connection", "timeout",
                           "terminating", "shutting down", "the database system is starting"})
    if (message.find(word) != std::string_view::npos) return true;
  return false;
}

}  // namespace

Connection connectionOf(std::string_view text) {
  text = mapping::trimmed(text);
  const std::size_t scheme = text.find("://");
  const std::string name(scheme == std::string_view::npos ? "" : text.substr(0, scheme));
  std::string rest(scheme == std::string_view::npos ? "" : text.substr(scheme + 3));
  Connection c;
  if (name == "sqlite3" || name == "sqlite") {
    c.backend = Connection::Backend::Sqlite;
    if (rest.empty())
      throw std::invalid_argument(
          "option connection: no database file after sqlite3:// (write "
          "sqlite3://db=/path/file.db)");
    if (rest.find('=') == std::string::npos) rest = "db=" + rest;
    if (rest.find("readonly") == std::string::npos) rest += " readonly=true";
    c.parameters = rest;
    return c;
  }
  if (name == "postgresql" || name == "postgres") {
    c.backend = Connection::Backend::Postgres;
    c.parameters = rest;
    return c;
  }
  throw std::invalid_argument(
      "option connection: the connection string must start with sqlite3:// or postgresql:// (e.g. "
      "sqlite3://db=/var/lib/tracking.db or postgresql://dbname=tracking host=db.example.uz "
      "user=reader password=...); its value is not repeated here as it may hold a password");
}

std::string checkedQuery(std::string_view query, bool checkpoint) {
  std::string q(mapping::trimmed(query));
  while (!q.empty() && (q.back() == ';' || q.back() == ' ' || q.back() == '\n' ||
                        q.back() == '\t' || q.back() == '\r'))
    q.pop_back();
  auto refuse = [](const std::string& why) {
    return std::invalid_argument("option query: " + why +
                                 ": give one SELECT statement, e.g. SELECT id, title, due_date "
                                 "FROM measures WHERE updated_at > :checkpoint ORDER BY "
                                 "updated_at");
  };
  // The words outside quotes and comments, and whether :checkpoint is used.
  std::vector<std::string> words;
  int checkpoints = 0;
  for (std::size_t i = 0; i < q.size();) {
    const char c = q[i];
    if (c == '\'' || c == '"') {
      const std::size_t close = q.find(c, i + 1);
      if (close == std::string::npos) throw refuse("a quote is not closed");
      i = close + 1;
    } else if (c == '-' && i + 1 < q.size() && q[i + 1] == '-') {
      const std::size_t eol = q.find('\n', i);
      i = eol == std::string::npos ? q.size() : eol + 1;
    } else if (c == '/' && i + 1 < q.size() && q[i + 1] == '*') {
      const std::size_t close = q.find("*/", i + 2);
      if (close == std::string::npos) throw refuse("a comment is not closed");
      i = close + 2;
    } else if (c == ';') {
      throw refuse("it holds more than one statement");
    } else if (c == ':' && i + 1 < q.size() && q[i + 1] == ':') {
      i += 2;  // a PostgreSQL cast
    } else if (c == ':' && i + 1 < q.size() && wordChar(q[i + 1])) {
      std::size_t end = i + 1;
      while (end < q.size() && wordChar(q[end])) ++end;
      const std::string name = q.substr(i + 1, end - i - 1);
      if (name != "checkpoint")
        throw refuse(":" + name + " is not a parameter of this plugin (only :checkpoint is)");
      ++checkpoints;
      i = end;
    } else if (wordChar(c)) {
      std::size_t end = i;
      while (end < q.size() && wordChar(q[end])) ++end;
      std::string w = q.substr(i, end - i);
      for (char& ch : w) ch = lower(ch);
      words.push_back(std::move(w));
      i = end;
    } else {
      ++i;
    }
  }
  if (words.empty() || (words.front() != "select" && words.front() != "with"))
    throw refuse("it is not a SELECT");
  for (const char* bad :
       {"insert", "update", "delete", "merge", "drop", "alter", "create", "truncate", "grant",
        "revoke", "copy", "attach", "detach", "pragma", "vacuum", "into", "call"})
    for (const auto& w : words)
      if (w == bad) throw refuse("the word " + w + " has no place in a read-only SELECT");
  if (checkpoint && checkpoints != 1)
    throw refuse(checkpoints == 0
                     ? "with checkpoint_column it must use :checkpoint (WHERE updated_at > "
                       ":checkpoint)"
                     : "it uses :checkpoint more than once");
  if (!checkpoint && checkpoints > 0)
    throw refuse("it uses :checkpoint, but no checkpoint_column is set");
  return q;
}

void runQuery(const Connection& connection, const std::string& query,
              const std::optional<std::string>& checkpoint,
              const std::function<bool(const Row&)>& onRow) {
  soci::session sql;
  try {
    if (connection.backend == Connection::Backend::Sqlite) {
      sql.open(*soci::factory_sqlite3(), connection.parameters);
      sql << "PRAGMA query_only = ON";
    } else {
      sql.open(*soci::factory_postgresql(), connection.parameters);
      sql << "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY";
    }
  } catch (const soci::soci_error& e) {
    throw ijro::sdk::RetryLater(std::string("cannot open the database: ") + e.what());
  }
  try {
    Row out;
    auto each = [&](soci::rowset<soci::row>& rows) {
      for (const soci::row& r : rows) {
        out.clear();
        for (std::size_t i = 0; i < r.size(); ++i)
          out.push_back({r.get_properties(i).get_name(), valueOf(r, i)});
        if (!onRow(out)) break;
      }
    };
    std::string bound = checkpoint.value_or(std::string());
    if (checkpoint) {
      soci::rowset<soci::row> rows = (sql.prepare << query, soci::use(bound, "checkpoint"));
      each(rows);
    } else {
      soci::rowset<soci::row> rows = (sql.prepare << query);
      each(rows);
    }
  } catch (const soci::soci_error& e) {
    const std::string what = e.what();
    if (transient(what)) throw ijro::sdk::RetryLater("the database is busy or gone: " + what);
    throw std::runtime_error("the query failed: " + what +
                             " (check the option query against the database's tables)");
  }
}

bool later(std::string_view a, std::string_view b) {
  const auto x = numberOf(a), y = numberOf(b);
  if (x && y) return *x > *y;
  return a > b;
}

RowMapper::RowMapper(const ijro::sdk::Table& columns, Mapping mapping, std::string checkpointColumn)
    : columns_(columns.rows()),
      mapping_(std::move(mapping)),
      checkpointColumn_(std::move(checkpointColumn)) {}

const Cell* RowMapper::cell(const Row& row, std::string_view column) const {
  for (const Cell& c : row)
    if (sameName(c.column, column)) return &c;
  return nullptr;
}

void RowMapper::checkColumns(const Row& row) const {
  std::string missing;
  for (const auto& [field, column] : columns_)
    if (cell(row, column) == nullptr)
      missing += (missing.empty() ? "" : ", ") + field + " -> " + column;
  if (!checkpointColumn_.empty() && cell(row, checkpointColumn_) == nullptr)
    missing +=
        (missing.empty() ? "checkpoint_column " : ", checkpoint_column ") + checkpointColumn_;
  if (missing.empty()) return;
  std::string has;
  for (const Cell& c : row) has += (has.empty() ? "" : ", ") + c.column;
  throw std::runtime_error("the query's rows have no column for " + missing + " (they have " + has +
                           "): select those columns, or correct the "
                           "option columns");
}

RowMapper::Result RowMapper::map(const Row& row, std::size_t number, std::int64_t pollTime) const {
  Result out;
  std::string name = "row " + std::to_string(number);
  if (auto place = mapping_.placeOf(Field::Measure))
    if (const Cell* c = cell(row, *place); c != nullptr && c->value)
      name += " (measure " + c->value->text + ")";
  std::int64_t revision = pollTime;
  if (!checkpointColumn_.empty())
    if (const Cell* c = cell(row, checkpointColumn_); c != nullptr && c->value) {
      out.checkpointValue = c->value->text;
      std::int64_t n = 0;
      const std::string& t = c->value->text;
      const auto res = std::from_chars(t.data(), t.data() + t.size(), n);
      if (res.ec == std::errc() && res.ptr == t.data() + t.size() && n >= 1)
        revision = n;
      else if (auto s = mapping::unixSeconds(t); s && *s >= 1)
        revision = *s;
    }
  Lookup lookup = [&](std::string_view place) -> Found {
    Found f;
    f.where = name + ", column " + std::string(place);
    if (const Cell* c = cell(row, place)) f.value = c->value;
    return f;
  };
  Mapped m = mapping_.map(lookup, revision);
  if (m.implementation) {
    try {
      out.record = m.implementation->toJson();
      return out;
    } catch (const std::invalid_argument& e) {
      out.rejected = name + ": " + e.what();
      return out;
    }
  }
  for (const std::string& p : m.problems) out.rejected += (out.rejected.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace ijro::sql_query
