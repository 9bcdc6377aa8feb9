// The feed written once and read by every reader who asks for the same feed while the store
// has not changed: a spool file (unlinked at once, so nothing stays behind) that one generation
// thread writes at its own pace and each reader sends from, as far as it is written, at its
// own client's pace. A reader hands ranges of the file to its connection, which sends them from
// the page cache (sendfile) or, over TLS, through a small buffer; the file's pages are the
// kernel's. Internal to hub/api.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "hub/http/server.hpp"

namespace ijro::api {

class FeedSpool {
 public:
  // A new empty spool file in `folder`; throws std::runtime_error naming it when it cannot be
  // made.
  explicit FeedSpool(const std::string& folder);
  ~FeedSpool();
  FeedSpool(const FeedSpool&) = delete;
  FeedSpool& operator=(const FeedSpool&) = delete;

  // The writer. append() throws std::runtime_error when the file cannot be written or the
  // spool was cancelled (the hub is stopping).
  void append(std::string_view bytes);
  void finish(bool ok);
  void cancel();

  // Hands the document to `write` in parts as it is written, from the start, and returns once
  // all of it is handed over; throws std::runtime_error when the writer failed.
  void readInto(const http::BodyWriter& write);

  bool done() const;  // finished, whole or failed
  bool failed() const;

 private:
  int fd_ = -1;
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::uint64_t size_ = 0;
  bool done_ = false, failed_ = false, cancelled_ = false;
};

class FeedCache {
 public:
  // Spool files go to `folder` (empty: the system's temporary folder).
  explicit FeedCache(std::string folder = {});
  ~FeedCache();  // cancels the generations still running and waits for them
  FeedCache(const FeedCache&) = delete;
  FeedCache& operator=(const FeedCache&) = delete;

  // The spool of the feed named `key` (what it shows and the state of the store it shows): the
  // one written or being written; else a new one, written by `generate` on its own thread
  // (`generate` appends to it; an exception fails it, and a later request writes it anew).
  // A few keys are kept; the oldest go first.
  std::shared_ptr<FeedSpool> spool(const std::string& key,
                                   std::function<void(FeedSpool&)> generate);

  static constexpr std::size_t kKept = 4;

 private:
  std::string folder_;
  std::mutex m_;
  std::map<std::string, std::shared_ptr<FeedSpool>> entries_;
  std::vector<std::string> order_;  // keys, oldest first
  std::vector<std::thread> threads_;
  std::vector<std::shared_ptr<FeedSpool>> running_;  // the spools the threads write
};

}  // namespace ijro::api
