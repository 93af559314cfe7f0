#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing (never a downloaded
# browser: there is no internet here, only the package registries).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null
fi
