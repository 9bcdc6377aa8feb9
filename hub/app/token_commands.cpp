#include "hub/app/token_commands.hpp"

#include <sys/random.h>

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <set>
#include <stdexcept>
#include <string>

#include "hub/app/command_line.hpp"
#include "hub/app/config.hpp"
#include "hub/base/sha256.hpp"
#include "hub/exchange/json_text.hpp"
#include "hub/intake/scope.hpp"
#include "hub/model/regions.hpp"
#include "hub/store/store.hpp"

namespace ijro::app {

namespace po = boost::program_options;

namespace {

// 32 bytes from the kernel's random source, as 64 hex digits.
std::string newToken() {
  unsigned char bytes[32];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    auto n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("cannot read random bytes: ") + std::strerror(errno));
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::string w;
  for (char c : s + " ") {
    if (c == ' ' || c == ',') {
      if (!w.empty()) out.push_back(w);
      w.clear();
    } else {
      w += c;
    }
  }
  return out;
}

bool validId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

// The token's fields from the options, each checked; throws std::invalid_argument naming the
// option and what to give instead.
store::AccessToken describe(const po::variables_map& vm, const Config& cfg) {
  store::AccessToken t;
  t.id = vm["id"].as<std::string>();
  if (!validId(t.id))
    throw std::invalid_argument("--id \"" + t.id +
                                "\": use 1..64 letters, digits, '-', '_' or '.'");
  for (const auto* list : {&cfg.sources, &cfg.readers})
    for (const auto& s : *list)
      if (s.id == t.id)
        throw std::invalid_argument("--id \"" + t.id + "\" is the id of " + s.label() +
                                    " in the configuration: choose another");
  intake::Scope roles;
  auto given = words(vm["roles"].as<std::string>());
  if (given.empty())
    throw std::invalid_argument("--roles is empty: give source, executor, controller or reader");
  if (auto err = intake::grantRoles(roles, given)) throw std::invalid_argument("--roles: " + *err);
  t.roles = words(roles.roleList());
  for (const auto& r : words(vm["regions"].as<std::string>())) {
    if (r == "*") continue;
    if (r != model::kNationalCode && (r.size() != 4 || !model::findRegion(r)))
      throw std::invalid_argument("--regions: \"" + r +
                                  "\" is not a first-level SOATO code: use 1703..1735, 17 for "
                                  "national, or *");
    t.regions.push_back(r);
  }
  for (const auto& s : words(vm["sectors"].as<std::string>())) {
    if (s == "*") continue;
    if (!cfg.sectors.contains(s))
      throw std::invalid_argument("--sectors: \"" + s +
                                  "\" is not a sector of this hub (see <sectors> in the "
                                  "configuration), or *");
    t.sectors.push_back(s);
  }
  if (vm.count("note")) t.note = vm["note"].as<std::string>();
  return t;
}

std::string listed(const std::vector<std::string>& words) {
  if (words.empty()) return "*";
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

int issue(int argc, char** argv) {
  auto desc = configOptions("ijro-hub token issue: issue a bearer token (printed once)", true);
  desc.add_options()("id", po::value<std::string>()->required(), "a unique name for the token")(
      "roles", po::value<std::string>()->required(),
      "space-separated: source, executor, controller, reader")(
      "regions", po::value<std::string>()->required(), "first-level SOATO codes it covers, or *")(
      "sectors", po::value<std::string>()->required(), "sector codes it covers, or *")(
      "note", po::value<std::string>(), "who it is for");
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm)) return 0;
  Config cfg;
  auto store = openConfiguredStore(vm, cfg);
  auto token = describe(vm, cfg);
  const std::string secret = newToken();
  token.tokenSha256 = base::sha256Hex(secret);
  if (!store->issueToken(token)) {
    std::cerr << "ijro-hub token issue: a token with id \"" << token.id
              << "\" exists already (see `ijro-hub token list`): choose another id, or revoke "
                 "that one first; nothing was stored\n";
    return 1;
  }
  std::cout << secret << "\n";
  std::cerr << "issued token \"" << token.id << "\" (roles " << listed(token.roles) << ", regions "
            << listed(token.regions) << ", sectors " << listed(token.sectors)
            << "); it is shown only now, the store keeps its SHA-256\n";
  return 0;
}

int list(int argc, char** argv) {
  auto desc = configOptions("ijro-hub token list: the tokens issued at run time", true);
  desc.add_options()("json", "JSON instead of text");
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm)) return 0;
  Config cfg;
  auto store = openConfiguredStore(vm, cfg);
  auto tokens = store->accessTokens();
  if (vm.count("json")) {
    boost::json::array out;
    for (const auto& t : tokens) {
      boost::json::array roles, regions, sectors;
      for (const auto& r : t.roles) roles.emplace_back(r);
      for (const auto& r : t.regions) regions.emplace_back(r);
      for (const auto& s : t.sectors) sectors.emplace_back(s);
      boost::json::object o{{"id", t.id},
                            {"roles", roles},
                            {"regions", regions},
                            {"sectors", sectors},
                            {"note", t.note},
                            {"createdAt", t.createdAt},
                            {"revoked", t.revoked()}};
      if (t.revoked()) o["revokedAt"] = t.revokedAt;
      out.push_back(std::move(o));
    }
    std::cout << exchange::toJsonText(out) << "\n";
    return 0;
  }
  if (tokens.empty()) std::cout << "no tokens issued (see `ijro-hub token issue --help`)\n";
  for (const auto& t : tokens)
    std::cout << t.id << "  roles " << listed(t.roles) << "  regions " << listed(t.regions)
              << "  sectors " << listed(t.sectors) << "  issued " << t.createdAt
              << (t.revoked() ? "  REVOKED " + t.revokedAt : std::string())
              << (t.note.empty() ? std::string() : "  (" + t.note + ")") << "\n";
  return 0;
}

int revoke(int argc, char** argv) {
  auto desc = configOptions(
      "ijro-hub token revoke: a revoked token is refused from its next request", true);
  desc.add_options()("id", po::value<std::string>()->required(), "the token's id");
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm)) return 0;
  Config cfg;
  auto store = openConfiguredStore(vm, cfg);
  const auto id = vm["id"].as<std::string>();
  if (!store->revokeToken(id)) {
    std::cerr << "ijro-hub token revoke: no valid token with id \"" << id
              << "\" (see `ijro-hub token list`; tokens in the configuration file are removed "
                 "there)\n";
    return 1;
  }
  std::cout << "revoked token \"" << id << "\"\n";
  return 0;
}

}  // namespace

int tokenCommand(int argc, char** argv) {
  const std::string sub = argc > 1 ? argv[1] : "";
  if (sub == "issue") return issue(argc - 1, argv + 1);
  if (sub == "list") return list(argc - 1, argv + 1);
  if (sub == "revoke") return revoke(argc - 1, argv + 1);
  std::cerr << "usage: ijro-hub token issue|list|revoke --config FILE ... (see "
               "`ijro-hub token issue --help`)\n";
  return 2;
}

}  // namespace ijro::app
