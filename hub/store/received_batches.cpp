#include "hub/store/received_batches.hpp"

#include <soci/soci.h>

#include <charconv>

namespace ijro::store::detail {

namespace {

// Hops one per line, "hub<TAB>sequence<TAB>receivedAt": the readers collapse white space in
// hub ids and check timestamps, so neither a tab nor a newline can be inside a field.
std::string encodeHops(const std::vector<model::Hop>& hops) {
  std::string out;
  for (const auto& h : hops) {
    if (!out.empty()) out += '\n';
    out += h.hub + '\t' + std::to_string(h.sequence) + '\t' + h.receivedAt;
  }
  return out;
}

std::vector<model::Hop> decodeHops(const std::string& text) {
  std::vector<model::Hop> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    const auto a = line.find('\t');
    const auto b = a == std::string::npos ? a : line.find('\t', a + 1);
    if (b == std::string::npos)
      throw StoreError("store: a hop of a stored lineage is not \"hub, sequence, time\": " + line);
    model::Hop h;
    h.hub = line.substr(0, a);
    const std::string seq = line.substr(a + 1, b - a - 1);
    auto [p, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), h.sequence);
    if (ec != std::errc{} || p != seq.data() + seq.size())
      throw StoreError("store: a hop of a stored lineage has no sequence number: " + line);
    h.receivedAt = line.substr(b + 1);
    out.push_back(std::move(h));
  }
  return out;
}

constexpr const char* kLineageColumns =
    "l.origin_source, l.adapter, l.received_at, l.origin_revision, l.hops";

// The lineage columns read into, one row at a time.
struct LineageRow {
  std::string source, adapter, receivedAt, hops;
  long long revision = 0;
  model::Lineage lineage() const {
    return {source, adapter, receivedAt, revision, decodeHops(hops)};
  }
};

// The current row of an implementation joined with its lineage (for the row's revision).
#define IJRO_CURRENT_WITH_LINEAGE                                                              \
  " FROM implementation i JOIN record_lineage l ON l.source = i.source AND l.measure_id = "    \
  "i.measure_id AND l.region = i.region AND l.organisation = i.organisation AND l.revision = " \
  "i.revision WHERE "
constexpr const char* kCurrentWithLineage = IJRO_CURRENT_WITH_LINEAGE "i.is_current = 1";
// The same for a few listed ids: '+' keeps the indexes that lead with is_current out, which
// SQLite would otherwise walk whole rather than look the ids up.
constexpr const char* kListedCurrentWithLineage = IJRO_CURRENT_WITH_LINEAGE "+i.is_current = 1";
#undef IJRO_CURRENT_WITH_LINEAGE

}  // namespace

void writeLineage(soci::session& sql, const model::Implementation& x, const model::Lineage& l) {
  long long revision = x.revision, originRevision = l.revision;
  const std::string hops = encodeHops(l.hubs);
  sql << "INSERT INTO record_lineage (source, measure_id, region, organisation, revision, "
         "origin_source, adapter, received_at, origin_revision, hops) VALUES (:s, :m, :r, :o, "
         ":v, :os, :a, :t, :ov, :h) ON CONFLICT (source, measure_id, region, organisation) DO "
         "UPDATE SET revision = excluded.revision, origin_source = excluded.origin_source, "
         "adapter = excluded.adapter, received_at = excluded.received_at, origin_revision = "
         "excluded.origin_revision, hops = excluded.hops",
      soci::use(x.source), soci::use(x.measure.id), soci::use(x.region), soci::use(x.organisation),
      soci::use(revision), soci::use(l.source), soci::use(l.adapter), soci::use(l.receivedAt),
      soci::use(originRevision), soci::use(hops);
}

void insertReceivedBatch(soci::session& sql, const ReceivedBatch& b) {
  long long sequence = b.sequence, accepted = b.accepted, duplicate = b.duplicate, stale = b.stale,
            rejected = b.rejected;
  sql << "INSERT INTO received_batch (hub, sequence, received_at, digest, accepted, duplicate, "
         "stale, rejected) VALUES (:h, :s, :t, :d, :a, :u, :st, :r) ON CONFLICT (hub, sequence) "
         "DO NOTHING",
      soci::use(b.hub), soci::use(sequence), soci::use(b.receivedAt), soci::use(b.digest),
      soci::use(accepted), soci::use(duplicate), soci::use(stale), soci::use(rejected);
}

std::optional<ReceivedBatch> selectReceivedBatch(soci::session& sql, const std::string& hub,
                                                 std::int64_t sequence) {
  long long seq = sequence, accepted = 0, duplicate = 0, stale = 0, rejected = 0;
  ReceivedBatch b;
  sql << "SELECT received_at, digest, accepted, duplicate, stale, rejected FROM received_batch "
         "WHERE hub = :h AND sequence = :s",
      soci::use(hub), soci::use(seq), soci::into(b.receivedAt), soci::into(b.digest),
      soci::into(accepted), soci::into(duplicate), soci::into(stale), soci::into(rejected);
  if (!sql.got_data()) return std::nullopt;
  b.hub = hub;
  b.sequence = sequence;
  b.accepted = accepted;
  b.duplicate = duplicate;
  b.stale = stale;
  b.rejected = rejected;
  return b;
}

std::vector<PeerBatches> selectPeerBatches(soci::session& sql) {
  std::vector<PeerBatches> out;
  {
    std::string hub, at;
    long long highest = 0, received = 0;
    soci::statement st =
        (sql.prepare << "SELECT hub, max(sequence), count(*), max(received_at) FROM "
                        "received_batch GROUP BY hub ORDER BY hub",
         soci::into(hub), soci::into(highest), soci::into(received), soci::into(at));
    st.execute();
    while (st.fetch()) {
      PeerBatches p;
      p.hub = hub;
      p.highestSequence = highest;
      p.received = received;
      p.lastReceivedAt = at;
      p.gaps = highest - received;
      out.push_back(std::move(p));
    }
  }
  for (auto& p : out) {
    // The batch received last (the highest sequence among those received at that time).
    long long last = 0;
    sql << "SELECT max(sequence) FROM received_batch WHERE hub = :h AND received_at = :t",
        soci::use(p.hub), soci::use(p.lastReceivedAt), soci::into(last);
    p.lastSequence = last;
    if (p.gaps == 0) continue;
    // Each run of missing sequences starts after a received one (or at 1) and ends before the
    // next received one: the first runs give the lowest missing sequences.
    long long lowest = 0;
    sql << "SELECT min(sequence) FROM received_batch WHERE hub = :h", soci::use(p.hub),
        soci::into(lowest);
    for (long long s = 1; s < lowest && p.firstGaps.size() < PeerBatches::kFirstGaps; ++s)
      p.firstGaps.push_back(s);
    long long limit = PeerBatches::kFirstGaps, highest = p.highestSequence, from = 0, next = 0;
    soci::statement runs =
        (sql.prepare << "SELECT b.sequence + 1, (SELECT min(c.sequence) FROM received_batch c "
                        "WHERE c.hub = b.hub AND c.sequence > b.sequence) FROM received_batch b "
                        "WHERE b.hub = :h AND b.sequence < :m AND NOT EXISTS (SELECT 1 FROM "
                        "received_batch n WHERE n.hub = b.hub AND n.sequence = b.sequence + 1) "
                        "ORDER BY b.sequence LIMIT :n",
         soci::use(p.hub), soci::use(highest), soci::use(limit), soci::into(from),
         soci::into(next));
    runs.execute();
    while (runs.fetch())
      for (long long s = from; s < next && p.firstGaps.size() < PeerBatches::kFirstGaps; ++s)
        p.firstGaps.push_back(s);
  }
  return out;
}

std::vector<Store::KeyedLineage> selectCurrentLineages(
    soci::session& sql, const std::optional<std::string>& measureId) {
  std::vector<Store::KeyedLineage> out;
  const std::string measure = measureId.value_or("");
  int any = measureId ? 0 : 1;
  model::ImplementationKey key;
  LineageRow l;
  soci::statement st =
      (sql.prepare << std::string("SELECT i.source, i.measure_id, i.region, i.organisation, ") +
                          kLineageColumns + kCurrentWithLineage +
                          " AND (:any = 1 OR i.measure_id = :m)",
       soci::use(any), soci::use(measure), soci::into(key.source), soci::into(key.measureId),
       soci::into(key.region), soci::into(key.organisation), soci::into(l.source),
       soci::into(l.adapter), soci::into(l.receivedAt), soci::into(l.revision), soci::into(l.hops));
  st.execute();
  while (st.fetch()) out.push_back({key, l.lineage()});
  return out;
}

std::map<long long, model::Lineage> selectChangeLineages(soci::session& sql, std::int64_t after,
                                                         std::int64_t upTo) {
  std::map<long long, model::Lineage> out;
  long long a = after, b = upTo, id = 0;
  LineageRow l;
  soci::statement st =
      (sql.prepare << std::string("SELECT i.id, ") + kLineageColumns + kListedCurrentWithLineage +
                          " AND i.id IN (SELECT c.id FROM history h JOIN implementation c ON "
                          "c.measure_id = h.measure_id AND c.region = h.region AND "
                          "c.organisation_key = h.organisation_key WHERE h.id > :a AND h.id <= "
                          ":b)",
       soci::use(a), soci::use(b), soci::into(id), soci::into(l.source), soci::into(l.adapter),
       soci::into(l.receivedAt), soci::into(l.revision), soci::into(l.hops));
  st.execute();
  while (st.fetch()) out.emplace(id, l.lineage());
  return out;
}

}  // namespace ijro::store::detail
