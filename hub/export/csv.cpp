#include "hub/export/csv.hpp"

#include <charconv>

#include "hub/model/date.hpp"

namespace ijro::exports {

namespace {

std::string number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string();
}

std::string cellText(const Cell& c) {
  struct Visitor {
    std::string operator()(std::monostate) const { return {}; }
    std::string operator()(const std::string& s) const { return csvField(s); }
    std::string operator()(std::int64_t n) const { return std::to_string(n); }
    std::string operator()(double v) const { return number(v); }
    std::string operator()(model::Date d) const { return model::formatDate(d); }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
  };
  return std::visit(Visitor{}, c);
}

}  // namespace

std::string csvField(std::string_view text, bool isText) {
  std::string value;
  if (isText && !text.empty() &&
      (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' ||
       text[0] == '\r'))
    value += '\'';
  value += text;
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string toCsv(const Table& table) {
  std::string out = "\xEF\xBB\xBF";
  for (std::size_t i = 0; i < table.columns.size(); ++i)
    out += (i ? "," : "") + csvField(table.columns[i].header);
  out += "\r\n";
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.cells.size(); ++i)
      out += (i ? "," : "") + cellText(row.cells[i]);
    out += "\r\n";
  }
  return out;
}

}  // namespace ijro::exports
