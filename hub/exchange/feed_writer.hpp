// Writing a monitoring feed (urn:ijro-hub:feed:1) one implementation at a time: the one home of
// the feed's <implementation> (facts, organisation identity, evaluation) and of its roll-ups,
// shared by the whole feed (writeFeed) and the feed batch (writeBatch). Internal to
// hub/exchange.
#pragma once

#include <array>
#include <functional>
#include <string>

#include "hub/exchange/feed.hpp"
#include "hub/model/status.hpp"
#include "hub/model/types.hpp"
#include "hub/xml/writer.hpp"

namespace ijro::exchange {

class FeedWriter {
 public:
  // Starts <feed> with its hub, generatedAt and asOf attributes.
  FeedWriter(const FeedHeader& header, const model::StatusRules& rules);

  // Adds an attribute to <feed>: only before the first add().
  void attribute(std::string_view name, std::string_view value) { w_.attribute(name, value); }

  // Writes one <implementation>, evaluated as of the header's asOf; `tail` writes what follows
  // the evaluation (a batch's <lineage>). The roll-ups count it.
  void add(const model::Implementation& impl,
           const std::function<void(xml::Writer&)>& tail = nullptr);

  // Writes the roll-ups over everything added and closes the document: all of it, or what
  // came after the last take().
  std::string finish();

  // What has been written so far, handed over and forgotten (a document written in parts).
  std::string take() { return w_.take(); }
  std::size_t written() const { return w_.written(); }

 private:
  model::Date asOf_{};
  const model::StatusRules& rules_;
  xml::Writer w_;
  std::array<model::RollUpBuilder, 4> rollups_;
  std::vector<model::TaskEvaluation> tasks_;
};

}  // namespace ijro::exchange
