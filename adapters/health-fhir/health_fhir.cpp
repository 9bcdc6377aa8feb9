// health-fhir: a source plugin reading FHIR R4 MeasureReports (JSON or XML) from a folder or from
// a FHIR server, and turning them into indicator values of configured measures per region and
// district (README.md). Each poll:
//   files:  moves the files of the last committed poll aside (processed/, and the resources of
//           them that could not be used listed in rejected/NAME.rejected.txt), reads the settled
//           .json and .xml files in name order (a file that cannot be read at all is moved to
//           rejected/ with NAME.reason.txt), emits one record per (measure, region,
//           organisation) and commits the files it read;
//   server: GET {base_url}/MeasureReport?_lastUpdated=gt{checkpoint}&_count=N&_sort=_lastUpdated,
//           following the Bundle's next links, emits the records and commits the greatest
//           meta.lastUpdated it saw.
// The mapping is measure_report.cpp; the tree both JSON and XML are read into, fhir_tree.cpp.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <ijro_folder.hpp>
#include <ijro_http.hpp>
#include <ijro_http_paging.hpp>
#include <ijro_plugin.hpp>
#include <ijro_progress.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fhir_tree.hpp"
#include "measure_report.hpp"

namespace {

namespace fs = std::filesystem;
namespace http = ijro::sdk::http;
namespace json = boost::json;
using ijro::sdk::Context;
using ijro::sdk::Host;
using ijro::sdk::OptionType;
using ijro::sdk::RetryLater;
using ijro::sdk::Status;
using ijro::sdk::folder::FileId;

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// The checkpoint: {"revision":N,"lastUpdated":"..."} (server) or {"revision":N,"files":[...]}.
struct Checkpoint {
  std::int64_t revision = 0;
  std::string lastUpdated;
  std::vector<FileId> files;

  static Checkpoint parse(const std::optional<std::string>& text) {
    Checkpoint c;
    if (!text || text->empty()) return c;
    json::error_code ec;
    const json::value doc = json::parse(*text, ec);
    if (ec || !doc.is_object()) return c;  // not ours: start again (revisions still grow below)
    const auto& o = doc.get_object();
    if (auto* r = o.if_contains("revision"); r && r->is_int64()) c.revision = r->get_int64();
    if (auto* l = o.if_contains("lastUpdated"); l && l->is_string())
      c.lastUpdated = std::string(l->get_string());
    if (auto* f = o.if_contains("files"); f && f->is_array())
      for (const auto& item : f->get_array()) {
        if (!item.is_object()) continue;
        const auto& fo = item.get_object();
        auto* name = fo.if_contains("name");
        auto* size = fo.if_contains("size");
        auto* mtime = fo.if_contains("mtime");
        if (!name || !name->is_string() || !size || !size->is_int64() || !mtime ||
            !mtime->is_int64())
          continue;
        c.files.push_back(FileId{std::string(name->get_string()),
                                 static_cast<std::uintmax_t>(size->get_int64()),
                                 mtime->get_int64()});
      }
    return c;
  }
  std::string serialize() const {
    json::object o;
    o["revision"] = revision;
    if (!lastUpdated.empty()) o["lastUpdated"] = lastUpdated;
    if (!files.empty()) {
      json::array a;
      for (const FileId& f : files)
        a.push_back(json::object{
            {"name", f.name}, {"size", static_cast<std::int64_t>(f.size)}, {"mtime", f.mtimeNs}});
      o["files"] = std::move(a);
    }
    return json::serialize(o);
  }
};

std::int64_t positive(const Host& host, const char* name) {
  const std::int64_t v = host.optionInt(name);
  if (v <= 0)
    throw std::invalid_argument(std::string("option \"") + name + "\" must be 1 or more, not " +
                                std::to_string(v));
  return v;
}

health_fhir::Shared sharedOf(const Host& host) {
  health_fhir::Shared s;
  s.sector = host.optionString("sector");
  s.actType = host.optionString("act_type");
  s.actNumber = host.optionString("act_number");
  s.actDate = host.optionString("act_date");
  s.actItem = host.option("act_item").value_or("");
  s.start = host.option("start").value_or("");
  s.deadline = host.option("deadline").value_or("");
  s.lifecycle = host.optionString("lifecycle");
  return s;
}

// Where the next page of a searchset Bundle is: link[relation=next].url.
std::optional<std::string> nextOfBundle(const http::Response& page) {
  json::error_code ec;
  const json::value doc = json::parse(page.body, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  const auto* links = doc.get_object().if_contains("link");
  if (links == nullptr || !links->is_array()) return std::nullopt;
  for (const auto& l : links->get_array()) {
    if (!l.is_object()) continue;
    const auto* relation = l.get_object().if_contains("relation");
    const auto* url = l.get_object().if_contains("url");
    if (relation && relation->is_string() && relation->get_string() == "next" && url &&
        url->is_string())
      return std::string(url->get_string());
  }
  return std::nullopt;
}

class HealthFhir : public ijro::sdk::Source {
 public:
  explicit HealthFhir(Host& host)
      : mapping_(host.optionTable("measures"), host.optionTable("reporters"), sharedOf(host)),
        baseUrl_(host.option("base_url").value_or("")),
        dir_(host.option("directory").value_or("")),
        inbox_(dir_, {"*.json", "*.xml"}, std::chrono::milliseconds(settleMs(host))),
        maxFileBytes_(static_cast<std::size_t>(positive(host, "max_file_bytes"))),
        pageSize_(positive(host, "page_size")),
        maxPages_(static_cast<std::size_t>(positive(host, "max_pages"))),
        token_(host.option("token").value_or("")),
        username_(host.option("username").value_or("")),
        password_(host.option("password").value_or("")),
        client_(clientOptions(host)) {
    std::string mode(host.option("mode").value_or(""));
    if (mode.empty()) {
      if (!baseUrl_.empty() && !dir_.empty())
        throw std::invalid_argument(
            "both \"base_url\" and \"directory\" are set: set one (or the option \"mode\": "
            "server or files)");
      mode = !baseUrl_.empty() ? "server" : "files";
    }
    if (mode != "server" && mode != "files")
      throw std::invalid_argument("option \"mode\" must be server or files, not \"" + mode + "\"");
    server_ = mode == "server";
    if (server_ && baseUrl_.empty())
      throw std::invalid_argument(
          "mode server needs the option \"base_url\" (the FHIR server's "
          "base, e.g. https://fhir.ssv.uz/fhir)");
    if (!server_ && dir_.empty())
      throw std::invalid_argument(
          "set the option \"directory\" (a folder of MeasureReport files) or \"base_url\" (a "
          "FHIR server)");
    if (!token_.empty() && !username_.empty())
      throw std::invalid_argument(
          "both \"token\" (bearer) and \"username\" (basic) are set: choose one way to sign in");
    while (!baseUrl_.empty() && baseUrl_.back() == '/') baseUrl_.pop_back();
    if (!server_) {
      processedDir_ = host.option("processed_dir") ? fs::path(*host.option("processed_dir"))
                                                   : dir_ / "processed";
      rejectedDir_ =
          host.option("rejected_dir") ? fs::path(*host.option("rejected_dir")) : dir_ / "rejected";
    }
  }

  Status poll(Context& ctx) override { return server_ ? pollServer(ctx) : pollFiles(ctx); }

 private:
  static std::int64_t settleMs(const Host& host) {
    const std::int64_t v = host.optionInt("settle_ms");
    if (v < 0)
      throw std::invalid_argument("option \"settle_ms\" must be 0 or more, not " +
                                  std::to_string(v));
    return v;
  }

  static http::ClientOptions clientOptions(const Host& host) {
    http::ClientOptions o;
    o.tls.caFile = host.option("ca_file").value_or("");
    o.tls.verifyPeer = host.optionBool("verify_tls");
    o.requestTimeout = std::chrono::milliseconds(positive(host, "timeout_ms"));
    o.userAgent = "ijro-hub-health-fhir";
    o.log = [host](ijro::sdk::LogLevel level, const std::string& line) { host.log(level, line); };
    return o;
  }

  // Emits the records of the readings with the next revision and reports the rejections.
  std::int64_t emit(const Context& ctx, const std::vector<health_fhir::Reading>& readings,
                    const std::vector<health_fhir::Rejection>& rejections, std::int64_t revision) {
    for (const auto& r : rejections) {
      ctx.warn("rejected " + r.describe());
      ctx.counterAdd("resources_rejected");
    }
    ctx.counterAdd("resources_read", static_cast<std::int64_t>(readings.size()));
    if (readings.empty()) return revision;
    // Above the last one, and at least the time in seconds: a lost or reset checkpoint never
    // makes the hub take new records for stale ones.
    const std::int64_t next =
        std::max(revision + 1, std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
    const auto records = health_fhir::records(readings, mapping_, next);
    for (const auto& impl : records) ctx.emit(impl.toJson());
    ctx.counterAdd("records_emitted", static_cast<std::int64_t>(records.size()));
    return next;
  }

  // --- files ---

  Status pollFiles(Context& ctx) {
    Checkpoint last = Checkpoint::parse(ctx.checkpoint());
    finishCommitted(ctx, last);

    std::vector<FileId> candidates;
    try {
      candidates = inbox_.settled();
    } catch (const fs::filesystem_error& e) {
      throw RetryLater("cannot list the folder " + dir_.string() + ": " + e.code().message() +
                       " (does it exist, and may the hub read it?)");
    }
    ijro::sdk::Progress progress(ctx, dir_.string(), candidates.size());
    std::vector<health_fhir::Reading> readings;
    std::vector<health_fhir::Rejection> rejections;
    Checkpoint next;
    next.revision = last.revision;
    for (const FileId& file : candidates) {
      const fs::path path = dir_ / file.name;
      std::vector<health_fhir::Reading> got;
      std::vector<health_fhir::Rejection> bad;
      try {
        const std::string bytes = ijro::sdk::folder::readFile(path, maxFileBytes_);
        const bool xml = lower(path.extension().string()) == ".xml";
        const health_fhir::Elem root =
            xml ? health_fhir::parseXml(bytes, file.name, maxFileBytes_)
                : health_fhir::parseJson(bytes, file.name, maxFileBytes_);
        health_fhir::read(root, mapping_, file.name, got, bad);
      } catch (const health_fhir::InputError& e) {
        quarantine(ctx, file, e.what());
        progress.rejected();
        continue;
      } catch (const std::runtime_error& e) {
        throw RetryLater("cannot read " + path.string() + ": " + e.what());
      }
      if (inbox_.current(file.name) != file) continue;  // changed meanwhile: wait to settle
      if (got.empty()) {
        std::string why;
        for (const auto& r : bad) why += r.describe() + "\n";
        ctx.counterAdd("resources_rejected", static_cast<std::int64_t>(bad.size()));
        quarantine(ctx, file, why.empty() ? "no MeasureReport in the file" : why);
        progress.rejected();
        continue;
      }
      if (!bad.empty()) {
        std::vector<std::string> lines;
        for (const auto& r : bad) lines.push_back(r.describe());
        rejected_[file.name] = std::move(lines);
      }
      readings.insert(readings.end(), std::make_move_iterator(got.begin()),
                      std::make_move_iterator(got.end()));
      rejections.insert(rejections.end(), bad.begin(), bad.end());
      next.files.push_back(file);
      ctx.counterAdd("files_read");
      progress.done();
    }
    progress.finish();
    next.revision = emit(ctx, readings, rejections, last.revision);
    ctx.commitCheckpoint(next.serialize());
    return Status::Ok;
  }

  // Moves aside the files of the last committed poll, still as they were read.
  void finishCommitted(const Context& ctx, const Checkpoint& last) {
    for (const auto& m : inbox_.moveCommitted(last.files, processedDir_)) {
      const FileId& file = m.file;
      if (!m.to) {
        rejected_.erase(file.name);  // moved already, or a new file of the same name
        continue;
      }
      const fs::path& moved = *m.to;
      ctx.counterAdd("files_processed");
      auto it = rejected_.find(file.name);
      if (it == rejected_.end()) continue;
      std::string text = "health-fhir could not use " + std::to_string(it->second.size()) +
                         " resource(s) of " + file.name + " (" + ijro::sdk::folder::utcNow() +
                         "); the others were stored and the file is now " + moved.string() +
                         ".\n\nWhat is wrong:\n";
      for (const auto& l : it->second) text += "  - " + l + "\n";
      text +=
          "\nHow to fix it: correct these resources (or the options measures / reporters) "
          "and drop a file with just them into " +
          dir_.string() + " again.\n";
      rejected_.erase(it);
      try {
        fs::create_directories(rejectedDir_);
        ijro::sdk::folder::writeTextFile(
            rejectedDir_ / (moved.filename().string() + ".rejected.txt"), text);
      } catch (const std::exception& e) {
        ctx.warn(std::string("cannot write the list of rejected resources: ") + e.what());
      }
    }
  }

  void quarantine(const Context& ctx, const FileId& file, const std::string& reason) {
    try {
      const fs::path moved = ijro::sdk::folder::quarantine(dir_ / file.name, rejectedDir_, reason);
      ctx.warn("moved " + file.name + " to " + moved.string() + ": " + reason);
    } catch (const std::exception& e) {
      ctx.warn("cannot move " + file.name + " to " + rejectedDir_.string() + " (" + e.what() +
               "); it was not used: " + reason);
    }
    ctx.counterAdd("files_rejected");
  }

  // --- server ---

  Status pollServer(Context& ctx) {
    client_.resetRetryBudget();
    Checkpoint last = Checkpoint::parse(ctx.checkpoint());
    std::string url = baseUrl_ + "/MeasureReport";
    try {
      url = http::withQueryParameter(url, "_count", std::to_string(pageSize_));
      url = http::withQueryParameter(url, "_sort", "_lastUpdated");
      if (!last.lastUpdated.empty())
        url = http::withQueryParameter(url, "_lastUpdated", "gt" + last.lastUpdated);
    } catch (const http::Error& e) {
      throw std::invalid_argument(std::string("option \"base_url\" is not a URL: ") + e.what());
    }
    http::Request first{http::Method::Get, url, {{"Accept", "application/fhir+json"}}, {}, {}};
    if (!token_.empty()) first.headers.push_back(http::bearer(token_));
    if (!username_.empty()) first.headers.push_back(http::basic(username_, password_));

    std::vector<health_fhir::Reading> readings;
    std::vector<health_fhir::Rejection> rejections;
    std::string greatest = last.lastUpdated;
    std::size_t pageNo = 0;
    ijro::sdk::Progress progress(ctx, client_.safeUrl(baseUrl_ + "/MeasureReport"), std::nullopt);
    auto onPage = [&](const http::Response& page) {
      const std::string origin = "page " + std::to_string(++pageNo) + " of " + page.safeUrl;
      const health_fhir::Elem root = health_fhir::parseJson(page.body, origin, 32u << 20);
      // The server may say which FHIR version it speaks (Content-Type: ...; fhirVersion=4.0).
      std::string declared;
      for (const auto& h : page.headers)
        if (h.name == "content-type")
          if (auto at = lower(h.value).find("fhirversion="); at != std::string::npos)
            declared = h.value.substr(at + 12, h.value.find(';', at) - at - 12);
      std::size_t before = readings.size(), rejectedBefore = rejections.size();
      if (!declared.empty() && declared.rfind("4.0", 0) != 0) {
        rejections.push_back({origin, "the server declared fhirVersion=" + declared +
                                          " in Content-Type, not R4 (4.0): only R4 4.0.x "
                                          "MeasureReports are accepted; use the server's R4 "
                                          "endpoint"});
      } else {
        health_fhir::read(root, mapping_, origin, readings, rejections);
      }
      for (const health_fhir::Elem* entry : root.all("entry"))
        if (const health_fhir::Elem* res = entry->first("resource"))
          if (const health_fhir::Elem* meta = res->first("meta"))
            if (auto lu = meta->text("lastUpdated"); lu && *lu > greatest) greatest = *lu;
      for (std::size_t i = before; i < readings.size(); ++i) progress.done();
      for (std::size_t i = rejectedBefore; i < rejections.size(); ++i) progress.rejected();
    };
    http::PagingResult result;
    try {
      result =
          http::fetchPages(client_, first, http::followBodyUrl(nextOfBundle), onPage, maxPages_);
    } catch (const http::Error& e) {
      if (e.kind() == http::ErrorKind::Connect || e.kind() == http::ErrorKind::Timeout)
        throw RetryLater(e.what());
      throw;
    } catch (const health_fhir::InputError& e) {
      throw std::runtime_error(std::string("the server's answer is not a FHIR Bundle: ") +
                               e.what());
    }
    progress.finish();
    if (result.next)
      ctx.info("read " + std::to_string(maxPages_) +
               " pages (option max_pages); the next poll goes on after " + greatest);
    Checkpoint next;
    next.revision = emit(ctx, readings, rejections, last.revision);
    next.lastUpdated = greatest;
    ctx.commitCheckpoint(next.serialize());
    return Status::Ok;
  }

  health_fhir::Mapping mapping_;
  std::string baseUrl_;
  fs::path dir_, processedDir_, rejectedDir_;
  ijro::sdk::folder::Inbox inbox_;
  std::size_t maxFileBytes_;
  std::int64_t pageSize_;
  std::size_t maxPages_;
  std::string token_, username_, password_;
  http::Client client_;
  bool server_ = false;
  std::map<std::string, std::vector<std::string>> rejected_;  // file -> its rejected resources
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(
    HealthFhir, "health-fhir", "1.0.0",
    "FHIR R4 MeasureReports (JSON or XML, from a folder or a FHIR server) as indicator values of "
    "configured measures per region and district.",
    ijro::sdk::option(OptionType::String, "mode", nullptr,
                      "files or server; by default server when base_url is set, else files."),
    ijro::sdk::required(OptionType::Table, "measures",
                        "FHIR Measure canonical URL -> measure id|indicator code|indicator "
                        "name|unit|title[|target[|start[|deadline]]]."),
    ijro::sdk::required(OptionType::Table, "reporters",
                        "Reporter or subject (Organization/123, system|value, a contained "
                        "organisation's name) -> region SOATO[|district SOATO[|organisation]]."),
    ijro::sdk::required(OptionType::String, "act_type",
                        "Type of the act the measures implement (decree, resolution, ...)."),
    ijro::sdk::required(OptionType::String, "act_number", "Number of the act (PQ-5590)."),
    ijro::sdk::required(OptionType::String, "act_date", "Date of the act, YYYY-MM-DD."),
    ijro::sdk::option(OptionType::String, "act_item", nullptr, "Item of the act's annex."),
    ijro::sdk::option(OptionType::String, "start", nullptr,
                      "Start of the work, YYYY-MM-DD, for measures whose row gives none."),
    ijro::sdk::option(OptionType::String, "deadline", nullptr,
                      "Deadline, YYYY-MM-DD, for measures whose row gives none."),
    ijro::sdk::option(OptionType::String, "sector", "health", "The records' sector."),
    ijro::sdk::option(OptionType::String, "lifecycle", "inProgress",
                      "The records' lifecycle (planned, inProgress, ...)."),
    ijro::sdk::option(OptionType::Path, "directory", nullptr,
                      "Files: the folder of MeasureReport files (.json, .xml)."),
    ijro::sdk::option(OptionType::Path, "processed_dir", nullptr,
                      "Files: where read files go (default DIRECTORY/processed)."),
    ijro::sdk::option(OptionType::Path, "rejected_dir", nullptr,
                      "Files: where unreadable files and lists of rejected resources go "
                      "(default DIRECTORY/rejected)."),
    ijro::sdk::option(OptionType::Int, "settle_ms", "5000",
                      "Files: a file is read once unchanged for this long."),
    ijro::sdk::option(OptionType::Int, "max_file_bytes", "33554432",
                      "Files: larger files are rejected."),
    ijro::sdk::option(OptionType::String, "base_url", nullptr,
                      "Server: the FHIR R4 base URL (https://fhir.example.uz/fhir)."),
    ijro::sdk::option(OptionType::Secret, "token", nullptr, "Server: bearer token."),
    ijro::sdk::option(OptionType::String, "username", nullptr, "Server: basic auth user."),
    ijro::sdk::option(OptionType::Secret, "password", nullptr, "Server: basic auth password."),
    ijro::sdk::option(OptionType::Int, "page_size", "100", "Server: _count per page."),
    ijro::sdk::option(OptionType::Int, "max_pages", "100",
                      "Server: pages read per poll; the next poll goes on."),
    ijro::sdk::option(OptionType::Path, "ca_file", nullptr,
                      "Server: PEM file of the CA to trust instead of the system store."),
    ijro::sdk::option(OptionType::Bool, "verify_tls", "true",
                      "Server: check the server's certificate (leave on)."),
    ijro::sdk::option(OptionType::Int, "timeout_ms", "60000", "Server: one request's time limit."))
