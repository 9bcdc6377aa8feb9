// sql-query: a source that runs a configured SELECT against a region's own tracking database
// (SQLite or PostgreSQL, through SOCI) and maps each row to one implementation through the
// options columns, defaults and statuses; with checkpoint_column, each poll reads only the rows
// past the greatest value committed (see README.md).
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <ijro_plugin.hpp>
#include <ijro_progress.hpp>

#include <mapping/mapping.hpp>
#include "sql_rows.hpp"

namespace {

using ijro::sdk::OptionType;
using namespace ijro::sql_query;
using namespace ijro::mapping;

class SqlQuery : public ijro::sdk::Source {
 public:
  explicit SqlQuery(ijro::sdk::Host& host)
      : connection_(connectionOf(host.optionString("connection"))),
        checkpointColumn_(host.optionString("checkpoint_column")),
        query_(checkedQuery(host.optionString("query"), !checkpointColumn_.empty())),
        start_(host.option("checkpoint_start")),
        maxRows_(host.optionInt("max_rows")),
        rows_(host.optionTable("columns"),
              Mapping(host.optionTable("columns"), host.optionTable("defaults"),
                      host.optionTable("statuses"), "columns"),
              checkpointColumn_) {
    if (maxRows_ < 1)
      throw std::invalid_argument("option max_rows: " + std::to_string(maxRows_) +
                                  " is not a positive number");
    if (!checkpointColumn_.empty() && !start_)
      throw std::invalid_argument(
          "option checkpoint_start: with checkpoint_column, give the value bound to :checkpoint "
          "before anything was read, of the column's type (e.g. 1970-01-01 00:00:00 for a "
          "timestamp, 0 for a number)");
  }

  ijro::sdk::Status poll(ijro::sdk::Context& ctx) override {
    std::optional<std::string> checkpoint;
    if (!checkpointColumn_.empty()) checkpoint = ctx.checkpoint().value_or(std::string(*start_));
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    ijro::sdk::Progress progress(host(), "rows of the query");
    std::optional<std::string> greatest = checkpoint;
    std::int64_t read = 0;
    bool checked = false;
    runQuery(connection_, query_, checkpoint, [&](const Row& row) {
      if (!checked) {
        rows_.checkColumns(row);
        checked = true;
      }
      const auto r = rows_.map(row, static_cast<std::size_t>(read) + 1, now);
      if (r.record) {
        ctx.emit(*r.record);
        host().counterAdd("rows_read");
        progress.done();
      } else {
        host().warn("rejected: " + r.rejected);
        host().counterAdd("rows_rejected");
        progress.rejected();
      }
      // A rejected row moves the checkpoint too: reading it again would not map it either.
      if (r.checkpointValue && (!greatest || later(*r.checkpointValue, *greatest)))
        greatest = r.checkpointValue;
      return ++read < maxRows_;
    });
    progress.finish();
    if (read >= maxRows_)
      host().info("read max_rows (" + std::to_string(maxRows_) +
                  ") rows: the next poll goes on past " + greatest.value_or("the last row"));
    if (greatest && greatest != checkpoint) ctx.commitCheckpoint(*greatest);
    return ijro::sdk::Status::Ok;
  }

 private:
  Connection connection_;
  std::string checkpointColumn_;
  std::string query_;
  std::optional<std::string_view> start_;
  std::int64_t maxRows_;
  RowMapper rows_;
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(
    SqlQuery, "sql-query", "1.0.0",
    "Measures from a region's own database (SQLite or PostgreSQL): a configured SELECT, each row "
    "mapped to the model by column names; with a checkpoint column only new rows are read.",
    ijro::sdk::required(OptionType::Secret, "connection",
                        "SOCI connection string: sqlite3://db=/path/file.db or "
                        "postgresql://dbname=... host=... user=... password=... (never shown)."),
    ijro::sdk::required(OptionType::String, "query",
                        "One SELECT; with checkpoint_column it uses :checkpoint, e.g. WHERE "
                        "updated_at > :checkpoint ORDER BY updated_at."),
    ijro::sdk::required(OptionType::Table, "columns",
                        "Model field -> column name, e.g. measure -> id, deadline -> due_date."),
    ijro::sdk::option(OptionType::Table, "defaults", "{}",
                      "Model field -> value for what the rows do not carry."),
    ijro::sdk::option(OptionType::Table, "statuses", "{}",
                      "The database's status word -> planned, inProgress, completed, cancelled "
                      "or suspended."),
    ijro::sdk::option(OptionType::String, "checkpoint_column", "",
                      "Column whose greatest value read is the checkpoint, bound as :checkpoint "
                      "at the next poll; empty: every poll reads every row."),
    ijro::sdk::option(OptionType::String, "checkpoint_start", nullptr,
                      "The value bound to :checkpoint before anything was read (required with "
                      "checkpoint_column)."),
    ijro::sdk::option(OptionType::Int, "max_rows", "50000",
                      "Rows read per poll at most (the query must then order by the checkpoint "
                      "column)."))
