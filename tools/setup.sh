#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages only), configures and builds xbarsim in build/.
# Idempotent: a second run installs nothing and rebuilds only what changed.
# Works as root or as a user with sudo. Usage: tools/setup.sh [extra cmake arguments], e.g.
# tools/setup.sh -DXBARSIM_WERROR=ON (what the `ci` preset of CMakePresets.json sets).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(
  build-essential cmake pkg-config git
  clang-format                            # tools/format.sh (.clang-format)
  time                                    # /usr/bin/time: peak memory in the memory-estimate test
  ngspice libngspice0-dev                 # standalone ngspice (tests, designers) + shared library
  libeigen3-dev libsuitesparse-dev libsundials-dev
  libhdf5-dev hdf5-tools
  libboost-test-dev libtomlplusplus-dev libcli11-dev libfmt-dev
  libonnx-dev libprotobuf-dev protobuf-compiler  # ONNX import/export (dnn/onnx_import.hpp)
  # (not needed to build or test: python3-torch python3-onnx, for tools/onnx_models.py only)
  libopenmpi-dev openmpi-bin
  python3 python3-h5py python3-numpy python3-matplotlib
  python3-xarray python3-h5netcdf         # sweep files as labelled arrays (README.md)
  dataset-fashion-mnist
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
  elif command -v sudo >/dev/null; then
    SUDO=(sudo)
  else
    echo "setup: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$jobs"
