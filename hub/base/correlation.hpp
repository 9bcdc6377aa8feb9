// Correlation ids: an error a client sees carries a short id and no internals (exception texts,
// database driver messages, file paths); the log line with the detail carries the same id, so an
// operator finds one from the other.
#pragma once

#include <string>

namespace ijro::base {

// 16 lowercase hex digits, random (not guessable from the previous ones), thread-safe.
std::string newCorrelationId();

}  // namespace ijro::base
