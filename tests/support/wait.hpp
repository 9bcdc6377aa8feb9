// Waiting on a condition in a test: poll it with a deadline, never sleep for a fixed time.
#pragma once

#include <chrono>
#include <thread>

namespace ijro::test {

// True as soon as done() is; false when it is still not true after `timeout`.
template <typename F>
bool waitFor(F done, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

}  // namespace ijro::test
