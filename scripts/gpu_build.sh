#!/usr/bin/env bash
# Builds mnas against a CUDA-enabled LibTorch (the one inside a PyTorch wheel) on a machine that
# has no Debian package registry, from the .debs of scripts/gpu_debs.sh (docs/gpu.md).
#
#   bash scripts/gpu_build.sh [DEBS] [BUILD] [TARGET...]
#     DEBS    folder of .debs (default build-gpu-debs), unpacked with dpkg -x into BUILD/prefix
#     BUILD   build folder (default build-gpu)
#     TARGET  what to build (default: everything)
# PYTHON (default python3) is the interpreter whose torch provides LibTorch. Then run with
#   export LD_LIBRARY_PATH=BUILD/prefix/usr/lib/x86_64-linux-gnu
# and give --data-dir BUILD/prefix/usr/share/datasets/fashion-mnist (the data set's .deb).
# Without OpenMPI and Debian's ONNX there (MNAS_WITH_MPI/MNAS_WITH_ONNX off): mpirun and
# ONNX export are refused with that reason.
set -euo pipefail
cd "$(dirname "$0")/.."
debs=${1:-build-gpu-debs}
build=${2:-build-gpu}
shift $(( $# < 2 ? $# : 2 ))
targets=("$@")
[ -d "$debs" ] || { echo "gpu_build: no folder $debs (make it with scripts/gpu_debs.sh)" >&2; exit 2; }
mkdir -p "$build/prefix"
prefix=$(cd "$build/prefix" && pwd)
for d in "$debs"/*.deb; do dpkg -x "$d" "$prefix"; done
lib=$prefix/usr/lib/x86_64-linux-gnu
torch_cmake=$("${PYTHON:-python3}" -c 'import torch; print(torch.utils.cmake_prefix_path)')
export LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$torch_cmake;$prefix/usr" \
  -DCMAKE_LIBRARY_PATH="$lib" -DCMAKE_INCLUDE_PATH="$prefix/usr/include" \
  -DCMAKE_CXX_FLAGS="-isystem $prefix/usr/include -isystem $prefix/usr/include/x86_64-linux-gnu" \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$lib" \
  -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON \
  -DMNAS_WITH_MPI=OFF -DMNAS_WITH_ONNX=OFF -DMNAS_BUILD_BENCHMARKS=ON
if [ ${#targets[@]} -gt 0 ]; then
  cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"
else
  cmake --build "$build" -j "$(nproc)"
fi
