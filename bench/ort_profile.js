// node bench/ort_profile.js MODEL.onnx N,C,H,W [RUNS] — where ONNX Runtime spends its time on an
// ONNX file (CPU, one thread, all graph optimisations), per kind of operator after its fusions:
// prints {"kinds": {"1x1 conv": ms, "depthwise": ms, "kxk conv": ms, "other": ms}, "total_ms": ...}, the mean per
// run of ORT's own profiler. bench/latency_vs_runtimes.sh sets it beside `mnas latency --profile`.
// NODE_PATH must reach onnxruntime-node.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  const [model, shapeText, runsText] = process.argv.slice(2);
  const dims = (shapeText || '').split(',').map(Number);
  if (!model || dims.length !== 4) {
    console.error('usage: node ort_profile.js MODEL.onnx N,C,H,W [RUNS]');
    process.exit(2);
  }
  const runs = runsText ? Number(runsText) : 30;
  const prefix = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ort-profile-')), 'p');
  const session = await ort.InferenceSession.create(model, {
    graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1,
    executionMode: 'sequential', enableProfiling: true, profileFilePrefix: prefix,
  });
  const size = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size).map(() => Math.random());
  const feeds = {input: new ort.Tensor('float32', data, dims)};
  for (let i = 0; i < 5 + runs; ++i) await session.run(feeds);
  const file = session.endProfiling ? session.endProfiling() : null;
  const dir = path.dirname(prefix);
  const trace = file && fs.existsSync(file) ? file :
      path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.json')));
  const events = JSON.parse(fs.readFileSync(trace, 'utf8'));
  // Node events are "<node name>_kernel_time" with args.op_name; the kernels of the last `runs`
  // runs are kept (the first 5 are warm-up).
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const perRun = kernels.length / (5 + runs);
  const kept = kernels.slice(Math.round(5 * perRun));
  const kinds = {};
  let total = 0;
  for (const e of kept) {
    let kind = 'other';
    if (e.args.op_name === 'Conv' || e.args.op_name === 'FusedConv') {
      // ORT names nodes after their outputs; the weight's shape [out, in/group, kh, kw] tells.
      const input = e.args.input_type_shape[0].float;
      const weight = e.args.input_type_shape[1].float;
      if (weight[2] === 1 && weight[3] === 1) kind = '1x1 conv';
      else if (weight[1] === 1 && input[1] > 1) kind = 'depthwise';
      else kind = 'kxk conv';
    }
    kinds[kind] = (kinds[kind] || 0) + e.dur / 1000 / runs;
    total += e.dur / 1000 / runs;
  }
  fs.rmSync(dir, {recursive: true, force: true});
  console.log(JSON.stringify({kinds, total_ms: total}));
}

main().catch((e) => { console.error('ort_profile: ' + e.message); process.exit(1); });
