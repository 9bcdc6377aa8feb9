#include "hub/api/feed_cache.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace ijro::api {

FeedSpool::FeedSpool(const std::string& folder) {
  std::string pattern =
      (folder.empty() ? std::filesystem::temp_directory_path().string() : folder) +
      "/ijro-feed-XXXXXX";
  fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd_ < 0)
    throw std::runtime_error("cannot make a spool file for the feed in " + pattern + ": " +
                             std::strerror(errno) +
                             "; the folder must exist and be writable by the hub");
  ::unlink(pattern.c_str());  // the open descriptor keeps it until the spool goes
}

FeedSpool::~FeedSpool() {
  if (fd_ >= 0) ::close(fd_);
}

void FeedSpool::append(std::string_view bytes) {
  // Only the writer appends, so the file's end stays size_ while it writes unlocked; readers
  // read below it.
  std::uint64_t at = 0;
  {
    std::lock_guard lock(m_);
    if (cancelled_) throw std::runtime_error("the feed's spool was cancelled: the hub is stopping");
    at = size_;
  }
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  while (n > 0) {
    const ssize_t w = ::pwrite(fd_, p, n, static_cast<off_t>(at));
    if (w < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("cannot write the feed's spool file: ") +
                               std::strerror(errno));
    }
    p += w;
    n -= static_cast<std::size_t>(w);
    at += static_cast<std::uint64_t>(w);
  }
  std::lock_guard lock(m_);
  size_ = at;
  cv_.notify_all();
}

void FeedSpool::finish(bool ok) {
  std::lock_guard lock(m_);
  done_ = true;
  failed_ = !ok;
  cv_.notify_all();
}

void FeedSpool::cancel() {
  std::lock_guard lock(m_);
  cancelled_ = true;
  cv_.notify_all();
}

bool FeedSpool::done() const {
  std::lock_guard lock(m_);
  return done_;
}

bool FeedSpool::failed() const {
  std::lock_guard lock(m_);
  return failed_;
}

void FeedSpool::readInto(const http::BodyWriter& write) {
  std::uint64_t sent = 0;
  for (;;) {
    std::uint64_t available = 0;
    {
      std::unique_lock lock(m_);
      cv_.wait(lock, [&] { return size_ > sent || done_ || cancelled_; });
      if (failed_ || (cancelled_ && !done_))
        throw std::runtime_error("the feed could not be written (see the hub's log)");
      available = size_;
      if (available == sent && done_) return;
    }
    // What is written so far goes as one range of the spool file: over plain TCP the kernel
    // sends it from the page cache; otherwise the server reads it in parts.
    write.file(fd_, sent, available - sent);
    sent = available;
  }
}

FeedCache::FeedCache(std::string folder) : folder_(std::move(folder)) {}

FeedCache::~FeedCache() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(m_);
    for (auto& s : running_) s->cancel();
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

std::shared_ptr<FeedSpool> FeedCache::spool(const std::string& key,
                                            std::function<void(FeedSpool&)> generate) {
  std::lock_guard lock(m_);
  // Threads whose spool is finished are joined (they are at their end or about to be).
  for (std::size_t i = 0; i < running_.size();) {
    if (running_[i]->done()) {
      threads_[i].join();
      threads_.erase(threads_.begin() + static_cast<std::ptrdiff_t>(i));
      running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  if (auto it = entries_.find(key); it != entries_.end() && !it->second->failed())
    return it->second;
  if (entries_.erase(key) > 0) std::erase(order_, key);
  while (entries_.size() >= kKept && !order_.empty()) {
    entries_.erase(order_.front());  // readers still sending it keep it open
    order_.erase(order_.begin());
  }
  auto spool = std::make_shared<FeedSpool>(folder_);
  entries_[key] = spool;
  order_.push_back(key);
  running_.push_back(spool);
  threads_.emplace_back([spool, generate = std::move(generate)]() mutable {
    bool ok = false;
    try {
      generate(*spool);
      ok = true;
    } catch (const std::exception& e) {
      spdlog::error("the feed could not be written: {}", e.what());
    } catch (...) {
      spdlog::error("the feed could not be written: unknown exception");
    }
    generate = nullptr;  // what it holds goes before its readers learn the end
    spool->finish(ok);
  });
  return spool;
}

}  // namespace ijro::api
