// Evidence links and PostgreSQL large objects through SOCI. The large object is written with the
// server-side functions lo_create / lo_put / lo_get, with the bytes bound as hex text decoded by
// the server: bound parameters only, in the caller's transaction (large objects are
// transactional), so the content and its link commit together or not at all.
#include "hub/store/evidence_io.hpp"

#include <soci/soci.h>

#include <array>
#include <chrono>
#include <fstream>

#include "hub/store/text.hpp"

namespace ijro::store::detail {

namespace {

constexpr std::size_t kChunk = 256u << 10;  // bytes per lo_put / lo_get

std::string toHex(const char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    const auto b = static_cast<unsigned char>(data[i]);
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string fromHex(const std::string& hex) {
  if (hex.size() % 2 != 0) throw StoreError("store: a large object chunk came back as odd hex");
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hexValue(hex[2 * i]), lo = hexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) throw StoreError("store: a large object chunk came back as no hex");
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// Copies the file into a new large object; returns its oid. Throws StoreError when the file is
// not the size the upload says (it changed under us).
long long writeLargeObject(soci::session& sql, const std::string& file, long long expectedSize) {
  long long oid = 0;
  sql << "SELECT CAST(lo_create(0) AS BIGINT)", soci::into(oid);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw StoreError("store: cannot open the evidence file " + file);
  std::string buf(kChunk, '\0');
  long long offset = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    const std::string hex = toHex(buf.data(), n);
    int done = 0;
    sql << "SELECT 1 FROM (SELECT lo_put(CAST(:o AS oid), :f, decode(:h, 'hex'))) AS put",
        soci::use(oid), soci::use(offset), soci::use(hex), soci::into(done);
    offset += static_cast<long long>(n);
  }
  if (in.bad()) throw StoreError("store: cannot read the evidence file " + file);
  if (offset != expectedSize)
    throw StoreError("store: the evidence file " + file + " has " + std::to_string(offset) +
                     " bytes, not the " + std::to_string(expectedSize) + " it was checked with");
  return oid;
}

}  // namespace

EvidenceAdded insertEvidence(soci::session& sql, const EvidenceUpload& upload,
                             const std::optional<std::string>& contentFile) {
  EvidenceAdded added;
  const std::string at = upload.uploadedAt.empty()
                             ? formatTimestamp(std::chrono::system_clock::now())
                             : upload.uploadedAt;
  if (contentFile) {
    long long present = 0;
    sql << "SELECT count(*) FROM evidence_content WHERE sha256 = :s", soci::use(upload.sha256),
        soci::into(present);
    if (present == 0) {
      long long oid = writeLargeObject(sql, *contentFile, upload.size);
      long long size = upload.size;
      soci::statement st =
          (sql.prepare << "INSERT INTO evidence_content (sha256, size, large_object) VALUES (:s, "
                          ":n, :o) ON CONFLICT (sha256) DO NOTHING",
           soci::use(upload.sha256), soci::use(size), soci::use(oid));
      st.execute(true);
      if (st.get_affected_rows() == 0) {
        // Another upload of the same content committed first: keep its object, drop ours.
        int done = 0;
        sql << "SELECT 1 FROM (SELECT lo_unlink(CAST(:o AS oid))) AS unlinked", soci::use(oid),
            soci::into(done);
      } else {
        added.contentStored = true;
      }
    }
  }
  long long size = upload.size;
  soci::statement st =
      (sql.prepare << "INSERT INTO evidence_upload (sha256, size, media_type, filename, title, "
                      "measure_id, region, organisation, task, uploader, uploaded_at) VALUES (:s, "
                      ":n, :t, :f, :ti, :m, :r, :o, :k, :u, :a) ON CONFLICT (sha256, measure_id, "
                      "region, organisation, task) DO NOTHING",
       soci::use(upload.sha256), soci::use(size), soci::use(upload.type),
       soci::use(upload.filename), soci::use(upload.title), soci::use(upload.measureId),
       soci::use(upload.region), soci::use(upload.organisation), soci::use(upload.task),
       soci::use(upload.uploader), soci::use(at));
  st.execute(true);
  added.linked = st.get_affected_rows() > 0;
  return added;
}

std::vector<EvidenceUpload> selectEvidence(soci::session& sql,
                                           const std::optional<std::string>& sha256,
                                           const std::optional<std::string>& measureId) {
  std::vector<EvidenceUpload> out;
  EvidenceUpload u;
  long long size = 0;
  const auto run = [&](const std::string& where, const auto&... keys) {
    soci::statement st(sql);
    st.alloc();
    st.prepare(
        "SELECT sha256, size, media_type, filename, title, measure_id, region, organisation, "
        "task, uploader, uploaded_at FROM evidence_upload" +
        where + " ORDER BY id");
    st.exchange(soci::into(u.sha256));
    st.exchange(soci::into(size));
    st.exchange(soci::into(u.type));
    st.exchange(soci::into(u.filename));
    st.exchange(soci::into(u.title));
    st.exchange(soci::into(u.measureId));
    st.exchange(soci::into(u.region));
    st.exchange(soci::into(u.organisation));
    st.exchange(soci::into(u.task));
    st.exchange(soci::into(u.uploader));
    st.exchange(soci::into(u.uploadedAt));
    (st.exchange(soci::use(keys)), ...);
    st.define_and_bind();
    st.execute();
    while (st.fetch()) {
      u.size = size;
      out.push_back(u);
    }
  };
  if (sha256 && measureId)
    run(" WHERE sha256 = :s AND measure_id = :m", *sha256, *measureId);
  else if (sha256)
    run(" WHERE sha256 = :s", *sha256);
  else if (measureId)
    run(" WHERE measure_id = :m", *measureId);
  else
    run("");
  return out;
}

bool readEvidenceLargeObject(soci::session& sql, const std::string& sha256,
                             const std::function<void(std::string_view)>& fn) {
  long long oid = 0, size = 0;
  sql << "SELECT large_object, size FROM evidence_content WHERE sha256 = :s", soci::use(sha256),
      soci::into(oid), soci::into(size);
  if (!sql.got_data()) return false;
  for (long long offset = 0; offset < size;) {
    const long long want = std::min<long long>(static_cast<long long>(kChunk), size - offset);
    std::string hex;
    sql << "SELECT encode(lo_get(CAST(:o AS oid), :f, CAST(:n AS INTEGER)), 'hex')", soci::use(oid),
        soci::use(offset), soci::use(want), soci::into(hex);
    const std::string bytes = fromHex(hex);
    if (bytes.empty())
      throw StoreError("store: the large object of evidence " + sha256 + " ends at " +
                       std::to_string(offset) + " of " + std::to_string(size) + " bytes");
    fn(bytes);
    offset += static_cast<long long>(bytes.size());
  }
  return true;
}

}  // namespace ijro::store::detail
