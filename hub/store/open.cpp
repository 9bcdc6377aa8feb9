// Store::open: the one place that picks the implementation behind the Store interface (SOCI,
// sql_store.cpp), so the interface's own files need nothing of it.
#include <memory>
#include <string>

#include "hub/store/sql_store.hpp"
#include "hub/store/store.hpp"
#include "hub/store/url.hpp"

namespace ijro::store {

std::unique_ptr<Store> Store::open(const std::string& url, std::size_t poolSize,
                                   const std::string& password) {
  return std::make_unique<detail::SqlStore>(detail::parseStoreUrl(url, password), poolSize);
}

}  // namespace ijro::store
