// Evidence uploads: POST /api/v1/evidence and GET /api/v1/evidence/{sha256}, and the feed's hook
// that lists the uploads with the implementations they belong to.
//
// An upload, in order: the token may write; the link (measure, region, organisation, optional
// task) names an implementation in the store that the token's scope covers (404 / 403); the
// declared Content-Type is an accepted type (415) and the content is what it declares (415, with
// what was declared and what was found); then the content is made durable (disk: fsync of the
// file, rename under its hash, fsync of the folder; PostgreSQL: a large object in the link's
// transaction) and the link row committed, and only then 201 {sha256, size, type, url}. The
// same content again is not stored twice: 200 with "stored": false.
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <tuple>

#include "hub/api/api.hpp"
#include "hub/api/json_problem.hpp"
#include "hub/base/timestamp.hpp"
#include "hub/evidence/content_type.hpp"
#include "hub/exchange/json_text.hpp"
#include "hub/model/regions.hpp"

namespace ijro::api {

namespace json = boost::json;
namespace fs = std::filesystem;
using http::Request;
using http::Response;

namespace {

constexpr const char* kEvidencePath = "/api/v1/evidence";

std::string typeList(const std::set<std::string>& types) {
  std::string out;
  for (const auto& t : types) out += (out.empty() ? "" : ", ") + t;
  return out;
}

std::string evidenceUrl(const std::string& sha256) {
  return std::string(kEvidencePath) + "/" + sha256;
}

// The body as a file: the streamed one, or (a request built without the server, e.g. in tests)
// the in-memory body written to a temporary file. Removed on destruction unless moved away.
class BodyFile {
 public:
  BodyFile(const Request& req, const fs::path& tempFolder) {
    if (!req.bodyFile.empty()) {
      path_ = req.bodyFile;
      size_ = req.bodySize;
      return;
    }
    path_ = tempFolder / ("upload-mem-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(req.body.data(), static_cast<std::streamsize>(req.body.size()));
    if (!out.flush()) throw std::runtime_error("cannot write " + path_.string());
    size_ = req.body.size();
  }
  ~BodyFile() {
    std::error_code ec;
    fs::remove(path_, ec);  // gone already when it was renamed into the store
  }
  BodyFile(const BodyFile&) = delete;
  BodyFile& operator=(const BodyFile&) = delete;
  const fs::path& path() const { return path_; }
  std::uint64_t size() const { return size_; }

 private:
  fs::path path_;
  std::uint64_t size_ = 0;
};

// The implementations (one per reporting source) of a measure in exactly this territory by this
// organisation.
std::vector<model::Implementation> implementationsAt(store::Store& store,
                                                     const std::string& measure,
                                                     const std::string& region,
                                                     const std::string& organisation) {
  store::Filter f;
  f.measureId = measure;
  f.region = region;
  f.organisation = organisation;
  std::vector<model::Implementation> out;
  store.forEach(f, [&](const model::Implementation& impl) {
    if (impl.region == region && impl.organisation == organisation) out.push_back(impl);
  });
  return out;
}

}  // namespace

http::StreamBodyRoute evidenceUploadRoute(const EvidenceSettings& settings,
                                          std::chrono::milliseconds readTimeout) {
  if (!settings.blobs) return {};
  const std::string folder = settings.blobs->tempFolder().string();
  const std::uint64_t limit = settings.maxBytes;
  return
      [folder, limit, readTimeout](const std::string& method,
                                   const std::string& path) -> std::optional<http::StreamedBody> {
        if (method != "POST" || path != kEvidencePath) return std::nullopt;
        return http::StreamedBody{folder, limit,
                                  "send a smaller file, or ask the hub operator to raise "
                                  "evidence/@maxBytes in the hub configuration",
                                  readTimeout};
      };
}

Response Api::postEvidence(const Request& req, const intake::Scope& source) {
  const auto& ev = settings_.evidence;
  if (!ev.blobs)
    return jsonProblem(503, "evidence uploads are not configured on this hub (no evidence folder)");

  // The link: which implementation (and task) the file is evidence for.
  std::string measure, region, organisation, task, title, filename;
  for (const auto& [k, v] : req.query) {
    if (k == "measure")
      measure = v;
    else if (k == "region")
      region = v;
    else if (k == "organisation")
      organisation = v;
    else if (k == "task")
      task = v;
    else if (k == "title")
      title = v;
    else if (k == "filename")
      filename = v;
    else {
      ++counters_.badRequests;
      return jsonProblem(400, "unknown query parameter \"" + k +
                                  "\": valid parameters are measure, region, organisation, "
                                  "task, title, filename");
    }
  }
  for (const auto& [name, value] :
       {std::pair{"measure", &measure}, {"region", &region}, {"organisation", &organisation}}) {
    if (value->empty()) {
      ++counters_.badRequests;
      return jsonProblem(400, std::string("query parameter ") + name +
                                  " is missing: name the implementation the file is evidence "
                                  "for with measure, region and organisation (and task for one "
                                  "of its tasks)");
    }
  }
  if (!model::isKnownTerritory(region)) {
    ++counters_.badRequests;
    return jsonProblem(400, "region \"" + region +
                                "\" is not a known SOATO code: use a 4-digit region (e.g. 1703), "
                                "a 7-digit district or 17 for national");
  }

  // The declared type, before any byte of the content is looked at.
  const std::string declared = evidence::mediaTypeOf(req.header("content-type"));
  if (declared.empty()) {
    ++counters_.badRequests;
    return jsonProblem(
        415, "no Content-Type: declare the file's type, one of " + typeList(ev.allowedTypes));
  }
  if (!ev.allowedTypes.count(declared)) {
    ++counters_.badRequests;
    return jsonProblem(415, "Content-Type " + declared +
                                " is not accepted as evidence: send one of " +
                                typeList(ev.allowedTypes));
  }

  // The implementation must exist, and the token's scope cover it.
  const auto found = implementationsAt(store_, measure, region, organisation);
  if (found.empty()) {
    ++counters_.badRequests;
    return jsonProblem(404, "no implementation of measure " + measure + " in region " + region +
                                " by \"" + organisation +
                                "\" is in the hub: report it first, then upload its evidence");
  }
  const model::Implementation* impl = nullptr;
  std::string refusal;
  // The route admitted a source or an executor: what is left to check is the territory.
  intake::Scope uploader = source;
  uploader.write = true;
  for (const auto& candidate : found) {
    auto why = intake::writeRefusal(uploader, candidate.region, candidate.sector);
    if (!why) {
      impl = &candidate;
      break;
    }
    refusal = *why;
  }
  if (!impl) {
    ++counters_.forbidden;
    return jsonProblem(403, "evidence for measure " + measure + " in region " + region +
                                " may not be uploaded with this token: " + refusal);
  }
  if (!task.empty()) {
    bool known = false;
    for (const auto& candidate : found)
      for (const auto& a : candidate.assignments) known = known || a.id == task;
    if (!known) {
      ++counters_.badRequests;
      return jsonProblem(404, "the implementation of measure " + measure + " in region " + region +
                                  " has no task \"" + task +
                                  "\": name one of its reported tasks, or leave task out");
    }
  }

  const BodyFile body(req, ev.blobs->tempFolder());
  if (body.size() == 0) {
    ++counters_.badRequests;
    return jsonProblem(400, "empty body: send the file's bytes as the request body");
  }
  if (body.size() > ev.maxBytes) {
    ++counters_.badRequests;
    return jsonProblem(
        413, "the file is larger than the limit of " + std::to_string(ev.maxBytes) + " bytes");
  }
  const auto detected = evidence::detectType(body.path());
  if (detected.mediaType != declared) {
    ++counters_.badRequests;
    return jsonProblem(
        415, "Content-Type says " + declared + " but the content is " + detected.description +
                 (detected.mediaType.empty() ? std::string() : " (" + detected.mediaType + ")") +
                 ": send the file with its own type, or the right file");
  }

  store::EvidenceUpload upload;
  upload.type = declared;
  upload.filename = filename;
  upload.title = title.empty() ? filename : title;
  upload.measureId = measure;
  upload.region = region;
  upload.organisation = organisation;
  upload.task = task;
  upload.uploader = source.id;
  bool stored = false;
  store::EvidenceAdded added;
  if (store_.keepsEvidenceContent()) {
    const auto digest = evidence::digestFile(body.path());
    upload.sha256 = digest.sha256;
    upload.size = static_cast<std::int64_t>(digest.size);
    added = store_.addEvidence(upload, body.path().string());
    stored = added.contentStored;
  } else {
    // Durable on disk first: a committed link never points at content a crash could lose.
    const auto blob = ev.blobs->put(body.path());
    upload.sha256 = blob.digest.sha256;
    upload.size = static_cast<std::int64_t>(blob.digest.size);
    added = store_.addEvidence(upload, std::nullopt);
    stored = blob.stored;
  }
  spdlog::info("evidence {} ({} bytes, {}) from {} for {} {} {}{}: {}", upload.sha256, upload.size,
               declared, source.id, measure, region, organisation,
               task.empty() ? "" : " task " + task, stored ? "stored" : "already stored");
  return {stored ? 201 : 200,
          "application/json",
          exchange::toJsonText(json::object{{"sha256", upload.sha256},
                                            {"size", upload.size},
                                            {"type", declared},
                                            {"url", evidenceUrl(upload.sha256)},
                                            {"stored", stored},
                                            {"linked", added.linked}}) +
              "\n",
          {{"Location", evidenceUrl(upload.sha256)}}};
}

Response Api::getEvidence(const Request& req, const intake::Scope& reader) {
  const auto& ev = settings_.evidence;
  const std::string sha = req.path.substr(std::string(kEvidencePath).size() + 1);
  if (!evidence::isSha256Hex(sha)) {
    ++counters_.badRequests;
    return jsonProblem(404, "no evidence " + sha +
                                ": evidence is named by the 64 lower-case hex digits of its "
                                "SHA-256, as the upload answered");
  }
  const auto links = store_.evidenceLinks(sha);
  if (links.empty()) return jsonProblem(404, "no evidence " + sha + " was uploaded to this hub");
  // Readable when the reader's scope covers one implementation it is evidence for.
  const store::EvidenceUpload* readable = nullptr;
  for (const auto& link : links) {
    if (!reader.coversRegion(link.region)) continue;
    for (const auto& impl :
         implementationsAt(store_, link.measureId, link.region, link.organisation))
      if (reader.coversSector(impl.sector)) readable = &link;
    if (readable) break;
  }
  if (!readable) {
    ++counters_.forbidden;
    return jsonProblem(403, "evidence " + sha +
                                " belongs to implementations outside the regions "
                                "and sectors of " +
                                reader.label() +
                                ": ask the hub operator for a token that covers them");
  }
  const std::string etag = "\"" + sha + "\"";
  std::vector<std::pair<std::string, std::string>> headers{
      {"ETag", etag}, {"Cache-Control", "private, max-age=31536000, immutable"}};
  if (!readable->filename.empty() &&
      readable->filename.find_first_of("\"\\\r\n") == std::string::npos)
    headers.emplace_back("Content-Disposition", "inline; filename=\"" + readable->filename + "\"");
  if (req.header("if-none-match") == etag) return {304, "", "", headers};

  // The content is sent from a file by the server, in chunks, never held whole in memory: the
  // stored blob itself, or (content kept in PostgreSQL) a spooled copy the server removes.
  Response out{200, readable->type, {}, std::move(headers)};
  if (store_.keepsEvidenceContent() && ev.blobs) {
    std::string spool = (ev.blobs->tempFolder() / "download-XXXXXX").string();
    const int fd = ::mkstemp(spool.data());
    if (fd < 0) {
      ++counters_.errors;
      return jsonProblem(503, "the hub cannot spool evidence " + sha + " now (" +
                                  std::strerror(errno) + "): try again later");
    }
    bool written = true;
    const bool found = store_.readEvidenceContent(sha, [&](std::string_view chunk) {
      for (std::size_t done = 0; written && done < chunk.size();) {
        const auto n = ::write(fd, chunk.data() + done, chunk.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
          written = false;
        else
          done += static_cast<std::size_t>(n);
      }
    });
    ::close(fd);
    if (found && written) {
      out.bodyFile = spool;
      out.removeBodyFile = true;
      return out;
    }
    ::unlink(spool.c_str());
    if (!written) {
      ++counters_.errors;
      return jsonProblem(503, "the hub cannot spool evidence " + sha +
                                  " now (the evidence folder is full?): try again later");
    }
  } else if (ev.blobs) {
    if (auto file = ev.blobs->find(sha)) {
      out.bodyFile = file->string();
      return out;
    }
  }
  ++counters_.errors;
  spdlog::error("evidence {} is linked in the store but its content is missing", sha);
  return jsonProblem(500, "the content of evidence " + sha +
                              " is missing from the hub's storage: tell the hub operator");
}

std::function<void(const model::Implementation&)> Api::withUploadedEvidence(
    const std::function<void(const model::Implementation&)>& emit) {
  // The uploads are read once per request and matched by (measure, region, organisation).
  using Place = std::tuple<std::string, std::string, std::string>;
  auto byPlace = std::make_shared<std::map<Place, std::vector<model::Evidence>>>();
  {
    for (const auto& u : store_.evidenceUploads(std::nullopt)) {
      model::Evidence e;
      e.url = evidenceUrl(u.sha256);
      e.title = u.title.empty() ? u.filename : u.title;
      e.format = u.type;
      if (auto d = model::parseDate(u.uploadedAt.substr(0, 10))) e.date = *d;
      e.uploader = u.uploader;
      e.sha256 = u.sha256;
      e.size = u.size;
      (*byPlace)[{u.measureId, u.region, u.organisation}].push_back(std::move(e));
    }
  }
  return [emit, byPlace](const model::Implementation& impl) {
    auto it = byPlace->find({impl.measure.id, impl.region, impl.organisation});
    if (it == byPlace->end()) {
      emit(impl);
      return;
    }
    model::Implementation withUploads = impl;
    for (const auto& e : it->second) {
      bool reported = false;  // the source listed the hub's own url already
      for (const auto& r : impl.evidence) reported = reported || r.url == e.url;
      if (!reported) withUploads.evidence.push_back(e);
    }
    emit(withUploads);
  };
}

}  // namespace ijro::api
