// When the client tries again: which failures are worth a retry, how long to wait (exponential
// back-off with jitter) and what a server's Retry-After asks for.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

#include "ijro_http.hpp"

namespace ijro::sdk::http::detail {

// 429 (too many requests), 408 (request timeout) and every 5xx: the server may answer later.
// Any other 4xx will not change by asking again.
bool retryableStatus(int status);

// Failures of the transport a retry may cure: no connection, a timeout, a connection lost.
bool retryableError(ErrorKind kind);

// The wait before retry number `retry` (1 for the first): a uniform draw between half and all of
// min(maxDelay, initialDelay * 2^(retry-1)).
std::chrono::milliseconds backoff(const RetryPolicy& policy, int retry, std::minstd_rand& random);

// A Retry-After value: delay-seconds or an HTTP-date (RFC 9110 IMF-fixdate), as a wait from
// `now`; nullopt when it is neither. A date in the past is a wait of zero.
std::optional<std::chrono::seconds> parseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now);

}  // namespace ijro::sdk::http::detail
