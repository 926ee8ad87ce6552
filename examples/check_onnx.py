#!/usr/bin/env python3
"""Runs an ONNX file that `mnas export` wrote on a folder of labelled images, in another engine than
mnas: ONNX Runtime when it is installed (`pip install onnxruntime`), else OpenCV's DNN module
(Debian: python3-opencv). Prints the engine, the images and the top-1 accuracy.

    python3 examples/check_onnx.py model.onnx IMAGES/test [--json]

The folder holds one sub-folder of images per class, as the training folder did; classes are
numbered in sorted name order, as mnas numbers them. Images are fed as mnas trained on them:
decoded to the model's channels (grey or RGB), resized to its input when their size differs,
scaled to [0, 1], NCHW; the model normalises them itself. (Resizing filters differ between
libraries: images already at the model's input size give exactly mnas's pixels.)
"""
import argparse
import json
import os
import sys

import numpy as np

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def load_engine(model, wanted):
    """(name, run(batch) -> logits) for the first engine that is there."""
    errors = []
    if wanted in ("auto", "onnxruntime"):
        try:
            import onnxruntime as ort
            session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
            shape = session.get_inputs()[0].shape
            return "onnxruntime " + ort.__version__, shape, \
                lambda x: session.run(["logits"], {"input": x})[0]
        except ImportError as e:
            errors.append(f"onnxruntime: {e}")
    if wanted in ("auto", "opencv"):
        try:
            import cv2
            net = cv2.dnn.readNetFromONNX(model)

            def run(x):
                net.setInput(x, "input")
                return net.forward("logits")
            return "opencv " + cv2.__version__, None, run
        except ImportError as e:
            errors.append(f"opencv: {e}")
    sys.exit("check_onnx: no ONNX engine found (" + "; ".join(errors) +
             "): pip install onnxruntime, or apt install python3-opencv")


def protobuf_fields(data):
    """(field number, wire type, value) of one protobuf message: ints for varints, bytes for
    length-delimited fields (enough of the format to read an ONNX file's input shape)."""
    i = 0

    def varint():
        nonlocal i
        shift = value = 0
        while True:
            b = data[i]
            i += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return value
    while i < len(data):
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            yield field, wire, varint()
        elif wire == 2:
            n = varint()
            yield field, wire, data[i:i + n]
            i += n
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ValueError(f"protobuf wire type {wire}")


def first(data, number):
    return next((v for f, w, v in protobuf_fields(data) if f == number and w == 2), None)


def model_input(model):
    """(channels, height, width) of the graph's first input, read from the file itself (no onnx
    package needed): ModelProto.graph(7) → GraphProto.input(11) → ValueInfoProto.type(2) →
    TypeProto.tensor_type(1) → shape(2) → dim(1) → dim_value(1)."""
    data = open(model, "rb").read()
    graph = first(data, 7)
    value = first(graph, 11) if graph else None
    tensor = first(first(value, 2) or b"", 1) if value else None
    shape = first(tensor, 2) if tensor else None
    if shape is None:
        return None
    dims = []
    for f, w, dim in protobuf_fields(shape):
        if f == 1 and w == 2:
            dims.append(next((v for g, x, v in protobuf_fields(dim) if g == 1 and x == 0), 0))
    return tuple(dims[1:4]) if len(dims) == 4 and all(dims[1:4]) else None


def read_image(path, channels, height, width):
    from PIL import Image
    image = Image.open(path)
    image = image.convert("L" if channels == 1 else "RGB")
    if image.size != (width, height):
        image = image.resize((width, height), Image.BILINEAR)
    pixels = np.asarray(image, dtype=np.float32) / 255.0
    if channels == 1:
        pixels = pixels[None, :, :]
    else:
        pixels = pixels.transpose(2, 0, 1)
    return pixels


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("folder")
    parser.add_argument("--input", help="HxWxC (default: the file's input)")
    parser.add_argument("--engine", default="auto", choices=["auto", "onnxruntime", "opencv"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    engine, shape, run = load_engine(args.model, args.engine)
    if args.input:
        h, w, c = (int(v) for v in args.input.lower().split("x"))
    elif shape is not None and all(isinstance(v, int) for v in shape[1:]):
        c, h, w = shape[1], shape[2], shape[3]
    elif model_input(args.model) is not None:
        c, h, w = model_input(args.model)
    else:
        sys.exit("check_onnx: the file's input shape is not [batch, C, H, W] with fixed C, H, W; "
                 "give --input HxWxC")

    classes = sorted(d for d in os.listdir(args.folder)
                     if os.path.isdir(os.path.join(args.folder, d)))
    if not classes:
        sys.exit(f"check_onnx: {args.folder}: no class folders")
    correct = total = 0
    for label, name in enumerate(classes):
        folder = os.path.join(args.folder, name)
        for file in sorted(os.listdir(folder)):
            if not file.lower().endswith(IMAGE_EXTENSIONS):
                continue
            x = read_image(os.path.join(folder, file), c, h, w)[None]
            logits = np.asarray(run(np.ascontiguousarray(x)))
            correct += int(np.argmax(logits.reshape(-1)) == label)
            total += 1
    if total == 0:
        sys.exit(f"check_onnx: {args.folder}: no images")
    result = {"engine": engine, "images": total, "classes": len(classes),
              "top1": correct / total}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{engine}: {total} images of {len(classes)} classes, top-1 "
              f"{100 * correct / total:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
