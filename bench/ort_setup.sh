# Sourced by the bench scripts that run ONNX Runtime: installs npm onnxruntime-node 1.30.0 into
# bench/.ort once (offline-safe: its post-install download of GPU providers is skipped,
# shared/facts.md) and points NODE_PATH at it. Run from the repository root.
if [ ! -d bench/.ort/node_modules/onnxruntime-node ]; then
  echo "installing onnxruntime-node 1.30.0 into bench/.ort (once)" >&2
  mkdir -p bench/.ort
  (cd bench/.ort && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund \
     onnxruntime-node@1.30.0 >/dev/null)
fi
export NODE_PATH="$PWD/bench/.ort/node_modules"
