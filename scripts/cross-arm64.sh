#!/usr/bin/env bash
# Cross-compiles mnas-device for arm64 (aarch64) Linux boards: build-arm64/mnas-device.
#
# Needs Debian's cross compiler (g++-aarch64-linux-gnu) and, to make the sysroot, apt's arm64
# package lists (`dpkg --add-architecture arm64 && apt-get update`): scripts/setup.sh does both.
# The arm64 libraries cannot be apt-installed beside the amd64 ones (XNNPACK and pthreadpool
# have no Multi-Arch field), so their .debs are downloaded and unpacked into a sysroot folder
# (build-arm64/sysroot, or $MNAS_ARM64_SYSROOT), once. docs/devices.md says what a board needs.
#
# Extra arguments go to CMake. Runs the result under qemu-user when qemu-aarch64-static is there
# (`mnas-device --version`): timings under emulation mean nothing, and nothing here times.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v aarch64-linux-gnu-g++ >/dev/null; then
  echo "cross-arm64: aarch64-linux-gnu-g++ is missing; install g++-aarch64-linux-gnu (scripts/setup.sh does)" >&2
  exit 1
fi

SYSROOT="${MNAS_ARM64_SYSROOT:-$PWD/build-arm64/sysroot}"
ARM64_PACKAGES=(
  libxnnpack0 libxnnpack-dev libpthreadpool0 libpthreadpool-dev libcpuinfo0 libcpuinfo-dev
  libcpp-httplib0.11 libcpp-httplib-dev libssl3 libssl-dev libbrotli1 libbrotli-dev
  zlib1g zlib1g-dev
  # what qemu-user needs to run the binary (-L SYSROOT)
  libc6 libstdc++6 libgcc-s1
)
ALL_PACKAGES=(nlohmann-json3-dev libcli11-dev)  # architecture-independent headers

if [ ! -f "$SYSROOT/.complete" ]; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "cross-arm64: apt has no arm64 package lists; run scripts/setup.sh (it adds them)" >&2
    exit 1
  fi
  echo "cross-arm64: making the arm64 sysroot in $SYSROOT"
  rm -rf "$SYSROOT"
  mkdir -p "$SYSROOT/.debs"
  (
    cd "$SYSROOT/.debs"
    apt-get download -q -o APT::Sandbox::User=root \
      "${ARM64_PACKAGES[@]/%/:arm64}" "${ALL_PACKAGES[@]}"
  )
  for deb in "$SYSROOT"/.debs/*.deb; do
    dpkg-deb -x "$deb" "$SYSROOT"
  done
  rm -rf "$SYSROOT/.debs"
  touch "$SYSROOT/.complete"
fi

export MNAS_ARM64_SYSROOT="$SYSROOT"
cmake -S . -B build-arm64 -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" \
  -DMNAS_DEVICE_ONLY=ON -DMNAS_BUILD_TESTS=OFF "$@"
cmake --build build-arm64 --parallel "$(nproc)" --target mnas-device
file build-arm64/mnas-device 2>/dev/null || true
if command -v qemu-aarch64-static >/dev/null; then
  qemu-aarch64-static -L "$SYSROOT" build-arm64/mnas-device --version
fi
echo "cross-arm64: build-arm64/mnas-device (needs on the board: libxnnpack0, libpthreadpool0,"
echo "  libcpuinfo0, libcpp-httplib0.11 and their dependencies; docs/devices.md)"
