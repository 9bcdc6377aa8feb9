// In-process benchmarks (Google Benchmark), each hub path next to the limit it is divided by:
//   parse: records/s of exchange::parseReportXml vs. a bare xmlTextReader loop over the same bytes
//   feed:  feed bytes/s of the store read + exchange::writeFeed vs. raw xmlTextWriter calls
//          writing the same elements
//   plugin: records/s emitted by a source plugin through the C ABI (in-process and isolated) and
//          read into the model by the host vs. the same records read into the model directly
//   store: records/s of Store::upsert vs. the raw sqlite3 C API inserting the same rows with the
//          same batch size and pragmas; on PostgreSQL vs. COPY of the same rows
// bench/run pairs them up into ratios. PostgreSQL rows run when IJRO_BENCH_PG_URL is set.
#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/sample.hpp"
#include "hub/exchange/feed.hpp"
#include "hub/exchange/report.hpp"
#include "hub/isolation/make_runner.hpp"
#include "hub/plugin_host/records.hpp"
#include "hub/store/store.hpp"

namespace ijro::bench {

namespace fs = std::filesystem;

constexpr std::size_t kParseRecords = 100;
constexpr std::size_t kFeedRecords = 2000;
constexpr std::size_t kBatch = 100;

fs::path scratch(const std::string& name) {
  const char* dir = std::getenv("IJRO_BENCH_DIR");
  fs::path p = fs::path(dir ? dir : "/tmp") / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

// ---------------------------------------------------------------- parse

const std::string& parseBody() {
  static const std::string body = exchange::writeReportXml("bench", sampleBatch(0, kParseRecords));
  return body;
}

void BM_Parse_Hub(benchmark::State& state) {
  const auto& body = parseBody();
  for (auto _ : state) {
    auto report = exchange::parseReportXml(body);
    if (report.records.size() != kParseRecords || !report.records.back().record)
      throw std::runtime_error("parse benchmark: unexpected result");
    benchmark::DoNotOptimize(report);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kParseRecords));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

void BM_Parse_RawReader(benchmark::State& state) {
  const auto& body = parseBody();
  for (auto _ : state) {
    xmlTextReaderPtr r = xmlReaderForMemory(body.data(), static_cast<int>(body.size()), nullptr,
                                            "UTF-8", XML_PARSE_NONET);
    std::size_t n = 0;
    while (xmlTextReaderRead(r) == 1)
      if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && xmlTextReaderDepth(r) == 1) ++n;
    xmlFreeTextReader(r);
    if (n != kParseRecords) throw std::runtime_error("raw reader: unexpected count");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kParseRecords));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

// ---------------------------------------------------------------- feed

store::Store& feedStore() {
  static std::unique_ptr<store::Store> s = [] {
    auto st = store::Store::open("sqlite:" + (scratch("feed") / "hub.db").string(), 2);
    for (std::size_t i = 0; i < kFeedRecords; i += 500) {
      auto batch = sampleBatch(static_cast<std::int64_t>(i), 500);
      st->upsert(batch, std::chrono::system_clock::now());
    }
    return st;
  }();
  return *s;
}

std::string hubFeed() {
  exchange::FeedHeader h{"bench-hub", "2026-11-28T00:00:00Z", *model::parseDate("2026-11-28")};
  return exchange::writeFeed(h, model::StatusRules{},
                             [](const auto& emit) { feedStore().forEach(store::Filter{}, emit); });
}

void BM_Feed_Hub(benchmark::State& state) {
  feedStore();  // filled before timing
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto feed = hubFeed();
    bytes += feed.size();
    benchmark::DoNotOptimize(feed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

// The hub's feed as a list of writer calls, replayed by the raw baseline: the same elements,
// attributes and text, with nothing to read or evaluate.
struct WriterEvent {
  enum Type { Start, Attr, Text, End } type;
  std::string name, value;
};

std::vector<WriterEvent> feedEvents() {
  std::vector<WriterEvent> events;
  const auto feed = hubFeed();
  xmlTextReaderPtr r = xmlReaderForMemory(feed.data(), static_cast<int>(feed.size()), nullptr,
                                          "UTF-8", XML_PARSE_NONET);
  auto str = [](const xmlChar* s) {
    return std::string(s ? reinterpret_cast<const char*>(s) : "");
  };
  while (xmlTextReaderRead(r) == 1) {
    switch (xmlTextReaderNodeType(r)) {
      case XML_READER_TYPE_ELEMENT: {
        events.push_back({WriterEvent::Start, str(xmlTextReaderConstLocalName(r)), {}});
        const bool empty = xmlTextReaderIsEmptyElement(r);
        while (xmlTextReaderMoveToNextAttribute(r) == 1)
          events.push_back(
              {WriterEvent::Attr, str(xmlTextReaderConstName(r)), str(xmlTextReaderConstValue(r))});
        if (empty) events.push_back({WriterEvent::End, {}, {}});
        break;
      }
      case XML_READER_TYPE_TEXT:
        events.push_back({WriterEvent::Text, {}, str(xmlTextReaderConstValue(r))});
        break;
      case XML_READER_TYPE_END_ELEMENT:
        events.push_back({WriterEvent::End, {}, {}});
        break;
      default:
        break;
    }
  }
  xmlFreeTextReader(r);
  return events;
}

void BM_Feed_RawWriter(benchmark::State& state) {
  const auto events = feedEvents();
  std::size_t bytes = 0;
  for (auto _ : state) {
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterStartDocument(w, nullptr, "UTF-8", nullptr);
    for (const auto& e : events) {
      auto c = [](const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); };
      switch (e.type) {
        case WriterEvent::Start:
          xmlTextWriterStartElement(w, c(e.name));
          break;
        case WriterEvent::Attr:
          xmlTextWriterWriteAttribute(w, c(e.name), c(e.value));
          break;
        case WriterEvent::Text:
          xmlTextWriterWriteString(w, c(e.value));
          break;
        case WriterEvent::End:
          xmlTextWriterEndElement(w);
          break;
      }
    }
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    bytes += static_cast<std::size_t>(xmlBufferLength(buf));
    xmlBufferFree(buf);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

// ---------------------------------------------------------------- plugin

constexpr std::size_t kPluginRecords = 1000;

std::unique_ptr<isolation::Runner> benchRunner(isolation::Isolation isolation) {
  isolation::RunnerOptions o;
  o.pluginPath = IJRO_BENCH_PLUGIN;
  o.name = "bench";
  o.options = {{"count", std::to_string(kPluginRecords)}};
  o.isolation = isolation;
  o.hubBinary = IJRO_HUB_BINARY;
  return isolation::makeRunner(o);
}

// Records through the ABI: one poll, then the host's parse into the model (what the runtime
// stores). The checks are structural, as for the direct path.
void pluginThroughAbi(benchmark::State& state, isolation::Isolation isolation) {
  auto runner = benchRunner(isolation);
  for (auto _ : state) {
    auto polled = runner->poll();
    if (polled.status != plugin_host::Status::Ok || polled.records.size() != kPluginRecords)
      throw std::runtime_error("plugin benchmark: poll failed: " + polled.message);
    auto checked = plugin_host::checkRecords(polled.records, "bench");
    if (!checked.back().valid()) throw std::runtime_error("plugin benchmark: invalid record");
    benchmark::DoNotOptimize(checked);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPluginRecords));
}

void BM_Plugin_InProcess(benchmark::State& state) {
  pluginThroughAbi(state, isolation::Isolation::InProcess);
}
void BM_Plugin_Isolated(benchmark::State& state) {
  pluginThroughAbi(state, isolation::Isolation::Process);
}

// The same records built in the hub: the same JSON text read into the model, no ABI crossing.
void BM_Plugin_Direct(benchmark::State& state) {
  const auto records = benchRunner(isolation::Isolation::InProcess)->poll().records;
  for (auto _ : state) {
    auto copy = records;  // the hub holding its own records, as a poll hands them over
    auto checked = plugin_host::checkRecords(copy, "bench");
    if (!checked.back().valid()) throw std::runtime_error("plugin benchmark: invalid record");
    benchmark::DoNotOptimize(checked);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPluginRecords));
}

// ---------------------------------------------------------------- store: SQLite

std::atomic<std::int64_t> nextKey{1'000'000};

// Store::upsert of fresh batches of kBatch new records into the store at `url`.
void storeThroughHub(benchmark::State& state, const std::string& url) {
  auto st = store::Store::open(url, 1);
  for (auto _ : state) {
    state.PauseTiming();
    auto batch = sampleBatch(nextKey.fetch_add(kBatch), kBatch);
    state.ResumeTiming();
    auto results = st->upsert(batch, std::chrono::system_clock::now());
    if (results.back().outcome != store::Outcome::Accepted)
      throw std::runtime_error("store benchmark: not accepted: " + results.back().reason);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}

void BM_Store_Hub_SQLite(benchmark::State& state) {
  storeThroughHub(state, "sqlite:" + (scratch("store-hub") / "hub.db").string());
}

class Sqlite {
 public:
  explicit Sqlite(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("sqlite3_open");
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
  }
  ~Sqlite() {
    for (auto* s : statements_) sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
    statements_.push_back(s);
    return s;
  }
  void step(sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_DONE)
      throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
    sqlite3_reset(s);
  }
  std::int64_t lastId() { return sqlite3_last_insert_rowid(db_); }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

void bindText(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

// The same rows the store writes for a new record: the implementation, its children, history.
void BM_Store_RawSqlite(benchmark::State& state) {
  const auto path = (scratch("store-raw") / "raw.db").string();
  store::Store::open("sqlite:" + path, 1);  // the same schema, then closed
  Sqlite db(path);
  auto* impl = db.prepare(
      "INSERT INTO implementation (source, measure_id, region, organisation, sector, revision, "
      "lifecycle, start_date, deadline, completed, title, act_type, act_number, act_date, "
      "act_item, note, search_text, fingerprint, received_at) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  auto* dc = db.prepare(
      "INSERT INTO deadline_change (implementation_id, pos, previous, deadline, requested_by, "
      "requested_on, reason, decision, decided_by, decided_on) VALUES (?,?,?,?,?,?,?,?,?,?)");
  auto* ind = db.prepare("INSERT INTO indicator VALUES (?,?,?,?,?,?,?)");
  auto* per = db.prepare(
      "INSERT INTO indicator_period (implementation_id, indicator_pos, pos, start_date, end_date, "
      "target, actual) VALUES (?,?,?,?,?,?,?)");
  auto* asg = db.prepare("INSERT INTO assignment VALUES (?,?,?,?,?,?,?,?,?)");
  auto* ev = db.prepare("INSERT INTO evidence VALUES (?,?,?,?,?,?,?,?,?)");
  auto* hist = db.prepare(
      "INSERT INTO history (source, measure_id, region, organisation, revision, received_at, "
      "changes) VALUES (?,?,?,?,?,?,?)");
  const std::string now = "2026-11-28T00:00:00Z";
  for (auto _ : state) {
    state.PauseTiming();
    auto batch = sampleBatch(nextKey.fetch_add(kBatch), kBatch);
    state.ResumeTiming();
    db.exec("BEGIN IMMEDIATE");
    for (const auto& m : batch) {
      int i = 1;
      bindText(impl, i++, m.source);
      bindText(impl, i++, m.measure.id);
      bindText(impl, i++, m.region);
      bindText(impl, i++, m.organisation);
      bindText(impl, i++, m.sector);
      sqlite3_bind_int64(impl, i++, m.revision);
      bindText(impl, i++, model::toString(m.lifecycle));
      bindText(impl, i++, model::formatDate(m.start));
      bindText(impl, i++, model::formatDate(m.deadline));
      if (m.completed)
        bindText(impl, i++, model::formatDate(*m.completed));
      else
        sqlite3_bind_null(impl, i++);
      bindText(impl, i++, m.measure.title);
      bindText(impl, i++, m.measure.act.type);
      bindText(impl, i++, m.measure.act.number);
      bindText(impl, i++, model::formatDate(m.measure.act.date));
      bindText(impl, i++, m.measure.act.item);
      bindText(impl, i++, m.note);
      bindText(impl, i++, m.measure.id + " " + m.measure.title + " " + m.note);
      bindText(impl, i++, "0000000000000000000000000000000000000000000000000000000000000000");
      bindText(impl, i++, now);
      db.step(impl);
      const auto id = db.lastId();
      for (std::size_t k = 0; k < m.deadlineChanges.size(); ++k) {
        const auto& c = m.deadlineChanges[k];
        sqlite3_bind_int64(dc, 1, id);
        sqlite3_bind_int(dc, 2, static_cast<int>(k));
        bindText(dc, 3, model::formatDate(c.previous));
        bindText(dc, 4, model::formatDate(c.deadline));
        bindText(dc, 5, c.requestedBy);
        sqlite3_bind_null(dc, 6);
        bindText(dc, 7, c.reason);
        bindText(dc, 8, model::toString(c.decision));
        bindText(dc, 9, c.decidedBy);
        bindText(dc, 10, model::formatDate(*c.decidedOn));
        db.step(dc);
      }
      for (std::size_t k = 0; k < m.indicators.size(); ++k) {
        const auto& x = m.indicators[k];
        sqlite3_bind_int64(ind, 1, id);
        sqlite3_bind_int(ind, 2, static_cast<int>(k));
        bindText(ind, 3, x.code);
        bindText(ind, 4, x.name);
        bindText(ind, 5, x.unit);
        sqlite3_bind_int(ind, 6, x.ascending ? 1 : 0);
        sqlite3_bind_double(ind, 7, x.baseline);
        db.step(ind);
        for (std::size_t p = 0; p < x.periods.size(); ++p) {
          const auto& q = x.periods[p];
          sqlite3_bind_int64(per, 1, id);
          sqlite3_bind_int(per, 2, static_cast<int>(k));
          sqlite3_bind_int(per, 3, static_cast<int>(p));
          bindText(per, 4, model::formatDate(q.start));
          bindText(per, 5, model::formatDate(q.end));
          if (q.target)
            sqlite3_bind_double(per, 6, *q.target);
          else
            sqlite3_bind_null(per, 6);
          if (q.actual)
            sqlite3_bind_double(per, 7, *q.actual);
          else
            sqlite3_bind_null(per, 7);
          db.step(per);
        }
      }
      for (std::size_t k = 0; k < m.assignments.size(); ++k) {
        const auto& a = m.assignments[k];
        sqlite3_bind_int64(asg, 1, id);
        sqlite3_bind_int(asg, 2, static_cast<int>(k));
        bindText(asg, 3, a.id);
        bindText(asg, 4, a.parentId);
        bindText(asg, 5, a.assignee);
        bindText(asg, 6, a.title);
        bindText(asg, 7, model::formatDate(a.deadline));
        bindText(asg, 8, model::toString(a.control));
        sqlite3_bind_null(asg, 9);
        db.step(asg);
      }
      for (std::size_t k = 0; k < m.evidence.size(); ++k) {
        const auto& e = m.evidence[k];
        sqlite3_bind_int64(ev, 1, id);
        sqlite3_bind_int(ev, 2, static_cast<int>(k));
        bindText(ev, 3, e.url);
        bindText(ev, 4, e.title);
        bindText(ev, 5, e.format);
        bindText(ev, 6, model::formatDate(e.date));
        bindText(ev, 7, e.uploader);
        bindText(ev, 8, e.sha256);
        if (e.size)
          sqlite3_bind_int64(ev, 9, *e.size);
        else
          sqlite3_bind_null(ev, 9);
        db.step(ev);
      }
      bindText(hist, 1, m.source);
      bindText(hist, 2, m.measure.id);
      bindText(hist, 3, m.region);
      bindText(hist, 4, m.organisation);
      sqlite3_bind_int64(hist, 5, m.revision);
      bindText(hist, 6, now);
      bindText(hist, 7, "created");
      db.step(hist);
    }
    db.exec("COMMIT");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}

// ---------------------------------------------------------------- store: PostgreSQL

const char* pgUrl() {
  return std::getenv("IJRO_BENCH_PG_URL");
}

void BM_Store_Hub_Postgres(benchmark::State& state) {
  storeThroughHub(state, pgUrl());
}

class Pg {
 public:
  explicit Pg(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c_));
  }
  ~Pg() { PQfinish(c_); }
  void exec(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    auto st = PQresultStatus(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
      throw std::runtime_error("pg: " + std::string(PQerrorMessage(c_)));
  }
  void copy(const std::string& table, const std::string& rows) {
    PGresult* r = PQexec(c_, ("COPY " + table + " FROM STDIN").c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) throw std::runtime_error(PQerrorMessage(c_));
    PQclear(r);
    if (PQputCopyData(c_, rows.data(), static_cast<int>(rows.size())) != 1 ||
        PQputCopyEnd(c_, nullptr) != 1)
      throw std::runtime_error(PQerrorMessage(c_));
    r = PQgetResult(c_);
    auto st = PQresultStatus(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK)
      throw std::runtime_error("COPY " + table + ": " + PQerrorMessage(c_));
  }

 private:
  PGconn* c_;
};

// COPY text format: tab-separated, \N for NULL (the sample has no tabs, newlines or backslashes).
struct CopyRow {
  std::string& out;
  bool first = true;
  CopyRow& operator<<(const std::string& v) {
    if (!first) out += '\t';
    first = false;
    out += v;
    return *this;
  }
  ~CopyRow() { out += '\n'; }
};

std::string num(double v) {
  return std::to_string(v);
}
std::string opt(const std::optional<double>& v) {
  return v ? num(*v) : "\\N";
}

void BM_Store_RawCopy_Postgres(benchmark::State& state) {
  Pg pg(std::string(pgUrl()).substr(std::string("postgresql://").size()));
  // The store's tables without the identity column's generation, so COPY can supply ids.
  pg.exec("DROP SCHEMA IF EXISTS bench_copy CASCADE");
  pg.exec("CREATE SCHEMA bench_copy");
  pg.exec(
      "CREATE TABLE bench_copy.implementation (id BIGINT PRIMARY KEY, source TEXT COLLATE \"C\", "
      "measure_id TEXT COLLATE \"C\", region TEXT COLLATE \"C\", organisation TEXT COLLATE \"C\", "
      "sector TEXT COLLATE \"C\", revision BIGINT, lifecycle TEXT, start_date TEXT, deadline TEXT, "
      "completed TEXT, title TEXT, act_type TEXT, act_number TEXT, act_date TEXT, act_item TEXT, "
      "note TEXT, search_text TEXT, fingerprint TEXT, received_at TEXT)");
  pg.exec(
      "CREATE UNIQUE INDEX ON bench_copy.implementation (measure_id, region, organisation, "
      "source)");
  pg.exec("CREATE INDEX ON bench_copy.implementation (region)");
  pg.exec("CREATE INDEX ON bench_copy.implementation (sector)");
  pg.exec("CREATE INDEX ON bench_copy.implementation (organisation)");
  pg.exec(
      "CREATE TABLE bench_copy.deadline_change (implementation_id BIGINT, pos INT, previous TEXT, "
      "deadline TEXT, requested_by TEXT, requested_on TEXT, reason TEXT, decision TEXT, "
      "decided_by TEXT, decided_on TEXT, PRIMARY KEY "
      "(implementation_id, pos))");
  pg.exec(
      "CREATE TABLE bench_copy.indicator (implementation_id BIGINT, pos INT, code TEXT, name TEXT, "
      "unit TEXT, ascending INT, baseline DOUBLE PRECISION, PRIMARY KEY (implementation_id, pos))");
  pg.exec(
      "CREATE TABLE bench_copy.indicator_period (implementation_id BIGINT, indicator_pos INT, pos "
      "INT, "
      "start_date TEXT, end_date TEXT, target DOUBLE PRECISION, actual DOUBLE PRECISION, "
      "PRIMARY KEY (implementation_id, indicator_pos, pos))");
  pg.exec(
      "CREATE TABLE bench_copy.assignment (implementation_id BIGINT, pos INT, assignment_id TEXT, "
      "parent_id TEXT, assignee TEXT, title TEXT, deadline TEXT, control TEXT, completed TEXT, "
      "PRIMARY KEY (implementation_id, pos))");
  pg.exec(
      "CREATE TABLE bench_copy.evidence (implementation_id BIGINT, pos INT, url TEXT, title TEXT, "
      "format TEXT, doc_date TEXT, uploader TEXT, PRIMARY KEY (implementation_id, pos))");
  pg.exec(
      "CREATE TABLE bench_copy.history (id BIGSERIAL PRIMARY KEY, source TEXT, measure_id TEXT, "
      "region TEXT, organisation TEXT, revision BIGINT, received_at TEXT, changes TEXT)");
  pg.exec("CREATE INDEX ON bench_copy.history (source, measure_id, region, organisation, id)");
  std::int64_t id = 1;
  const std::string now = "2026-11-28T00:00:00Z";
  for (auto _ : state) {
    state.PauseTiming();
    auto batch = sampleBatch(nextKey.fetch_add(kBatch), kBatch);
    state.ResumeTiming();
    std::string impl, dc, ind, per, asg, ev, hist;
    for (const auto& m : batch) {
      const auto d = model::formatDate;
      CopyRow{impl} << std::to_string(id) << m.source << m.measure.id << m.region << m.organisation
                    << m.sector << std::to_string(m.revision) << model::toString(m.lifecycle)
                    << d(m.start) << d(m.deadline) << (m.completed ? d(*m.completed) : "\\N")
                    << m.measure.title << m.measure.act.type << m.measure.act.number
                    << d(m.measure.act.date) << m.measure.act.item << m.note
                    << (m.measure.id + " " + m.measure.title + " " + m.note) << std::string(64, '0')
                    << now;
      for (std::size_t k = 0; k < m.deadlineChanges.size(); ++k) {
        const auto& c = m.deadlineChanges[k];
        CopyRow{dc} << std::to_string(id) << std::to_string(k) << d(c.previous) << d(c.deadline)
                    << c.requestedBy << "\\N" << c.reason << model::toString(c.decision)
                    << c.decidedBy << d(*c.decidedOn);
      }
      for (std::size_t k = 0; k < m.indicators.size(); ++k) {
        const auto& x = m.indicators[k];
        CopyRow{ind} << std::to_string(id) << std::to_string(k) << x.code << x.name << x.unit
                     << (x.ascending ? "1" : "0") << num(x.baseline);
        for (std::size_t p = 0; p < x.periods.size(); ++p)
          CopyRow{per} << std::to_string(id) << std::to_string(k) << std::to_string(p)
                       << d(x.periods[p].start) << d(x.periods[p].end) << opt(x.periods[p].target)
                       << opt(x.periods[p].actual);
      }
      for (std::size_t k = 0; k < m.assignments.size(); ++k) {
        const auto& a = m.assignments[k];
        CopyRow{asg} << std::to_string(id) << std::to_string(k) << a.id << a.parentId << a.assignee
                     << a.title << d(a.deadline) << model::toString(a.control) << "\\N";
      }
      for (std::size_t k = 0; k < m.evidence.size(); ++k) {
        const auto& e = m.evidence[k];
        CopyRow{ev} << std::to_string(id) << std::to_string(k) << e.url << e.title << e.format
                    << d(e.date) << e.uploader;
      }
      CopyRow{hist} << m.source << m.measure.id << m.region << m.organisation
                    << std::to_string(m.revision) << now << "created";
      ++id;
    }
    pg.exec("BEGIN");
    pg.copy("bench_copy.implementation", impl);
    pg.copy("bench_copy.deadline_change", dc);
    pg.copy("bench_copy.indicator", ind);
    pg.copy("bench_copy.indicator_period", per);
    pg.copy("bench_copy.assignment", asg);
    pg.copy("bench_copy.evidence", ev);
    pg.copy(
        "bench_copy.history (source, measure_id, region, organisation, revision, received_at, "
        "changes)",
        hist);
    pg.exec("COMMIT");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}

BENCHMARK(BM_Parse_Hub)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Parse_RawReader)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Feed_Hub)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Feed_RawWriter)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Plugin_InProcess)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Plugin_Isolated)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Plugin_Direct)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Store_Hub_SQLite)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_Store_RawSqlite)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();

}  // namespace ijro::bench

int main(int argc, char** argv) {
  using namespace ijro::bench;
  benchmark::Initialize(&argc, argv);
  if (pgUrl()) {
    benchmark::RegisterBenchmark("BM_Store_Hub_Postgres", BM_Store_Hub_Postgres)
        ->Unit(benchmark::kMillisecond)
        ->MinTime(2.0)
        ->UseRealTime();
    benchmark::RegisterBenchmark("BM_Store_RawCopy_Postgres", BM_Store_RawCopy_Postgres)
        ->Unit(benchmark::kMillisecond)
        ->MinTime(2.0)
        ->UseRealTime();
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
