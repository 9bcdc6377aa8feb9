// Feed batches (batch.hpp): written with the feed's own writer (feed_writer.hpp) plus the
// sequence, the schema version and each entry's lineage; read with the implementation reader the
// status report uses (implementation_xml.hpp), in the feed's namespace.
#include "hub/exchange/batch.hpp"

#include <charconv>
#include <stdexcept>

#include "hub/exchange/feed.hpp"
#include "hub/exchange/feed_writer.hpp"
#include "hub/exchange/fields.hpp"
#include "hub/exchange/implementation_xml.hpp"
#include "hub/exchange/report.hpp"
#include "hub/model/indicators.hpp"

namespace ijro::exchange {

namespace {

constexpr const char* kDocumentName = "feed batch";
constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::string_view kDsigNs = "http://www.w3.org/2000/09/xmldsig#";

std::string version(int minor) {
  return "1." + std::to_string(minor);
}

// "this hub reads 1.1 and 1.0": the versions a receiver accepts, its own first.
std::string versionsRead() {
  std::string out = version(kFeedSchemaMinor);
  if (kFeedSchemaMinor > 0) out += " and " + version(kFeedSchemaMinor - 1);
  return out;
}

std::optional<std::int64_t> wholeNumber(std::string_view text) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
  return n;
}

void writeLineage(xml::Writer& w, const Lineage& l, const BatchHeader& header) {
  w.startElement("lineage");
  w.attribute("source", l.source);
  if (!l.adapter.empty()) w.attribute("adapter", l.adapter);
  w.attribute("receivedAt", l.receivedAt);
  w.attribute("revision", std::to_string(l.revision));
  for (std::size_t i = 0; i < l.hubs.size(); ++i) {
    const Hop& h = l.hubs[i];
    // The sending hub's own hop, still without the batch it leaves in, gets this batch's.
    const bool leaving = i + 1 == l.hubs.size() && h.hub == header.hub && h.sequence == 0;
    w.startElement("hop");
    w.attribute("hub", h.hub);
    w.attribute("sequence", std::to_string(leaving ? header.sequence : h.sequence));
    w.attribute("receivedAt", h.receivedAt);
    w.endElement();
  }
  w.endElement();
}

// The batch's schema version: absent is 1.0 (written before batches had one); a receiver reads
// its own minor and the one before.
int schemaMinor(const xml::Reader& r, const std::optional<std::string>& text) {
  if (!text) return 0;
  const std::string v = fields::collapse(*text);
  const auto dot = v.find('.');
  const auto major = wholeNumber(std::string_view(v).substr(0, dot));
  const auto minor =
      dot == std::string::npos ? std::nullopt : wholeNumber(std::string_view(v).substr(dot + 1));
  if (!major || !minor || *major < 0 || *minor < 0)
    r.fail("schemaVersion \"" + v + "\" on <feed> is not a version: expected 1.N, e.g. " +
           version(kFeedSchemaMinor));
  if (*major != 1 || *minor > kFeedSchemaMinor || *minor < kFeedSchemaMinor - 1)
    r.fail("the batch is written in feed schema version " + v + "; this hub reads " +
           versionsRead() + ": " +
           (*major > 1 || *minor > kFeedSchemaMinor
                ? "upgrade this hub, or have the sending hub write " + version(kFeedSchemaMinor)
                : "upgrade the sending hub"));
  return static_cast<int>(*minor);
}

BatchHeader readHeader(xml::Reader& r) {
  std::optional<std::string> hub, sequence, generatedAt, asOf, schemaVersion;
  for (auto& attr : r.attributes()) {
    if (attr.namespaceUri == kXsiNs) continue;
    const auto name = attr.localName;
    if (!attr.namespaceUri.empty())
      r.fail("attribute " + std::string(name) + " in namespace \"" +
             std::string(attr.namespaceUri) + "\" on <feed> is not part of a feed batch");
    if (name == "hub")
      hub = std::move(attr.value);
    else if (name == "sequence")
      sequence = std::move(attr.value);
    else if (name == "generatedAt")
      generatedAt = std::move(attr.value);
    else if (name == "asOf")
      asOf = std::move(attr.value);
    else if (name == "schemaVersion")
      schemaVersion = std::move(attr.value);
    else
      r.fail("unknown attribute " + std::string(name) +
             " on <feed>; expected hub, generatedAt, asOf, sequence, schemaVersion");
  }
  BatchHeader h;
  h.schemaMinor = schemaMinor(r, schemaVersion);
  h.hub = fields::collapse(hub.value_or(""));
  if (h.hub.empty())
    r.fail("<feed> has no hub: add hub=\"...\", the id of the hub that sends the batch");
  if (!sequence)
    r.fail(
        "<feed> has no sequence: a batch gives its number in the sending hub's sequence "
        "(sequence=\"1\" for the first)");
  const auto n = wholeNumber(fields::collapse(*sequence));
  if (!n || *n < 1)
    r.fail("sequence \"" + *sequence + "\" on <feed> is not a whole number of 1 or more");
  h.sequence = *n;
  h.generatedAt = fields::collapse(generatedAt.value_or(""));
  if (!fields::isTimestamp(h.generatedAt))
    r.fail("generatedAt on <feed>: " + fields::badTimestamp(h.generatedAt));
  const std::string day = fields::collapse(asOf.value_or(""));
  const auto d = model::parseDate(day);
  if (!d) r.fail("asOf on <feed>: " + fields::badDate(day));
  h.asOf = *d;
  return h;
}

ParsedEntry readEntry(xml::Reader& r, const BatchHeader& header, std::size_t index) {
  ParsedRecord rec;
  rec.index = index;
  const int line = r.line();
  auto read = readImplementation(r, {kFeedNs, kDocumentName, Facts::Feed}, rec);
  if (!read.lineage && header.schemaMinor >= 1)
    rec.errors.push_back("line " + std::to_string(line) +
                         ": <implementation> has no <lineage>: a batch of schema version " +
                         version(header.schemaMinor) +
                         " gives each entry's lineage after its <evaluation>");
  ParsedEntry e;
  e.index = index;
  e.measureId = std::move(rec.measureId);
  e.region = std::move(rec.region);
  e.organisation = std::move(rec.organisation);
  e.source = read.implementation.source;
  e.revision = rec.revision;
  e.errors = std::move(rec.errors);
  if (!e.errors.empty()) return e;
  BatchEntry entry;
  entry.implementation = std::move(read.implementation);
  // Actuals of proportions are derived on every path in, as for reports.
  model::deriveActuals(entry.implementation);
  if (read.lineage) {
    entry.lineage = std::move(*read.lineage);
  } else {
    // A 1.0 batch says nothing of where its entries came from: the sender is the origin.
    const auto& impl = entry.implementation;
    entry.lineage = {impl.source,
                     "feed",
                     header.generatedAt,
                     impl.revision,
                     {{header.hub, header.sequence, header.generatedAt}}};
  }
  e.entry = std::move(entry);
  return e;
}

}  // namespace

std::string writeBatch(const BatchHeader& header, const model::StatusRules& rules,
                       const std::vector<BatchEntry>& entries) {
  if (header.hub.empty()) throw std::invalid_argument("a feed batch needs the sending hub's id");
  if (header.sequence < 1)
    throw std::invalid_argument("a feed batch's sequence starts at 1, not " +
                                std::to_string(header.sequence));
  if (header.schemaMinor != kFeedSchemaMinor && header.schemaMinor != kFeedSchemaMinor - 1)
    throw std::invalid_argument("a feed batch is written in schema version " + versionsRead() +
                                ", not " + version(header.schemaMinor));
  // Version 1.0 had neither the schema version nor lineage: such a batch is written as a hub
  // one minor version behind writes it.
  const bool withLineage = header.schemaMinor >= 1;
  FeedWriter feed({header.hub, header.generatedAt, header.asOf}, rules);
  feed.attribute("sequence", std::to_string(header.sequence));
  if (withLineage) feed.attribute("schemaVersion", version(header.schemaMinor));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const BatchEntry& e = entries[i];
    if (!withLineage) {
      feed.add(e.implementation);
      continue;
    }
    if (e.lineage.hubs.empty())
      throw std::invalid_argument("entry " + std::to_string(i + 1) + " (measure " +
                                  e.implementation.measure.id +
                                  ") has no hop in its lineage: give at least the sending hub's");
    feed.add(e.implementation, [&](xml::Writer& w) { writeLineage(w, e.lineage, header); });
  }
  return feed.finish();
}

ParsedBatch parseBatch(std::string_view xml, const xml::Limits& limits) {
  xml::Reader r(xml, kDocumentName, limits);
  r.readRoot();
  if (r.localName() != "feed" || r.namespaceUri() != kFeedNs)
    r.fail("the root element is <" + std::string(r.localName()) + ">" +
           (r.namespaceUri().empty() ? std::string(" with no namespace")
                                     : " in namespace \"" + std::string(r.namespaceUri()) + "\"") +
           "; a feed batch's root element is <feed xmlns=\"" + std::string(kFeedNs) + "\">");

  ParsedBatch batch;
  batch.header = readHeader(r);
  if (!r.isEmptyElement()) {
    std::size_t index = 0;
    while (r.read()) {
      const int type = r.nodeType();
      if (type == XML_READER_TYPE_END_ELEMENT && r.depth() == 0) break;
      if (type == XML_READER_TYPE_TEXT && !fields::isBlank(r.value()))
        r.fail("unexpected text in <feed>: it contains <implementation> and <rollups> only");
      if (type != XML_READER_TYPE_ELEMENT) continue;
      const auto name = r.localName();
      const auto ns = r.namespaceUri();
      if (ns == kFeedNs && name == "implementation") {
        batch.entries.push_back(readEntry(r, batch.header, ++index));
      } else if ((ns == kFeedNs && name == "rollups") || (ns == kDsigNs && name == "Signature")) {
        // Roll-ups: the receiver rolls up itself; the signature is the verifier's.
        r.skipElement();
      } else {
        r.fail("unexpected element <" + std::string(name) +
               "> in <feed>: a feed batch contains "
               "<implementation> elements, <rollups> and its signature");
      }
    }
  }
  while (r.read()) {  // trailing comments and processing instructions; errors still throw
  }
  return batch;
}

}  // namespace ijro::exchange
