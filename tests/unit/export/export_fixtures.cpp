#include "tests/unit/export/export_fixtures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "hub/exchange/report.hpp"
#include "hub/export/adx.hpp"
#include "hub/xml/safe_reader.hpp"
#include "hub/xml/schema.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::exports::test {

namespace fs = std::filesystem;

model::Date day(const char* iso) {
  auto d = model::parseDate(iso);
  if (!d) throw std::invalid_argument(std::string("bad test date ") + iso);
  return *d;
}

model::Implementation implementation(const std::string& measure, const std::string& region,
                                     const std::string& organisation) {
  model::Implementation impl;
  impl.source = "test";
  impl.measure.id = measure;
  impl.measure.title = "Measure " + measure;
  impl.region = region;
  impl.organisation = organisation;
  impl.sector = "health";
  impl.revision = 1;
  impl.lifecycle = model::Lifecycle::InProgress;
  impl.start = day("2026-01-01");
  impl.deadline = day("2026-12-31");
  return impl;
}

std::vector<model::Implementation> exampleImplementations() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(ijro::test::sourceDir() / "examples")) {
    const auto name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with("report-")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<model::Implementation> out;
  for (const auto& file : files) {
    const std::string body = ijro::test::readFile(file);
    const auto report = file.extension() == ".json" ? exchange::parseReportJson(body)
                                                    : exchange::parseReportXml(body);
    for (const auto& r : report.records) {
      EXPECT_TRUE(r.errors.empty()) << file << " record " << r.index;
      if (r.record) out.push_back(*r.record);
    }
  }
  return out;
}

std::function<void(const std::function<void(const model::Implementation&)>&)> feed(
    const std::vector<model::Implementation>& all) {
  return [&all](const std::function<void(const model::Implementation&)>& emit) {
    for (const auto& impl : all) emit(impl);
  };
}

std::vector<std::string> violations(const fs::path& xsd, const std::string& xml) {
  xml::Schema schema(xsd.string());
  xml::DocPtr doc;
  try {
    doc = xml::parseDocument(xml, "export");
  } catch (const std::exception& e) {
    return {std::string("not well-formed: ") + e.what()};
  }
  return schema.validate(doc.get(), "export");
}

fs::path adxSchema() {
  static const fs::path path = [] {
    const fs::path dir = ijro::test::tempDir("adx-schema");
    const fs::path adx = ijro::test::sourceDir() / "schemas" / "adx";
    fs::create_directories(dir / "sdmx");
    fs::copy_file(adx / "sdmx-time-range.xsd", dir / "sdmx" / "SDMXCommon.xsd",
                  fs::copy_options::overwrite_existing);
    const std::string cmd = "xsltproc --nonet -o '" + (dir / "adx.xsd").string() + "' '" +
                            (adx / "dsd2adx2.xsl").string() + "' '" +
                            (adx / "ijro-hub-dsd.xml").string() + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd << " (is the package xsltproc installed?)";
    return dir / "adx.xsd";
  }();
  return path;
}

std::vector<std::string> select(const std::string& xml, const std::string& xpath) {
  auto doc = xml::parseDocument(xml, "export");
  std::vector<std::string> out;
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc.get());
  xmlXPathRegisterNs(ctx, reinterpret_cast<const xmlChar*>("a"),
                     reinterpret_cast<const xmlChar*>(kAdxNs));
  xmlXPathObjectPtr res =
      xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx);
  if (!res) {
    xmlXPathFreeContext(ctx);
    ADD_FAILURE() << "bad XPath " << xpath;
    return out;
  }
  if (res->nodesetval)
    for (int i = 0; i < res->nodesetval->nodeNr; ++i) {
      xmlChar* v = xmlNodeGetContent(res->nodesetval->nodeTab[i]);
      out.emplace_back(v ? reinterpret_cast<const char*>(v) : "");
      xmlFree(v);
    }
  xmlXPathFreeObject(res);
  xmlXPathFreeContext(ctx);
  return out;
}

}  // namespace ijro::exports::test
