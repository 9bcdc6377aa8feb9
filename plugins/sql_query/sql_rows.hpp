// The database side of sql-query: the connection string (SQLite or PostgreSQL through SOCI), the
// configured SELECT checked before it runs, the query run read-only with :checkpoint bound, and
// each row mapped to a record through the columns, defaults and statuses (mapping.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ijro_plugin.hpp>

#include <mapping/mapping.hpp>

namespace ijro::sql_query {

// The SDK's declarative mapping (mapping/mapping.hpp), by its short names here.
using mapping::Field;
using mapping::Found;
using mapping::Lookup;
using mapping::Mapped;
using mapping::Mapping;
using mapping::Value;

// A SOCI connection string split into its backend and the backend's own part.
struct Connection {
  enum class Backend { Sqlite, Postgres };
  Backend backend = Backend::Sqlite;
  std::string parameters;  // SQLite: "db=... readonly=true ..."; PostgreSQL: libpq's keywords
};
// "sqlite3://db=/var/lib/x.db", "sqlite3:///var/lib/x.db", "postgresql://dbname=x host=y ...".
// SQLite is always opened read-only. Throws std::invalid_argument for another backend (the
// message never repeats the string: it may hold a password).
Connection connectionOf(std::string_view text);

// The query with a trailing ';' removed. Throws std::invalid_argument unless it is one SELECT (or
// WITH ... SELECT) statement: no other statement, no second statement, no word that changes data
// (INSERT, UPDATE, DELETE, ...) outside quotes; with `checkpoint`, it must use :checkpoint once,
// without it, not at all.
std::string checkedQuery(std::string_view query, bool checkpoint);

// One cell of a row: the column's name as the database gives it, and its value (nullopt: NULL).
struct Cell {
  std::string column;
  std::optional<Value> value;
};
using Row = std::vector<Cell>;

// Runs the query read-only (SQLite: query_only; PostgreSQL: a read-only transaction), binding
// :checkpoint when given, and hands each row to onRow until it returns false. Throws
// ijro::sdk::RetryLater when the database cannot be reached or is busy, std::runtime_error when
// the query fails.
void runQuery(const Connection& connection, const std::string& query,
              const std::optional<std::string>& checkpoint,
              const std::function<bool(const Row&)>& onRow);

// Whether `a` comes after `b`: numerically when both are numbers, else as text (ISO dates and
// timestamps of one format compare as text).
bool later(std::string_view a, std::string_view b);

class RowMapper {
 public:
  // columns: model field -> column name (compared without regard to case). checkpointColumn:
  // "" for none.
  RowMapper(const ijro::sdk::Table& columns, Mapping mapping, std::string checkpointColumn);

  struct Result {
    std::optional<std::string> record;           // the record when the row could be mapped
    std::string rejected;                        // else: the row, the columns and the reasons
    std::optional<std::string> checkpointValue;  // the row's checkpoint column, as text
  };
  // Maps one row. number: its 1-based position in the result; pollTime: the revision of a row
  // when neither a revision column nor the checkpoint column gives one.
  Result map(const Row& row, std::size_t number, std::int64_t pollTime) const;
  // Throws std::runtime_error naming every mapped column the row lacks (a query that does not
  // select what the option columns names) and the columns it has.
  void checkColumns(const Row& row) const;

 private:
  const Cell* cell(const Row& row, std::string_view column) const;

  std::vector<std::pair<std::string, std::string>> columns_;  // field name, column
  Mapping mapping_;
  std::string checkpointColumn_;
};

}  // namespace ijro::sql_query
