#!/usr/bin/env bash
# Installs what the tests need beyond npm packages: tshark (the differential tests compare
# against it; editcap and mergecap come with it), zsh (the completion test runs the zsh
# script), chromium (the HTML report's browser test drives /usr/bin/chromium with
# playwright-core), tcpdump and iproute2 (rotation sets and a capture still being written are
# made by a real tcpdump on loopback, in a network namespace brought up with ip), time (GNU
# time's peak RSS for the memory-bound test; `time` is also a shell keyword, so its path is
# checked). Debian packages, installed only
# when missing; needs root (or sudo) for apt-get.
set -euo pipefail
missing=()
command -v tshark >/dev/null 2>&1 || missing+=(tshark)
command -v zsh >/dev/null 2>&1 || missing+=(zsh)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v tcpdump >/dev/null 2>&1 || missing+=(tcpdump)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -d node_modules ] || npm ci
