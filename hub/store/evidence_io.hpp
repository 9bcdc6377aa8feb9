// Evidence uploads in the database: their links to implementations and, with PostgreSQL, their
// content as large objects. Internal to hub_store; each function runs on a session the caller
// holds (inside its transaction where it writes).
#pragma once

#include <soci/session.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/store/store.hpp"
#include "hub/store/url.hpp"

namespace ijro::store::detail {

// The link (kept once), and with contentFile its bytes as a large object (kept once per hash).
EvidenceAdded insertEvidence(soci::session& sql, const EvidenceUpload& upload,
                             const std::optional<std::string>& contentFile);
// Links of one content (sha256) or of one measure's implementations (measureId); every link when
// both are nullopt. Oldest first.
std::vector<EvidenceUpload> selectEvidence(soci::session& sql,
                                           const std::optional<std::string>& sha256,
                                           const std::optional<std::string>& measureId);
// Streams a large object's bytes in chunks; false when the content is not stored.
bool readEvidenceLargeObject(soci::session& sql, const std::string& sha256,
                             const std::function<void(std::string_view)>& fn);

}  // namespace ijro::store::detail
