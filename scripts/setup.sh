#!/usr/bin/env bash
# Installs the Debian 12 packages ijro-hub needs to build, run, test and benchmark, if missing.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config git curl
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  libsoci-dev libspdlog-dev libfmt-dev libssl-dev prometheus-cpp-dev
  libxml2-dev libxml2-utils libxslt1-dev libxmlsec1-dev
  # xsltproc: the ADX tests make the schema from the hub's DSD with IHE's XSLT (schemas/adx)
  xsltproc
  # zip archives (sdk/tables: XLSX, zip packages) and ICU (plugins/spreadsheet: header matching)
  libzip-dev libicu-dev
  # the hub binary's allocator, tcmalloc (hub/CMakeLists.txt)
  libgoogle-perftools-dev
  # XLSX exports (hub/export) and reading them back in the export test (tests/integration)
  libxlsxwriter-dev python3-openpyxl
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 libpq-dev libsqlite3-dev sqlite3 wrk python3
  # the OpenAPI description converted to JSON at build time (hub/api)
  python3-yaml
  # cpack -G DEB with dpkg-shlibdeps (which needs `file`) and lintian: tests/package
  dpkg-dev file lintian
  # unshare -m and mount (the SDK built with the hub's other headers hidden): tests/unit/plugins
  util-linux mount
  # the dashboard's browser test (tests/browser): headless chromium driven from node
  chromium
  # the libFuzzer targets (tests/fuzz): clang 14 and its runtimes (libFuzzer, ASan, UBSan)
  clang libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm for the browser test: Debian's npm brings nodejs; a nodejs from elsewhere (e.g.
# NodeSource) carries its own npm and conflicts with Debian's, so npm is asked for only if missing.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
  echo "setup: run as root (or install these packages): ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The postgresql package starts a system cluster; the tests use their own throwaway one.
