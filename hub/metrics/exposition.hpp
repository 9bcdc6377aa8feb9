// The hub's metrics as plain data, and their one rendering: the Prometheus text exposition format
// (version 0.0.4), written by prometheus-cpp's TextSerializer. Each part of the hub names its own
// metrics (the API its requests and the store's size, the runtime its plugin instances) and hands
// them over as families; /metrics and Runtime::prometheus() both come out of render().
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

namespace ijro::metrics {

enum class Type { Counter, Gauge };

// Label name -> value. Written in name order; values are escaped by the serializer and made
// valid UTF-8 here (a byte that is not becomes U+FFFD).
using Labels = std::map<std::string, std::string>;

struct Sample {
  Labels labels;
  double value = 0;
};

// One metric: its name ([a-zA-Z_:][a-zA-Z0-9_:]*, a counter's ending in _total), one line of help
// (no backslash, no line break: the serializer writes it as it is), and a sample per label set.
struct Family {
  std::string name;
  std::string help;
  Type type = Type::Counter;
  std::vector<Sample> samples;
};

// What /metrics answers with.
inline constexpr const char* kContentType = "text/plain; version=0.0.4";

// The families in the text format, in the order given, each sample in the order given; a family
// without samples is left out. Throws std::invalid_argument for what would make the page invalid:
// a bad metric or label name, help text the format cannot carry, a family name given twice, or
// two samples of one family with the same labels. These are mistakes in the hub, not in its input.
std::string render(std::span<const Family> families);

}  // namespace ijro::metrics
