// Process-wide logging: spdlog to stderr, as text or as JSON lines.
#pragma once

#include <string>

namespace ijro::app {

// level: trace|debug|info|warn|error|off; format: text|json. Throws std::invalid_argument.
void setupLogging(const std::string& level, const std::string& format);

}  // namespace ijro::app
