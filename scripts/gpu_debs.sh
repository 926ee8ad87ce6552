#!/usr/bin/env bash
# Downloads (on Debian 12, e.g. this project's CI machine) the .debs that scripts/gpu_build.sh
# unpacks on a machine that has a CUDA-enabled PyTorch but no Debian package registry
# (docs/gpu.md): ~38 MB, the Fashion-MNIST data set included.
#
#   bash scripts/gpu_debs.sh [DIR]    (default: build-gpu-debs)
set -euo pipefail
dir=${1:-build-gpu-debs}
mkdir -p "$dir"
cd "$dir"
apt-get download \
  libxnnpack0 libxnnpack-dev libpthreadpool0 libpthreadpool-dev libcpuinfo0 libcpuinfo-dev \
  libcli11-dev nlohmann-json3-dev libstb0 libstb-dev libcpp-httplib0.11 libcpp-httplib-dev \
  libssl-dev libbrotli1 libbrotli-dev libsqlite3-0 libsqlite3-dev zlib1g zlib1g-dev \
  libgtest-dev libgmock-dev libbenchmark1debian libbenchmark-dev dataset-fashion-mnist
echo "gpu_debs: $(ls ./*.deb | wc -l) packages in $(pwd) ($(du -sh . | cut -f1))"
