// node bench/ort_timer.js MODEL.onnx N,C,H,W [MIN_SECS] — times an ONNX file with ONNX Runtime
// (npm onnxruntime-node, CPU, one thread, all graph optimisations) and prints
// {"median_ms", "p90_ms", "mean_ms", "min_ms", "runs"}: the output contract of a cmd: device
// (docs/devices.md), so it serves as one: --device "ort=cmd:node bench/ort_timer.js {model} {input}".
// NODE_PATH must reach onnxruntime-node (bench/latency_vs_runtimes.sh installs it).
'use strict';
const ort = require('onnxruntime-node');

async function main() {
  const [model, shapeText, minSecsText] = process.argv.slice(2);
  if (!model || !shapeText) {
    console.error('usage: node ort_timer.js MODEL.onnx N,C,H,W [MIN_SECS]');
    process.exit(2);
  }
  const dims = shapeText.split(',').map(Number);
  if (dims.length !== 4 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    console.error('ort_timer: the input shape must be N,C,H,W, e.g. 1,3,224,224');
    process.exit(2);
  }
  const minSecs = minSecsText ? Number(minSecsText) : 1;
  const session = await ort.InferenceSession.create(model, {
    graphOptimizationLevel: 'all',  // 'extended' is ~4x slower on MobileNetV2 (shared/facts.md)
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const size = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; ++i) data[i] = Math.random();
  const feeds = {input: new ort.Tensor('float32', data, dims)};
  for (let i = 0; i < 5; ++i) await session.run(feeds);  // warm-up
  const ms = [];
  const start = process.hrtime.bigint();
  while (ms.length < 50 || Number(process.hrtime.bigint() - start) / 1e9 < minSecs) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (ms.length >= 100000) break;
  }
  ms.sort((a, b) => a - b);
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  console.log(JSON.stringify({
    median_ms: ms[Math.floor(ms.length / 2)],
    p90_ms: ms[Math.min(ms.length - 1, Math.floor(0.9 * ms.length))],
    mean_ms: mean,
    min_ms: ms[0],
    runs: ms.length,
    engine: 'onnxruntime ' + (ort.env.versions ? ort.env.versions.common : ''),
  }));
}

main().catch((e) => {
  console.error('ort_timer: ' + e.message);
  process.exit(1);
});
