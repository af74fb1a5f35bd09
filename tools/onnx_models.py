#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Makes the ONNX test networks of tests/data/onnx with PyTorch (Debian's python3-torch).

Run with Debian's /usr/bin/python3 (python3-torch, python3-onnx, python3-numpy):

  /usr/bin/python3 tools/onnx_models.py --out tests/data/onnx      # a few minutes on 2 cores

Trains three small networks briefly on Fashion-MNIST and exports each with torch.onnx.export:

  mlp.onnx     Flatten, Linear 784-64, ReLU, Dropout, Linear 64-10 (Gemm; opset 11)
  cnn.onnx     2 x [Conv 3x3 pad 1, BatchNorm2d, ReLU, MaxPool 2], x.view(x.size(0), -1)
               (Shape/Gather/Unsqueeze/Concat/Reshape), Linear, BatchNorm1d, ReLU, Linear (opset 13)
  resnet.onnx  stem conv, a residual basic block (Add), a down-sampling block (stride-2 conv,
               1x1 conv shortcut, Add), AvgPool 2, GlobalAveragePool, head as x @ W + b (MatMul,
               Add; opset 17)

With --check, runs ONNX files that `xbarsim convert` wrote back from these networks (v2 -> ONNX)
with torch's functional ops and compares their logits with PyTorch's originals (1e-4):

  build/xbarsim convert --in tests/data/onnx/cnn.onnx --set dnn.input_scale=0.00784313725490196 \
      --set dnn.input_offset=-1 --out cnn.h5
  build/xbarsim convert --in cnn.h5 --out /tmp/cnn.onnx
  /usr/bin/python3 tools/onnx_models.py --check /tmp/cnn.onnx

ops.onnx (random weights, no accuracy; written with onnx.helper: the ops the exports above do
not contain, see ops_model) and two networks xbarsim must refuse (untrained): sigmoid.onnx (a Sigmoid node) and
grouped_conv.onnx (Conv with group = 2).

expected.json (and expected.txt, the same for the C++ tests) records, for each trained network, what PyTorch computes on the 10 000 test images
in float32: the input scaling (network input = pixel * input_scale + input_offset, pixels 0..255),
the number of correct predictions and the accuracy, and the logits of the first 8 test images.
The test suite (tests/integration/dnn/test_onnx.cpp) compares xbarsim's import with these and
needs no torch. Deterministic for a seed on one thread.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

DATA_DIR = os.environ.get("XBARSIM_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
LOGIT_SAMPLES = 8


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = int.from_bytes(raw[0:4], "big") & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion(split):
    prefix = "train" if split == "train" else "t10k"
    img = os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz")
    if not os.path.exists(img):
        sys.exit(f"{img} not found: install the Debian package dataset-fashion-mnist")
    x = read_idx(img).reshape(-1, 1, 28, 28)
    y = read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
    return x, y


def scaled(pixels, scale, offset):
    """pixel * scale + offset in float32, as xbarsim computes it (Network::prepareInputs)."""
    x = torch.from_numpy(pixels.astype(np.float32))
    return x * np.float32(scale) + np.float32(offset)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(64, 10))

    def forward(self, x):
        return self.net(x)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 12, 3, padding=1), nn.BatchNorm2d(12), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Linear(12 * 7 * 7, 32), nn.BatchNorm1d(32), nn.ReLU(),
                                  nn.Linear(32, 10))

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)  # exported as a Shape -> Gather -> Unsqueeze -> Concat chain
        return self.head(x)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8),
                                  nn.ReLU())
        self.block1 = Block(8, 8, 1)
        self.block2 = Block(8, 16, 2)
        self.pool = nn.AvgPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.w = nn.Parameter(torch.randn(16, 10) * 0.25)
        self.b = nn.Parameter(torch.zeros(10))

    def forward(self, x):
        x = self.pool(self.block2(self.block1(self.stem(x))))
        x = torch.flatten(self.gap(x), 1)
        return x @ self.w + self.b  # exported as MatMul + Add


class SigmoidNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)

    def forward(self, x):
        return torch.sigmoid(self.fc(torch.flatten(x, 1)))


class GroupedConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 2, 1)
        self.conv = nn.Conv2d(2, 4, 3, groups=2)
        self.fc = nn.Linear(4 * 26 * 26, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.conv(self.stem(x)), 1))


def ops_model(path, seed):
    """ops.onnx, written node by node with onnx.helper (random weights): the ops and attributes
    torch's export of the trained networks does not produce -- Identity, Conv with stride 2,
    Dropout (opset 13 inputs), a standalone Relu, Shape/Gather/Unsqueeze/Concat/Reshape, Gemm with
    alpha, beta and transB = 0, MatMul + Add (bias). Returns the function that computes it with
    torch (the reference)."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal((3, 1, 3, 3)).astype(np.float32)
    b1 = rng.standard_normal(3).astype(np.float32)
    w2 = (rng.standard_normal((147, 5)) * 0.1).astype(np.float32)  # Gemm B, transB = 0
    c2 = rng.standard_normal(5).astype(np.float32)
    w3 = rng.standard_normal((5, 4)).astype(np.float32)
    b3 = rng.standard_normal(4).astype(np.float32)
    init = [numpy_helper.from_array(a, n) for a, n in
            [(w1, "w1"), (b1, "b1"), (w2, "w2"), (c2, "c2"), (w3, "w3"), (b3, "b3"),
             (np.array(0.3, np.float32), "ratio"), (np.array(False), "training"),
             (np.array(0, np.int64), "zero"), (np.array([0], np.int64), "axes"),
             (np.array([-1], np.int64), "minus_one")]]
    N = helper.make_node
    nodes = [
        N("Identity", ["input"], ["x"], name="identity"),
        N("Conv", ["x", "w1", "b1"], ["c"], name="conv", strides=[2, 2], pads=[1, 1, 1, 1],
          kernel_shape=[3, 3], dilations=[1, 1], group=1),
        N("Dropout", ["c", "ratio", "training"], ["d"], name="dropout"),
        N("Relu", ["d"], ["r"], name="relu"),
        N("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        N("Shape", ["p"], ["shape"], name="shape"),
        N("Gather", ["shape", "zero"], ["batch"], name="gather", axis=0),
        N("Unsqueeze", ["batch", "axes"], ["batch1"], name="unsqueeze"),
        N("Concat", ["batch1", "minus_one"], ["target"], name="concat", axis=0),
        N("Reshape", ["p", "target"], ["flat"], name="reshape"),
        N("Gemm", ["flat", "w2", "c2"], ["g"], name="gemm", alpha=0.5, beta=2.0, transB=0),
        N("MatMul", ["g", "w3"], ["m"], name="matmul"),
        N("Add", ["m", "b3"], ["logits"], name="bias"),
    ]
    graph = helper.make_graph(
        nodes, "ops", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 1, 28, 28])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 4])], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="tools/onnx_models.py")
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)
    F = nn.functional
    t = torch.from_numpy

    def reference(x):
        y = torch.relu(F.conv2d(x, t(w1), t(b1), stride=2, padding=1))
        y = torch.flatten(F.max_pool2d(y, 2, 2), 1)
        y = 0.5 * (y @ t(w2)) + 2.0 * t(c2)
        return y @ t(w3) + t(b3)
    return reference


def train(model, x, y, scale, offset, epochs, samples, seed):
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    n = min(samples, len(y))
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for k in range(0, n, 128):
            idx = perm[k:k + 128].numpy()
            loss = nn.functional.cross_entropy(model(scaled(x[idx], scale, offset)),
                                               torch.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()


def export(model, path, opset):
    dummy = torch.zeros(2, 1, 28, 28)
    torch.onnx.export(model, dummy, path, opset_version=opset, input_names=["input"],
                      output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    import onnx  # the checker only; not needed by the tests
    onnx.checker.check_model(onnx.load(path))


def run_onnx(path, x):
    """Runs an ONNX file written by `xbarsim convert` (the ops exportOnnx writes) with torch's
    functional ops: the check that a network converted by xbarsim works in PyTorch."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    meta = {p.key: float(p.value) for p in m.metadata_props}
    env = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in m.graph.initializer}
    env[m.graph.input[0].name] = (x * np.float32(meta["xbarsim.input_scale"]) +
                                  np.float32(meta["xbarsim.input_offset"]))
    F = nn.functional
    for n in m.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
        i = [env[k] for k in n.input]
        if n.op_type == "Gemm":
            y = F.linear(i[0], i[1], i[2]) if a.get("transB") else i[0] @ i[1] + i[2]
        elif n.op_type == "Conv":
            y = F.conv2d(i[0], i[1], i[2], stride=a["strides"], padding=a["pads"][:2])
        elif n.op_type == "MaxPool":
            y = F.max_pool2d(i[0], a["kernel_shape"], a["strides"])
        elif n.op_type == "AveragePool":
            y = F.avg_pool2d(i[0], a["kernel_shape"], a["strides"])
        elif n.op_type == "BatchNormalization":
            y = F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, a["epsilon"])
        elif n.op_type == "Relu":
            y = torch.relu(i[0])
        elif n.op_type == "Flatten":
            y = torch.flatten(i[0], 1)
        elif n.op_type == "Add":
            y = i[0] + i[1]
        else:
            sys.exit(f"{path}: {n.op_type} is not an op xbarsim exports")
        env[n.output[0]] = y
    return env[m.graph.output[0].name]


def check(args):
    """Compares ONNX files converted by xbarsim (name.onnx for each network) with the logits
    PyTorch computed for the original networks (expected.json)."""
    with open(os.path.join(args.out, "expected.json")) as f:
        expected = json.load(f)
    xte, _ = load_fashion("test")
    worst = 0.0
    for path in args.check:
        name = os.path.basename(path).split(".")[0].replace("back_", "")
        ref = np.array(expected["models"][name]["logits"])
        with torch.no_grad():
            got = run_onnx(path, torch.from_numpy(xte[:len(ref)].astype(np.float32))).numpy()
        diff = float(np.abs(got - ref).max())
        worst = max(worst, diff)
        print(f"{path}: largest logit difference to the original PyTorch network {diff:.3g}")
    sys.exit(0 if worst <= 1e-4 else 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="tests/data/onnx")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", nargs="+", metavar="ONNX",
                    help="instead: run ONNX files written by `xbarsim convert` (from the networks "
                         "here, named <network>.onnx) in PyTorch and compare their logits")
    args = ap.parse_args()
    if args.check:
        check(args)
        return
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    xtr, ytr = load_fashion("train")
    xte, yte = load_fashion("test")
    # name: (model, opset, epochs, training samples, input_scale, input_offset)
    nets = {
        "mlp": (Mlp, 11, 2, 60000, 1.0 / 255.0, 0.0),
        "cnn": (Cnn, 13, 1, 60000, 2.0 / 255.0, -1.0),
        "resnet": (ResNet, 17, 1, 30000, 1.0 / 255.0, -0.5),
    }
    expected = {"torch_version": torch.__version__, "seed": args.seed, "test_images": len(yte),
                "models": {}}
    for name, (make, opset, epochs, samples, scale, offset) in nets.items():
        t0 = time.time()
        torch.manual_seed(args.seed)
        model = make()
        train(model, xtr, ytr, scale, offset, epochs, samples, args.seed)
        with torch.no_grad():
            logits = torch.cat([model(scaled(xte[k:k + 1000], scale, offset))
                                for k in range(0, len(yte), 1000)])
        correct = int((logits.argmax(1).numpy() == yte).sum())
        path = os.path.join(args.out, f"{name}.onnx")
        export(model, path, opset)
        expected["models"][name] = {
            "file": f"{name}.onnx", "opset": opset, "input_scale": scale, "input_offset": offset,
            "epochs": epochs, "training_samples": samples, "correct": correct,
            "accuracy": correct / len(yte),
            "logits": logits[:LOGIT_SAMPLES].tolist()}
        print(f"{name}: test accuracy {correct / len(yte):.4f} ({time.time() - t0:.0f} s), "
              f"{os.path.getsize(path)} bytes -> {path}")
    reference = ops_model(os.path.join(args.out, "ops.onnx"), args.seed)
    with torch.no_grad():
        logits = reference(scaled(xte[:LOGIT_SAMPLES], 1.0 / 255.0, 0.0))
    expected["models"]["ops"] = {"file": "ops.onnx", "opset": 13, "input_scale": 1.0 / 255.0,
                                 "input_offset": 0.0, "correct": -1, "accuracy": None,
                                 "logits": logits.tolist()}
    torch.manual_seed(args.seed)
    export(SigmoidNet().eval(), os.path.join(args.out, "sigmoid.onnx"), 13)
    export(GroupedConv().eval(), os.path.join(args.out, "grouped_conv.onnx"), 13)
    with open(os.path.join(args.out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    # the same for the C++ tests, one record a line (repr: shortest exact float text)
    with open(os.path.join(args.out, "expected.txt"), "w") as f:
        f.write("# written by tools/onnx_models.py (see expected.json)\n"
                "# model <name> <correct> <test images> <input_scale> <input_offset>\n"
                "# logits <name> <test image> <logit 0> ... <logit 9>\n")
        for name, m in expected["models"].items():
            f.write(f"model {name} {m['correct']} {len(yte)} {m['input_scale']!r} "
                    f"{m['input_offset']!r}\n")
            for k, row in enumerate(m["logits"]):
                f.write(f"logits {name} {k} " + " ".join(repr(v) for v in row) + "\n")


if __name__ == "__main__":
    main()
