#!/usr/bin/env bash
# Installs the native packages Privomega needs on Debian 12 (idempotent; a fresh machine has only
# the .NET SDK). Today that is libsodium 1.0.18 (soname libsodium.so.23) for curve25519 work.
set -euo pipefail

missing=()
if ! ldconfig -p 2>/dev/null | grep -q 'libsodium\.so\.23'; then
  missing+=(libsodium23)
fi
((${#missing[@]} == 0)) && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
