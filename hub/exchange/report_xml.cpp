// Status reports as XML (urn:ijro-hub:report:1), read with the streaming safe reader.
//
// Document-level problems throw xml::XmlError. Each <implementation> is read by
// readImplementation (implementation_xml.cpp, shared with the feed batch): a bad record has its
// messages and parsing goes on with the next record.

#include "hub/exchange/fields.hpp"
#include "hub/exchange/implementation_xml.hpp"
#include "hub/exchange/report.hpp"
#include "hub/model/indicators.hpp"
#include "hub/xml/writer.hpp"

namespace ijro::exchange {

namespace {

constexpr const char* kDocumentName = "status report";
constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::string_view kReportNsPrefix = "urn:ijro-hub:report:";

[[noreturn]] void wrongRoot(const xml::Reader& r) {
  const std::string name(r.localName());
  const std::string ns(r.namespaceUri());
  const std::string expected =
      "a status report's root element is <report xmlns=\"" + std::string(kReportNs) + "\">";
  if (name == "report" && ns.empty())
    r.fail("<report> has no namespace: add xmlns=\"" + std::string(kReportNs) + "\"");
  if (name == "report" && ns.rfind(kReportNsPrefix, 0) == 0)
    r.fail("namespace \"" + ns + "\" is a version of the status report this hub does not read; " +
           expected);
  r.fail("the root element is <" + name + ">" +
         (ns.empty() ? std::string(" with no namespace") : " in namespace \"" + ns + "\"") + "; " +
         expected);
}

}  // namespace

ParsedReport parseReportXml(std::string_view body, const xml::Limits& limits) {
  xml::Reader r(body, kDocumentName, limits);
  r.readRoot();
  if (r.localName() != "report" || r.namespaceUri() != kReportNs) wrongRoot(r);

  ParsedReport report;
  const int rootLine = r.line();
  for (auto& attr : r.attributes()) {
    if (attr.namespaceUri == kXsiNs) continue;
    if (attr.namespaceUri.empty() && attr.localName == "source")
      report.source = fields::collapse(attr.value);
    else if (attr.namespaceUri.empty() && attr.localName == "generatedAt")
      report.generatedAt = fields::collapse(attr.value);
    else
      r.fail("unknown attribute " + std::string(attr.localName) +
             " on <report>; expected source, generatedAt");
  }

  if (!r.isEmptyElement()) {
    std::size_t index = 0;
    while (r.read()) {
      const int type = r.nodeType();
      if (type == XML_READER_TYPE_END_ELEMENT && r.depth() == 0) break;
      if (type == XML_READER_TYPE_TEXT && !fields::isBlank(r.value()))
        r.fail("unexpected text in <report>: it contains <implementation> elements only");
      if (type != XML_READER_TYPE_ELEMENT) continue;
      ParsedRecord rec;
      rec.index = ++index;
      if (r.localName() == "implementation" && r.namespaceUri() == kReportNs) {
        auto impl =
            readImplementation(r, {kReportNs, kDocumentName, Facts::Report}, rec, report.source)
                .implementation;
        if (rec.errors.empty()) {
          // Actuals of proportions are derived here, so every path into the hub (reports and
          // plugin records) stores them alike.
          model::deriveActuals(impl);
          rec.record = std::move(impl);
        }
      } else {
        rec.errors.push_back("line " + std::to_string(r.line()) + ": unexpected element <" +
                             std::string(r.localName()) +
                             "> in <report>: it contains <implementation> elements only");
        r.skipElement();
      }
      report.records.push_back(std::move(rec));
    }
  }
  while (r.read()) {  // trailing comments and processing instructions; errors still throw
  }
  if (report.records.empty())
    throw xml::XmlError("the report has no <implementation> elements: add at least one",
                        kDocumentName, rootLine, 0);
  return report;
}

std::string writeReportXml(const std::string& source,
                           const std::vector<model::Implementation>& records) {
  xml::Writer w;
  w.startElement("report", kReportNs);
  if (!source.empty()) w.attribute("source", source);
  w.attribute("generatedAt", fields::utcNow());
  for (const auto& impl : records) {
    w.startElement("implementation");
    w.attribute("revision", std::to_string(impl.revision));
    writeImplementationFacts(w, impl);
    w.endElement();
  }
  w.endElement();
  return w.finish();
}

}  // namespace ijro::exchange
