// Reading an <option> element: text, table rows, a table's CSV file, a secret's file or variable.
#include "hub/app/option_elements.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "ijro_plugin.hpp"

namespace ijro::app {

namespace fs = std::filesystem;

namespace {

std::string prop(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

bool hasProp(xmlNode* n, const char* name) {
  return xmlHasProp(n, reinterpret_cast<const xmlChar*>(name)) != nullptr;
}

bool isElement(xmlNode* n, const char* name) {
  return n->type == XML_ELEMENT_NODE &&
         xmlStrEqual(n->name, reinterpret_cast<const xmlChar*>(name));
}

std::string content(xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  if (v == nullptr) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// One line of a CSV file split into fields: commas separate, double quotes quote, "" is a quote.
std::optional<std::vector<std::string>> csvFields(const std::string& line, std::string& why) {
  std::vector<std::string> out(1);
  bool quoted = false, wasQuoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == ',') {
      out.emplace_back();
      wasQuoted = false;
    } else if (c == '"' && out.back().empty() && !wasQuoted) {
      quoted = wasQuoted = true;
    } else if (wasQuoted) {
      why = fmt::format("column {}: text after a closing quote", out.size());
      return std::nullopt;
    } else {
      out.back() += c;
    }
  }
  if (quoted) {
    why = fmt::format("column {}: a quote is not closed (a value cannot span lines)", out.size());
    return std::nullopt;
  }
  return out;
}

// Rows checked the same way wherever they come from: keys non-empty and unique.
class RowChecker {
 public:
  RowChecker(std::string option, std::string what) : option_(std::move(option)), what_(what) {}
  // where: "FILE:LINE"; row: 1-based.
  bool add(const std::string& where, std::size_t row, std::string key, std::string value,
           std::vector<std::string>& problems) {
    if (key.empty()) {
      problems.push_back(
          fmt::format("{}: {}: option \"{}\": row {} has an empty key: give every "
                      "row a key",
                      where, what_, option_, row));
      return false;
    }
    if (auto [it, fresh] = firstLine_.emplace(key, where); !fresh) {
      problems.push_back(
          fmt::format("{}: {}: option \"{}\": row {} repeats key \"{}\" (first at "
                      "{}): each key may appear once",
                      where, what_, option_, row, key, it->second));
      return false;
    }
    rows_.emplace_back(std::move(key), std::move(value));
    return true;
  }
  std::string text() const { return sdk::tableText(rows_); }

 private:
  std::string option_, what_;
  std::map<std::string, std::string> firstLine_;
  std::vector<sdk::Table::Row> rows_;
};

fs::path resolved(const fs::path& dir, const std::string& file) {
  fs::path p(file);
  return p.is_absolute() ? p : dir / p;
}

}  // namespace

std::optional<std::string> readTableCsv(const fs::path& csvPath, const std::string& option,
                                        const std::string& what,
                                        std::vector<std::string>& problems) {
  std::ifstream in(csvPath, std::ios::binary);
  if (!in) {
    problems.push_back(
        fmt::format("{}: {}: option \"{}\": cannot read the table's CSV file: check "
                    "the path (relative to the configuration file)",
                    csvPath.string(), what, option));
    return std::nullopt;
  }
  const std::size_t before = problems.size();
  RowChecker rows(option, what);
  std::string line;
  std::size_t row = 0;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a BOM
    if (blank(line)) continue;
    const std::string where = fmt::format("{}:{}", csvPath.string(), number);
    std::string why;
    auto fields = csvFields(line, why);
    if (!fields) {
      problems.push_back(fmt::format("{}: {}: option \"{}\": {}", where, what, option, why));
      continue;
    }
    if (number == 1 && fields->size() == 2 && (*fields)[0] == "key" && (*fields)[1] == "value")
      continue;  // the header
    ++row;
    if (fields->size() != 2) {
      problems.push_back(
          fmt::format("{}: {}: option \"{}\": row {} has {} columns; a table's "
                      "CSV file has two, key and value (quote a value that holds "
                      "a comma)",
                      where, what, option, row, fields->size()));
      continue;
    }
    rows.add(where, row, std::move((*fields)[0]), std::move((*fields)[1]), problems);
  }
  if (problems.size() != before) return std::nullopt;
  return rows.text();
}

std::optional<OptionElement> readOptionElement(xmlNode* o, const std::string& configPath,
                                               const fs::path& configDir, const std::string& what,
                                               std::vector<std::string>& problems) {
  OptionElement out;
  out.name = prop(o, "name");
  out.line = static_cast<int>(xmlGetLineNo(o));
  const std::string where = fmt::format("{}:{}", configPath, out.line);
  const std::size_t before = problems.size();
  auto problem = [&](const std::string& at, const std::string& text) {
    problems.push_back(fmt::format("{}: {}: option \"{}\": {}", at, what, out.name, text));
  };

  std::vector<xmlNode*> rowNodes;
  std::string text;
  for (xmlNode* c = o->children; c != nullptr; c = c->next) {
    if (isElement(c, "row"))
      rowNodes.push_back(c);
    else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
      text += content(c);
  }
  const bool file = hasProp(o, "file"), fromFile = hasProp(o, "fromFile"),
             fromEnv = hasProp(o, "fromEnv");
  const int forms = (file ? 1 : 0) + (fromFile ? 1 : 0) + (fromEnv ? 1 : 0) +
                    (rowNodes.empty() ? 0 : 1) + (blank(text) ? 0 : 1);
  if (forms > 1) {
    problem(where,
            "give its value one way only: text, <row> elements, file=\"...\" (a table's CSV), "
            "fromFile=\"...\" or fromEnv=\"...\" (a secret's)");
    return std::nullopt;
  }

  if (!rowNodes.empty()) {
    out.form = OptionForm::Rows;
    RowChecker rows(out.name, what);
    std::size_t number = 0;
    for (xmlNode* r : rowNodes)
      rows.add(fmt::format("{}:{}", configPath, xmlGetLineNo(r)), ++number, prop(r, "key"),
               prop(r, "value"), problems);
    out.value = rows.text();
  } else if (file) {
    out.form = OptionForm::CsvFile;
    if (auto t = readTableCsv(resolved(configDir, prop(o, "file")), out.name, what, problems))
      out.value = *t;
  } else if (fromFile) {
    out.form = OptionForm::FromFile;
    std::string why;
    const std::string owner = fmt::format("{}: option \"{}\"", what, out.name);
    if (auto v = readSecretFile(resolved(configDir, prop(o, "fromFile")), where, owner, why))
      out.value = std::move(*v);
    else
      problem(where, why);
  } else if (fromEnv) {
    out.form = OptionForm::FromEnv;
    std::string why;
    if (auto v = readSecretEnv(prop(o, "fromEnv"), why))
      out.value = std::move(*v);
    else
      problem(where, why);
  } else {
    out.value = text;
  }
  if (problems.size() != before) return std::nullopt;
  return out;
}

std::optional<std::string> readSecretFile(const fs::path& path, const std::string& where,
                                          const std::string& what, std::string& problem) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problem = fmt::format(
        "cannot read the secret's file {}: check the path (relative to the configuration file) "
        "and that the hub's user may read it",
        path.string());
    return std::nullopt;
  }
  std::ostringstream all;
  all << in.rdbuf();
  std::string value = all.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0)
    spdlog::warn(
        "{}: {}: the secret's file {} can be read by every user of this machine: "
        "chmod o-r {}",
        where, what, path.string(), path.string());
  return value;
}

std::optional<std::string> readSecretEnv(const std::string& variable, std::string& problem) {
  const char* v = variable.empty() ? nullptr : std::getenv(variable.c_str());
  if (v == nullptr) {
    problem = fmt::format(
        "the environment variable \"{}\" is not set: set it in the hub's environment (e.g. the "
        "systemd unit's Environment=)",
        variable);
    return std::nullopt;
  }
  return std::string(v);
}

std::optional<std::string> optionFormProblem(OptionForm form, const std::string& typeName,
                                             const std::string& option) {
  switch (form) {
    case OptionForm::Text:
      return std::nullopt;
    case OptionForm::Rows:
    case OptionForm::CsvFile:
      if (typeName == "table") return std::nullopt;
      return fmt::format(
          "option \"{}\" is a {}, not a table: give its value as text, without "
          "<row> elements or file=\"...\"",
          option, typeName);
    case OptionForm::FromFile:
    case OptionForm::FromEnv:
      if (typeName == "secret") return std::nullopt;
      return fmt::format(
          "option \"{}\" is a {}, not a secret: fromFile and fromEnv are only for "
          "secret options; give its value as text",
          option, typeName);
  }
  return std::nullopt;
}

}  // namespace ijro::app
