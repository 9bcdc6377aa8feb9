#!/usr/bin/env bash
# The dashboard's browser test, run by ctest (tests/browser/CMakeLists.txt).
#   run.sh install <work dir>       npm ci of package.json/package-lock.json into <work dir>
#   run.sh test <work dir> <case>   one case of dashboard.test.mjs
# Fails loudly, never skips, when node, npm or chromium is missing: install them with
# scripts/setup.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode="$1" work="$2"
need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "browser test: $1 is not installed (needed: $2); run scripts/setup.sh as root" >&2
    exit 1
  fi
}
need node "to drive the browser"
case "$mode" in
  install)
    need npm "to install puppeteer-core from package-lock.json"
    mkdir -p "$work"
    # npm ci only when the lock file changed since the last install.
    if [ -d "$work/node_modules/puppeteer-core" ] && cmp -s "$here/package-lock.json" "$work/package-lock.json"; then
      echo "browser test: puppeteer-core already installed in $work"
      exit 0
    fi
    cp "$here/package.json" "$here/package-lock.json" "$work/"
    # --ignore-scripts: no install script runs, so no browser is ever downloaded.
    (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund)
    ;;
  test)
    browser="${IJRO_CHROMIUM:-}"
    if [ -z "$browser" ]; then
      for b in chromium chromium-browser; do
        if command -v "$b" >/dev/null 2>&1; then browser="$(command -v "$b")"; break; fi
      done
    fi
    if [ -z "$browser" ]; then
      echo "browser test: chromium is not installed (Debian package chromium); run scripts/setup.sh as root" >&2
      exit 1
    fi
    if [ ! -d "$work/node_modules/puppeteer-core" ]; then
      echo "browser test: puppeteer-core is not installed in $work: the browser_npm_ci fixture failed" >&2
      exit 1
    fi
    IJRO_CHROMIUM="$browser" IJRO_BROWSER_WORK="$work" exec node "$here/dashboard.test.mjs" "$3"
    ;;
  *)
    echo "usage: run.sh install|test <work dir> [case]" >&2
    exit 2
    ;;
esac
