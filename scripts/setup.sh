#!/usr/bin/env bash
# Installs what memlapse needs from Debian 12's archive, skipping what is already there.
# Run as root or with sudo available. Idempotent.
set -euo pipefail
PACKAGES=(
  build-essential cmake git pkg-config
  libtorch-dev libopenblas0-pthread          # LibTorch 1.13 (CPU) + a fast BLAS for it
  dataset-fashion-mnist                       # /usr/share/datasets/fashion-mnist/*.gz
  zlib1g-dev nlohmann-json3-dev libcli11-dev  # IDX .gz reading, JSON, command line
  libtomlplusplus-dev libsqlite3-dev          # experiment files (TOML), results store (SQLite)
  libgtest-dev libgmock-dev libbenchmark-dev  # tests and benchmarks
  python3 python3-torch python3-torchvision   # tests export a TorchScript model at test time
  chromium                                    # the HTML report is tested in headless Chromium
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
