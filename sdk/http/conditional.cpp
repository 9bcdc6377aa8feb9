// ConditionalState: the ETag and Last-Modified last seen per URL, and its plain-text form for a
// plugin's checkpoint (see ijro_http.hpp).
#include <stdexcept>

#include "ijro_http.hpp"
#include "url.hpp"

namespace ijro::sdk::http {

namespace {

void escapeInto(std::string& out, const std::string& s) {
  for (const char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

std::string unescape(std::string_view s, std::size_t line) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (i + 1 == s.size())
      throw std::invalid_argument("conditional state, line " + std::to_string(line) +
                                  ": a lone \\ at the end of a field: the text was not written "
                                  "by ConditionalState::serialize");
    const char e = s[++i];
    if (e == '\\')
      out += '\\';
    else if (e == 't')
      out += '\t';
    else if (e == 'n')
      out += '\n';
    else
      throw std::invalid_argument("conditional state, line " + std::to_string(line) +
                                  ": unknown escape \\" + std::string(1, e) +
                                  ": the text was not written by ConditionalState::serialize");
  }
  return out;
}

}  // namespace

std::optional<ConditionalState::Validators> ConditionalState::find(const std::string& url) const {
  const auto it = byUrl_.find(detail::validatorKey(url));
  if (it == byUrl_.end()) return std::nullopt;
  return it->second;
}

void ConditionalState::remember(const std::string& url, Validators validators) {
  byUrl_[detail::validatorKey(url)] = std::move(validators);
}

void ConditionalState::forget(const std::string& url) {
  byUrl_.erase(detail::validatorKey(url));
}

std::string ConditionalState::serialize() const {
  std::string out;
  for (const auto& [url, v] : byUrl_) {
    escapeInto(out, url);
    out += '\t';
    escapeInto(out, v.etag);
    out += '\t';
    escapeInto(out, v.lastModified);
    out += '\n';
  }
  return out;
}

ConditionalState ConditionalState::parse(std::string_view text) {
  ConditionalState state;
  std::size_t line = 0;
  while (!text.empty()) {
    ++line;
    const auto end = text.find('\n');
    const std::string_view row = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (row.empty()) continue;
    const auto a = row.find('\t');
    const auto b = a == std::string_view::npos ? a : row.find('\t', a + 1);
    if (b == std::string_view::npos || row.find('\t', b + 1) != std::string_view::npos)
      throw std::invalid_argument("conditional state, line " + std::to_string(line) +
                                  ": expected URL, ETag and Last-Modified separated by two tabs: "
                                  "the text was not written by ConditionalState::serialize");
    const std::string url = unescape(row.substr(0, a), line);
    if (url.empty())
      throw std::invalid_argument("conditional state, line " + std::to_string(line) +
                                  ": the URL is empty");
    state.byUrl_[url] = {unescape(row.substr(a + 1, b - a - 1), line),
                         unescape(row.substr(b + 1), line)};
  }
  return state;
}

}  // namespace ijro::sdk::http
