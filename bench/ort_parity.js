// node bench/ort_parity.js MODEL.onnx IMAGES LABELS [LOGITS.f32 STEP]
// Runs an ONNX file (fp32, or the int8 QDQ file of `mnas export --precision int8`) with ONNX
// Runtime (npm onnxruntime-node, CPU, all graph optimisations) on an IDX data set's images at
// their own size (Fashion-MNIST's test split: t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz;
// pixels / 255, NCHW, the normalisation is in the model) and prints {"images", "top1"}. Given the
// logits another engine wrote for the same images (`mnas eval --engine xnnpack --logits FILE`)
// and their quantization step (`mnas eval ... --json`'s logits_step), it also prints how they
// agree: the share of images with the same top-1 class and the logits' largest and 99th-
// percentile difference, in steps. NODE_PATH must reach onnxruntime-node (bench/int8_parity.sh).
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const ort = require('onnxruntime-node');

function readIdx(path) {
  let bytes = fs.readFileSync(path);
  if (path.endsWith('.gz')) bytes = zlib.gunzipSync(bytes);
  const dims = bytes[3];
  const shape = [];
  for (let i = 0; i < dims; ++i) shape.push(bytes.readUInt32BE(4 + 4 * i));
  return {shape, data: bytes.subarray(4 + 4 * dims)};
}

async function main() {
  const [model, imagesPath, labelsPath, logitsPath, stepText] = process.argv.slice(2);
  if (!model || !imagesPath || !labelsPath) {
    console.error('usage: node ort_parity.js MODEL.onnx IMAGES LABELS [LOGITS.f32 STEP]');
    process.exit(2);
  }
  const images = readIdx(imagesPath), labels = readIdx(labelsPath);
  const [n, h, w] = images.shape;
  const session = await ort.InferenceSession.create(model, {
    graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1,
  });
  const other = logitsPath ? new Float32Array(fs.readFileSync(logitsPath).buffer.slice(0)) : null;
  const step = stepText ? Number(stepText) : 0;
  let correct = 0, sameTop1 = 0, worst = 0;
  const diffs = [];
  const input = new Float32Array(h * w);
  for (let i = 0; i < n; ++i) {
    for (let k = 0; k < h * w; ++k) input[k] = images.data[i * h * w + k] / 255;
    const out = await session.run({input: new ort.Tensor('float32', input, [1, 1, h, w])});
    const logits = out.logits.data;
    const classes = logits.length;
    let best = 0;
    for (let c = 1; c < classes; ++c) if (logits[c] > logits[best]) best = c;
    correct += best === labels.data[i];
    if (other) {
      const theirs = other.subarray(i * classes, (i + 1) * classes);
      let theirBest = 0;
      for (let c = 1; c < classes; ++c) if (theirs[c] > theirs[theirBest]) theirBest = c;
      sameTop1 += best === theirBest;
      for (let c = 0; c < classes; ++c) {
        const d = Math.abs(logits[c] - theirs[c]);
        diffs.push(d);
        worst = Math.max(worst, d);
      }
    }
  }
  const result = {images: n, top1: correct / n};
  if (other) {
    if (other.length !== diffs.length) {
      console.error(`ort_parity: ${logitsPath} holds ${other.length} logits, not ${diffs.length}`);
      process.exit(2);
    }
    diffs.sort((a, b) => a - b);
    const p99 = diffs[Math.floor(0.99 * (diffs.length - 1))];
    result.same_top1 = sameTop1 / n;
    result.max_diff = worst;
    result.p99_diff = p99;
    if (step > 0) {
      result.max_diff_steps = worst / step;
      result.p99_diff_steps = p99 / step;
    }
  }
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(`ort_parity: ${e.message}`);
  process.exit(1);
});
