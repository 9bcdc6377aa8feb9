// Names of the store's enums and URL parsing; Store::open is in open.cpp, the SOCI
// implementation in sql_store.cpp.
#include "hub/store/store.hpp"

#include <cctype>
#include <regex>

#include "hub/base/enum_names.hpp"
#include "hub/store/url.hpp"

namespace ijro::store {

namespace {

constexpr base::NameTable<Outcome, 4> kOutcomes{{
    {Outcome::Accepted, "accepted"},
    {Outcome::Duplicate, "duplicate"},
    {Outcome::Stale, "stale"},
    {Outcome::Rejected, "rejected"},
}};
static_assert(base::namesEvery(kOutcomes, Outcome::Accepted, Outcome::Rejected));
constexpr base::NameTable<DeadLetterKind, 2> kDeadLetterKinds{{
    {DeadLetterKind::Source, "source"},
    {DeadLetterKind::Sink, "sink"},
}};
static_assert(base::namesEvery(kDeadLetterKinds, DeadLetterKind::Source, DeadLetterKind::Sink));
constexpr base::NameTable<ReplayState, 3> kReplayStates{{
    {ReplayState::Dead, "dead"},
    {ReplayState::Queued, "queued"},
    {ReplayState::Replayed, "replayed"},
}};
static_assert(base::namesEvery(kReplayStates, ReplayState::Dead, ReplayState::Replayed));

}  // namespace

const char* toString(Outcome o) {
  return base::nameOf(kOutcomes, o);
}

const char* toString(DeadLetterKind k) {
  return base::nameOf(kDeadLetterKinds, k);
}
std::optional<DeadLetterKind> deadLetterKindFromString(std::string_view s) {
  return base::valueOf(kDeadLetterKinds, s);
}

const char* toString(ReplayState s) {
  return base::nameOf(kReplayStates, s);
}

namespace detail {

namespace {

constexpr const char* kAcceptedForms =
    "use \"sqlite:/path/to/hub.db\" (or \"sqlite3:...\"), "
    "\"postgresql://dbname=NAME host=HOST port=PORT user=USER\" (a libpq connection string) or "
    "\"postgresql://USER@HOST:PORT/NAME\" (a libpq URI)";

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool looksLikeConninfo(std::string_view rest) {
  // A libpq key=value string starts with a keyword followed by '='.
  std::size_t i = 0;
  while (i < rest.size() && std::isspace(static_cast<unsigned char>(rest[i]))) ++i;
  std::size_t start = i;
  while (i < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[i])) || rest[i] == '_'))
    ++i;
  while (i < rest.size() && std::isspace(static_cast<unsigned char>(rest[i]))) ++i;
  return i > start && i < rest.size() && rest[i] == '=';
}

}  // namespace

std::string redactUrl(std::string_view url) {
  std::string s(url);
  // key=value form: password=secret or password='se cret'
  static const std::regex kv(R"((password\s*=\s*)('([^'\\]|\\.)*'|[^\s]*))", std::regex::icase);
  s = std::regex_replace(s, kv, "$1***");
  // URI form: scheme://user:secret@host
  static const std::regex uri(R"(^([a-zA-Z0-9+.-]+://[^:/@\s]*):[^@/\s]*@)");
  s = std::regex_replace(s, uri, "$1:***@");
  return s;
}

Location parseUrl(std::string_view url);  // below: the URL alone

namespace {

// libpq's conninfo quoting: single quotes, with backslash and quote escaped.
std::string conninfoValue(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// A URI parameter: everything but unreserved characters percent-encoded.
std::string uriValue(const std::string& v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace

Location parseStoreUrl(std::string_view url, const std::string& password) {
  Location loc = parseUrl(url);
  if (password.empty()) return loc;
  if (loc.dialect == Dialect::Sqlite)
    throw StoreError("store URL \"" + loc.display +
                     "\" is a SQLite file, which takes no password: leave the password out");
  if (loc.connect.starts_with("postgresql:"))  // a URI
    loc.connect += (loc.connect.find('?') == std::string::npos ? "?password=" : "&password=") +
                   uriValue(password);
  else
    loc.connect += " password=" + conninfoValue(password);
  return loc;
}

Location parseUrl(std::string_view url) {
  Location loc;
  loc.display = redactUrl(url);
  for (std::string_view scheme : {"sqlite3:", "sqlite:"}) {
    if (!startsWith(url, scheme)) continue;
    std::string_view path = url.substr(scheme.size());
    if (startsWith(path, "///")) path.remove_prefix(2);  // sqlite:///abs/path -> /abs/path
    if (path.empty())
      throw StoreError("store URL \"" + loc.display +
                       "\" names no database file: " + kAcceptedForms);
    loc.dialect = Dialect::Sqlite;
    loc.path = std::string(path);
    if (loc.path.find('=') == std::string::npos) {
      loc.connect = loc.path;  // SOCI takes a string without '=' as the file name as it is
    } else {
      if (loc.path.find('"') != std::string::npos)
        throw StoreError("store URL \"" + loc.display +
                         "\": a SQLite file name may not contain both '=' and '\"'");
      loc.connect = "db=\"" + loc.path + "\"";
    }
    return loc;
  }
  for (std::string_view scheme : {"postgresql:", "postgres:"}) {
    if (!startsWith(url, scheme)) continue;
    std::string_view rest = url.substr(scheme.size());
    loc.dialect = Dialect::Postgres;
    if (startsWith(rest, "//") && !looksLikeConninfo(rest.substr(2))) {
      loc.connect = "postgresql:" + std::string(rest);  // a URI: libpq parses it itself
    } else {
      if (startsWith(rest, "//")) rest.remove_prefix(2);
      if (!looksLikeConninfo(rest))
        throw StoreError("store URL \"" + loc.display +
                         "\" is not a PostgreSQL connection string: " + kAcceptedForms);
      loc.connect = std::string(rest);
    }
    return loc;
  }
  throw StoreError("unsupported store URL \"" + loc.display + "\": " + kAcceptedForms);
}

}  // namespace detail

std::string redactStoreUrl(std::string_view url) {
  return detail::redactUrl(url);
}

namespace {

[[noreturn]] void noEvidence() {
  throw StoreError("store: this store keeps no evidence");
}

}  // namespace

EvidenceAdded Store::addEvidence(const EvidenceUpload&, const std::optional<std::string>&) {
  noEvidence();
}
std::vector<EvidenceUpload> Store::evidenceLinks(const std::string&) {
  noEvidence();
}
std::vector<EvidenceUpload> Store::evidenceUploads(const std::optional<std::string>&) {
  noEvidence();
}
bool Store::readEvidenceContent(const std::string&, const std::function<void(std::string_view)>&) {
  noEvidence();
}

namespace {
[[noreturn]] void noFeedBatches() {
  throw StoreError("store: this store does not keep feed batches");
}
}  // namespace

std::optional<ReceivedBatch> Store::receivedBatch(const std::string&, std::int64_t) {
  noFeedBatches();
}
std::vector<PeerBatches> Store::peerBatches() {
  noFeedBatches();
}
std::vector<Store::KeyedLineage> Store::currentLineages(const std::optional<std::string>&) {
  noFeedBatches();
}

}  // namespace ijro::store

namespace ijro::store {

std::vector<Store::TerritoryReceived> Store::lastReceived(const Filter&) {
  throw StoreError("store: this store does not read when each territory last reported");
}

std::vector<Store::Revision> Store::revisions(const RevisionQuery&) {
  throw StoreError("store: this store does not keep the facts of past revisions");
}

}  // namespace ijro::store
