#include "hub/intake/scope.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <iterator>

#include "hub/base/sha256.hpp"
#include "hub/model/regions.hpp"

namespace ijro::intake {

Scope Scope::writer(std::string id) {
  Scope s;
  s.id = std::move(id);
  s.write = true;
  // A source plugin adapts a system the operator chose to trust, whose own execution control
  // records the decisions it reports; its configuration may take the role away.
  s.controller = true;
  return s;
}

bool Scope::coversRegion(std::string_view territory) const {
  if (regions.empty()) return true;
  auto top = model::regionOf(territory);
  return top && regions.count(*top) > 0;
}

bool Scope::coversSector(std::string_view sector) const {
  return sectors.empty() || sectors.count(std::string(sector)) > 0;
}

std::string Scope::label() const {
  const char* role = write        ? "source"
                     : executor   ? "executor"
                     : controller ? "controller"
                                  : "reader";
  return std::string(role) + " \"" + id + "\"";
}

std::string Scope::roleList() const {
  const bool held[] = {write, executor, controller, read};
  std::string out;
  for (std::size_t i = 0; i < std::size(held); ++i)
    if (held[i]) out += (out.empty() ? "" : " ") + std::string(kRoleNames[i]);
  return out;
}

std::optional<std::string> grantRoles(Scope& scope, const std::vector<std::string>& words) {
  for (const auto& w : words) {
    if (w == "source" || w == "write")
      scope.write = true;
    else if (w == "reader" || w == "read")
      scope.read = true;
    else if (w == "executor")
      scope.executor = true;
    else if (w == "controller")
      scope.controller = true;
    else
      return "unknown role \"" + w + "\": the roles are source, executor, controller and reader";
  }
  return std::nullopt;
}

Scope scopeOf(const store::AccessToken& token) {
  Scope s;
  s.id = token.id;
  s.tokenSha256 = token.tokenSha256;
  s.regions.insert(token.regions.begin(), token.regions.end());
  s.sectors.insert(token.sectors.begin(), token.sectors.end());
  // The store only holds roles the CLI checked; an unknown word from a newer hub grants nothing.
  for (const auto& r : token.roles) (void)grantRoles(s, {r});
  return s;
}

namespace {

bool isDecision(model::ControlStatus s) {
  return s == model::ControlStatus::Verified || s == model::ControlStatus::Returned ||
         s == model::ControlStatus::Removed;
}

template <typename T>
bool contains(const std::vector<T>& list, const T& x) {
  return std::find(list.begin(), list.end(), x) != list.end();
}

// The first decision in `events`/`changes` that `known` does not already hold, named by `where`.
std::optional<std::string> newDecision(const std::string& where,
                                       const std::vector<model::ControlEvent>& events,
                                       const std::vector<model::ControlEvent>* knownEvents,
                                       const std::vector<model::DeadlineChange>& changes,
                                       const std::vector<model::DeadlineChange>* knownChanges) {
  for (std::size_t i = 0; i < events.size(); ++i)
    if (isDecision(events[i].state) && !(knownEvents && contains(*knownEvents, events[i])))
      return where + "controlEvents[" + std::to_string(i) + "] (" + toString(events[i].state) + ")";
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (changes[i].decision == model::Decision::Pending) continue;
    if (knownChanges && contains(*knownChanges, changes[i])) continue;
    return where + "deadlineChanges[" + std::to_string(i) + "] (" + toString(changes[i].decision) +
           ")";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> decisionRefusal(const Scope& scope,
                                           const model::Implementation& incoming,
                                           const model::Implementation* stored) {
  if (scope.controller) return std::nullopt;
  auto refusal = [&](const std::string& field) {
    return scope.label() + " may not bring the control decision " + field +
           ": verifying, returning, approving and rejecting need a token with the controller "
           "role (roles=\"... controller\" in the configuration, or `ijro-hub token issue "
           "--roles controller`); send the executor's submission or request without the "
           "decision";
  };
  if (auto f = newDecision("", incoming.controlEvents, stored ? &stored->controlEvents : nullptr,
                           incoming.deadlineChanges, stored ? &stored->deadlineChanges : nullptr))
    return refusal(*f);
  for (std::size_t i = 0; i < incoming.assignments.size(); ++i) {
    const auto& a = incoming.assignments[i];
    const model::Assignment* known = nullptr;
    if (stored)
      for (const auto& b : stored->assignments)
        if (b.id == a.id) known = &b;
    // A reported control state of verified/removed without events is a decision too.
    const bool reportedDecision =
        isDecision(a.control) && a.controlEvents.empty() && !(known && known->control == a.control);
    if (reportedDecision)
      return refusal("assignments[" + std::to_string(i) + "].control (" + toString(a.control) +
                     ")");
    if (auto f = newDecision("assignments[" + std::to_string(i) + "].", a.controlEvents,
                             known ? &known->controlEvents : nullptr, a.deadlineChanges,
                             known ? &known->deadlineChanges : nullptr))
      return refusal(*f);
  }
  return std::nullopt;
}

std::optional<std::string> writeRefusal(const Scope& scope, std::string_view territory,
                                        std::string_view sector) {
  if (!scope.write) return scope.label() + " may not write reports (it has no write right)";
  std::string why;
  if (!territory.empty() && model::isKnownTerritory(territory) && !scope.coversRegion(territory))
    why = "region " + std::string(territory) + " is outside the regions of " + scope.label();
  if (!sector.empty() && !scope.coversSector(sector))
    why += (why.empty() ? "" : "; ") + std::string("sector ") + std::string(sector) +
           " is outside the sectors of " + scope.label();
  if (why.empty()) return std::nullopt;
  return why;
}

std::optional<std::string> bearerSha256(std::string_view authorization) {
  // RFC 9110 11.1: the scheme is case-insensitive and separated from its token by one or more
  // spaces; surrounding whitespace is not part of the token.
  constexpr std::string_view kBearer = "bearer";
  if (authorization.size() <= kBearer.size()) return std::nullopt;
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kBearer[i]) return std::nullopt;
  }
  auto token = authorization.substr(kBearer.size());
  if (token.front() != ' ') return std::nullopt;
  while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return base::sha256Hex(token);
}

const Scope* authenticate(const std::vector<Scope>& scopes, std::string_view authorization) {
  const auto bearer = bearerSha256(authorization);
  if (!bearer) return nullptr;
  const std::string& hash = *bearer;
  const Scope* found = nullptr;
  // Look at every scope so the time taken does not depend on which one matched.
  for (const auto& s : scopes)
    if (s.tokenSha256.size() == hash.size() &&
        CRYPTO_memcmp(s.tokenSha256.data(), hash.data(), hash.size()) == 0)
      found = &s;
  return found;
}

}  // namespace ijro::intake
