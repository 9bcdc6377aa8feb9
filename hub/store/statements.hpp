// Statements prepared once per pooled session and run again with new values. Preparing (parsing
// and planning) costs SQLite and PostgreSQL more than running the small statements the store
// writes records with, and SOCI's `sql << ...` prepares every time. Internal to hub_store.
//
//   Statement st(sql, "SELECT a, b FROM t WHERE k = :k");
//   st, soci::into(a), soci::into(b), soci::use(k);
//   while (st.fetch()) ...            // or: if (st.execute()) for one row
//
// Only sessions the store keeps statements for (keepStatements) reuse them; on any other session
// a Statement is prepared for one run. A statement already running on the session (a nested use
// of the same text) is prepared again for that run.
#pragma once

#include <soci/session.h>
#include <soci/soci-backend.h>
#include <soci/statement.h>

#include <memory>
#include <string>

namespace ijro::store::detail {

// Keeps the session's statements from now on; call dropStatements before it reconnects or closes.
void keepStatements(soci::session& sql);
// Finalizes the statements kept for the session and stops keeping them.
void dropStatements(soci::session& sql) noexcept;
// How many statements are kept for the session (for tests).
std::size_t keptStatements(soci::session& sql);

class Statement {
 public:
  Statement(soci::session& sql, const std::string& text);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds the next into() or use() element of this run, in the order of the statement's
  // placeholders and columns.
  template <typename T, typename I>
  Statement& operator,(const soci::details::into_container<T, I>& c) {
    st_->exchange(c);
    return *this;
  }
  template <typename T, typename I>
  Statement& operator,(const soci::details::use_container<T, I>& c) {
    st_->exchange(c);
    return *this;
  }

  // Runs the statement; for a query, whether a first row was read into the into() targets.
  bool execute();
  // Runs the statement if it has not run yet (without reading a row), then reads the next row.
  bool fetch();
  long long affectedRows();

  struct Entry;  // a kept statement (statements.cpp)

 private:
  void bound();
  soci::statement* st_ = nullptr;
  std::unique_ptr<soci::statement> once_;
  Entry* kept_ = nullptr;
  bool sqlite_ = false;
  bool ran_ = false;
};

// Runs `text` with the given elements: run(sql, "UPDATE t SET a = :a WHERE id = :id",
// soci::use(a), soci::use(id)). For a query, whether a row was read.
template <typename... E>
bool run(soci::session& sql, const std::string& text, const E&... elements) {
  Statement st(sql, text);
  ((void)(st, elements), ...);
  return st.execute();
}

}  // namespace ijro::store::detail
