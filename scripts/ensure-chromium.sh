#!/usr/bin/env bash
# The playground's browser test drives Debian's Chromium through playwright-core (never a downloaded browser).
# Installs the Debian package when it is missing and we are allowed to.
set -u
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "ensure-chromium: /usr/bin/chromium is missing; installing Debian's chromium package"
if [ "$(id -u)" = "0" ]; then
  (apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }) \
    && { echo "ensure-chromium: installed $(/usr/bin/chromium --version 2>/dev/null)"; exit 0; }
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get install -y -q chromium >/dev/null 2>&1 && exit 0
fi
echo "ensure-chromium: could not install chromium; run 'apt-get install chromium' (the browser test will fail without it)" >&2
exit 0
