#include "hub/intake/accept.hpp"

#include "hub/base/enum_names.hpp"
#include "hub/model/validate.hpp"

namespace ijro::intake {

namespace {

constexpr base::NameTable<Verdict, 5> kVerdicts{{{Verdict::Accepted, "accepted"},
                                                 {Verdict::Duplicate, "duplicate"},
                                                 {Verdict::Stale, "stale"},
                                                 {Verdict::Rejected, "rejected"},
                                                 {Verdict::OutOfScope, "outOfScope"}}};
static_assert(base::namesEvery(kVerdicts, Verdict::Accepted, Verdict::OutOfScope));

std::string joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e;
  return out.empty() ? "the record could not be read" : out;
}

Verdict verdictOf(store::Outcome o) {
  switch (o) {
    case store::Outcome::Accepted:
      return Verdict::Accepted;
    case store::Outcome::Duplicate:
      return Verdict::Duplicate;
    case store::Outcome::Stale:
      return Verdict::Stale;
    case store::Outcome::Rejected:
      break;
  }
  return Verdict::Rejected;
}

// `parsed`: the record as read, when it could be; its key and revision name the dead letter.
store::DeadLetter deadLetter(const Scope& scope, const std::string& text,
                             const model::Implementation* parsed, std::string reason) {
  store::DeadLetter d;
  d.kind = store::DeadLetterKind::Source;
  d.owner = scope.id;
  d.key.source = scope.id;
  if (parsed) {
    d.key = parsed->key();
    d.revision = parsed->revision;
  }
  d.record = text;
  d.reason = std::move(reason);
  return d;
}

}  // namespace

Incoming fromReport(exchange::ParsedRecord&& parsed) {
  Incoming in;
  in.index = parsed.index;
  in.measureId = std::move(parsed.measureId);
  in.region = std::move(parsed.region);
  in.organisation = std::move(parsed.organisation);
  in.revision = parsed.revision;
  in.record = std::move(parsed.record);
  in.errors = std::move(parsed.errors);
  return in;
}

Incoming fromBatch(exchange::ParsedEntry&& parsed) {
  Incoming in;
  in.index = parsed.index;
  in.measureId = std::move(parsed.measureId);
  in.region = std::move(parsed.region);
  in.organisation = std::move(parsed.organisation);
  in.revision = parsed.revision;
  if (parsed.entry) {
    in.record = std::move(parsed.entry->implementation);
    in.lineage = std::move(parsed.entry->lineage);
  }
  in.errors = std::move(parsed.errors);
  return in;
}

const char* toString(Verdict v) {
  return base::nameOf(kVerdicts, v);
}

std::size_t Result::count(Verdict v) const {
  std::size_t n = 0;
  for (const auto& o : outcomes) n += o.verdict == v ? 1 : 0;
  return n;
}

Prepared prepare(const Scope& scope, std::vector<Incoming> records, const Policy& policy,
                 const Context& context) {
  using Mode = Policy::Mode;
  Prepared p;
  Result& result = p.result;

  // Scope first, for every record that names a territory or a sector, valid or not: a source
  // learns that it may not write there before it learns what else is wrong.
  std::vector<std::optional<std::string>> outside(records.size());
  std::string refusal;
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto& r = records[i];
    // Whatever the sender claims, a record is the scope's: its key and its dead letter say so.
    // A batch's entry keeps its upstream source under the sending hub's id.
    if (r.record)
      r.record->source = policy.mode == Mode::Batch
                             ? scope.id + kBatchSourceSeparator + r.record->source
                             : scope.id;
    const std::string& territory = r.record ? r.record->region : r.region;
    const std::string sector = r.record ? r.record->sector : std::string();
    outside[i] = writeRefusal(scope, territory, sector);
    // Control decisions need the controller role, unless the store already has them (a source
    // that sends back what a controller decided earlier). The store is asked only when the
    // record carries a decision at all.
    if (!outside[i] && r.record && decisionRefusal(scope, *r.record, nullptr)) {
      auto stored = context.store.get(r.record->key());
      outside[i] = decisionRefusal(scope, *r.record, stored ? &*stored : nullptr);
    }
    if (outside[i])
      refusal += (refusal.empty() ? "" : "; ") + std::string("record ") + std::to_string(r.index) +
                 ": " + *outside[i];
  }
  if (policy.mode == Mode::Request && !refusal.empty()) {
    result.refusal = refusal +
                     ": nothing was stored; ask the hub operator to extend the source's "
                     "regions/sectors in the configuration";
    return p;
  }

  result.outcomes.resize(records.size());
  auto& batch = p.batch;
  auto& from = p.from;
  std::vector<store::DeadLetter> dead;
  std::vector<std::optional<model::Lineage>> lineage;  // Batch: lineage[k] goes with batch[k]
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto& r = records[i];
    auto& out = result.outcomes[i];
    out.index = r.index;
    if (outside[i]) {
      out.verdict = Verdict::OutOfScope;
      out.reason = *outside[i] +
                   " (extend regions/sectors in its configuration, then `ijro-hub "
                   "dlq replay`)";
      if (policy.mode == Mode::Poll)
        dead.push_back(deadLetter(scope, r.text, r.record ? &*r.record : nullptr, out.reason));
      continue;
    }
    std::vector<std::string> errors = std::move(r.errors);
    if (r.record) {
      auto more = model::validate(*r.record, context.sectors, context.today);
      errors.insert(errors.end(), more.begin(), more.end());
    }
    if (!r.record || !errors.empty()) {
      out.verdict = Verdict::Rejected;
      out.reason = joined(errors);
      if (policy.mode == Mode::Poll)
        dead.push_back(deadLetter(scope, r.text, r.record ? &*r.record : nullptr, out.reason));
      continue;
    }
    from.push_back(i);
    batch.push_back(std::move(*r.record));
    if (policy.mode == Mode::Poll) p.texts.push_back(std::move(r.text));
    if (policy.mode == Mode::Batch) lineage.push_back(std::move(r.lineage));
  }

  // A request with nothing valid has nothing to commit; a poll still commits its dead letters
  // and its checkpoint.
  if (batch.empty() && policy.mode != Mode::Poll && policy.mode != Mode::Batch) return p;
  p.write = true;
  p.poll = policy.mode == Mode::Poll;
  // What the store refuses is, for a plugin's record, a dead letter that says so.
  p.storePrefix = policy.mode == Mode::Request ? "" : "the store refused it: ";
  auto& options = p.options;
  if (policy.mode == Mode::Poll && policy.checkpoint)
    options.checkpoint = store::Checkpoint{scope.id, *policy.checkpoint};
  if (policy.mode == Mode::Batch && policy.receivedBatch) {
    options.lineage = std::move(lineage);
    options.receivedBatch = *policy.receivedBatch;
    // The entries refused on the way in; the store counts its own outcomes.
    options.receivedBatch->rejected = static_cast<std::int64_t>(records.size() - batch.size());
  }
  result.deadLetters = dead.size();
  options.deadLetters = std::move(dead);
  return p;
}

Result complete(Prepared&& prepared, const std::vector<store::UpsertResult>& stored) {
  Result result = std::move(prepared.result);
  for (std::size_t k = 0; k < stored.size() && k < prepared.from.size(); ++k) {
    auto& out = result.outcomes[prepared.from[k]];
    out.verdict = verdictOf(stored[k].outcome);
    out.reason = stored[k].reason;
    if (out.verdict != Verdict::Rejected) continue;
    out.reason = prepared.storePrefix + out.reason;
    if (prepared.poll) ++result.deadLetters;
  }
  return result;
}

Result accept(const Scope& scope, std::vector<Incoming> records, const Policy& policy,
              const Context& context) {
  Prepared p = prepare(scope, std::move(records), policy, context);
  if (!p.write) return std::move(p.result);
  if (p.poll) {
    // Each record the store rejects becomes a dead letter in the same transaction.
    p.options.deadLetterRejected = [&](std::size_t k, const std::string& reason) {
      return deadLetter(scope, p.texts[k], &p.batch[k], p.storePrefix + reason);
    };
  }
  auto stored = context.store.upsert(p.batch, context.receivedAt, p.options);
  return complete(std::move(p), stored);
}

}  // namespace ijro::intake
