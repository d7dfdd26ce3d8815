#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the browser tests, the libraries and
# fonts WeasyPrint renders with, and for the production-like test (tests/deploy/) nginx,
# openssl (its certificate) and redis-server, which the test starts itself on free ports, and
# systemd (systemd-analyze checks deploy/systemd/; nothing is started).
# Needs root (CI runs as root); prints what to do otherwise.
set -euo pipefail
packages=(chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 poppler-utils nginx openssl redis-server
          systemd)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]} (run: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# nginx and redis-server would start their system services on install (nginx on port 80); the
# tests run their own, so services are not started while installing (policy-rc.d, exit 101).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
