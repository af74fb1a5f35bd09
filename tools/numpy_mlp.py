#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Independent reference for xbarsim's dnn module, written with numpy + h5py only.

Four sub-commands (run with Debian's /usr/bin/python3, which has numpy and h5py):

  train     train a Fashion-MNIST MLP (Adam, ReLU, cross-entropy) and write it in the xbarsim
            model format v1 (docs/architecture.md §7.1); prints the test accuracy computed here.
  evaluate  float test accuracy of a model file (flatten / dense / relu layers).
  sgd       plain SGD from a model file's weights on the first N training images in file
            order (no shuffle), constant learning rate, momentum on the weights only, biases
            plain SGD: the schedule of `xbarsim train --config` with train.algorithm = "sgd",
            shuffle = false. Prints per-epoch mean loss and test accuracy as JSON.
  pcm       accuracy of a model mapped onto PCM with the published statistical model
            (docs/device-models.md §1: aihwkit PCMLikeNoiseModel; Joshi et al. 2020):
            per-layer scale g_max/max|W|, differential pairs, programming noise, per-device drift
            exponent, accumulated 1/f read noise drawn once per evaluation, global drift
            compensation (one-hot reads of each tile at programming and at t), ideal wires,
            DAC and ADC. Prints mean/std accuracy per time.

Nothing here shares code with the C++ implementation: it is the "other tool" that the C++
results are checked against (tests/integration/dnn).
"""
import argparse
import gzip
import json
import os
import sys
import time

import h5py
import numpy as np

DATA_DIR = os.environ.get("XBARSIM_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


# ---------------------------------------------------------------------------------------------
# data

def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(dims)


def load_fashion(split):
    prefix = "train" if split == "train" else "t10k"
    img = os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz")
    lab = os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz")
    if not os.path.exists(img):
        sys.exit(f"{img} not found: install the Debian package dataset-fashion-mnist")
    x = read_idx(img).reshape(-1, 784).astype(np.float64)
    y = read_idx(lab).astype(np.int64)
    return x, y


# ---------------------------------------------------------------------------------------------
# model format v1

def write_model(path, weights, biases, input_scale, input_offset, attrs, dtype=np.float32):
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "xbarsim-model"
        f.attrs["version"] = np.int64(1)
        f.attrs["input_shape"] = np.array([1, 28, 28], dtype=np.int64)
        f.attrs["input_scale"] = float(input_scale)
        f.attrs["input_offset"] = float(input_offset)
        for k, v in attrs.items():
            f.attrs[k] = v
        layers = f.create_group("layers")
        g = layers.create_group("000")
        g.attrs["type"] = "flatten"
        for i, (w, b) in enumerate(zip(weights, biases)):
            g = layers.create_group(f"{i + 1:03d}")
            g.attrs["type"] = "dense"
            g.attrs["activation"] = "relu" if i + 1 < len(weights) else "none"
            g.create_dataset("weight", data=w.astype(dtype))
            g.create_dataset("bias", data=b.astype(dtype))


def read_model(path):
    """Returns (input_scale, input_offset, [(W, b, relu)]) for flatten/dense models."""
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != "xbarsim-model":
            sys.exit(f"{path}: not an xbarsim model")
        scale = float(f.attrs["input_scale"])
        offset = float(f.attrs["input_offset"])
        out = []
        for name in sorted(f["layers"].keys()):
            g = f["layers"][name]
            kind = g.attrs["type"]
            if kind == "flatten":
                continue
            if kind != "dense":
                sys.exit(f"{path}: layer {name} is {kind}; this tool handles flatten/dense only")
            # the file stores float32 or float16; compute in float64
            out.append((g["weight"][...].astype(np.float64), g["bias"][...].astype(np.float64),
                        g.attrs["activation"] == "relu"))
    return scale, offset, out


def forward(layers, x):
    for w, b, relu in layers:
        x = x @ w.T + b
        if relu:
            x = np.maximum(x, 0.0)
    return x


def accuracy(logits, y):
    return float(np.mean(np.argmax(logits, axis=1) == y))


# ---------------------------------------------------------------------------------------------
# training

def train(args):
    rng = np.random.default_rng(args.seed)
    xtr, ytr = load_fashion("train")
    xte, yte = load_fashion("test")
    scale, offset = 1.0 / 255.0, 0.0
    xtr = (xtr * scale + offset).astype(np.float32)
    xte = (xte * scale + offset).astype(np.float32)
    sizes = [784] + [int(h) for h in args.hidden.split(",") if h] + [10]
    ws = [(rng.standard_normal((o, i)) * np.sqrt(2.0 / i)).astype(np.float32)
          for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(o, np.float32) for o in sizes[1:]]
    params = ws + bs
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps, step = 0.9, 0.999, 1e-8, 0
    n = xtr.shape[0]
    t_start = time.time()
    for epoch in range(args.epochs):
        lr = args.lr * (0.5 ** (epoch // max(1, args.epochs // 3)))
        perm = rng.permutation(n)
        for k in range(0, n, args.batch):
            idx = perm[k:k + args.batch]
            x, y = xtr[idx], ytr[idx]
            acts = [x]
            for i, (w, b) in enumerate(zip(ws, bs)):
                z = acts[-1] @ w.T + b
                acts.append(np.maximum(z, 0) if i + 1 < len(ws) else z)
            z = acts[-1]
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            d = p
            d[np.arange(len(y)), y] -= 1.0
            d /= len(y)
            gw, gb = [None] * len(ws), [None] * len(ws)
            for i in reversed(range(len(ws))):
                gw[i] = d.T @ acts[i]
                gb[i] = d.sum(axis=0)
                if i > 0:
                    d = (d @ ws[i]) * (acts[i] > 0)
            grads = gw + gb
            step += 1
            for j, (pp, g) in enumerate(zip(params, grads)):
                m[j] = b1 * m[j] + (1 - b1) * g
                v[j] = b2 * v[j] + (1 - b2) * g * g
                mh = m[j] / (1 - b1 ** step)
                vh = v[j] / (1 - b2 ** step)
                pp -= (lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        acc = accuracy(forward([(w.astype(np.float64), b.astype(np.float64), i + 1 < len(ws))
                                for i, (w, b) in enumerate(zip(ws, bs))],
                               xte.astype(np.float64)), yte)
        print(f"epoch {epoch + 1}/{args.epochs}: test accuracy {acc:.4f} "
              f"({time.time() - t_start:.0f} s)", file=sys.stderr)
    attrs = {"producer": "tools/numpy_mlp.py train (numpy reference trainer)",
             "training": f"Adam lr={args.lr} batch={args.batch} epochs={args.epochs} "
                         f"seed={args.seed} hidden={args.hidden} dtype={args.dtype}"}
    write_model(args.out, ws, bs, scale, offset, attrs,
                np.float16 if args.dtype == "float16" else np.float32)
    # accuracy of the stored weights (rounded to the file's type), evaluated in float64
    s, o, layers = read_model(args.out)
    acc = accuracy(forward(layers, load_fashion("test")[0] * s + o), yte)
    with h5py.File(args.out, "a") as f:
        f.attrs["numpy_test_accuracy"] = acc
    print(json.dumps({"model": args.out, "test_accuracy": acc}))


def sgd(args):
    scale, offset, layers = read_model(args.init)
    ws = [w.astype(np.float32) for w, _, _ in layers]
    bs = [b.astype(np.float32) for _, b, _ in layers]
    relus = [r for _, _, r in layers]
    xtr, ytr = load_fashion("train")
    xte, yte = load_fashion("test")
    n = args.train_samples or xtr.shape[0]
    xtr = (xtr[:n] * scale + offset).astype(np.float32)
    ytr = ytr[:n]
    nt = args.test_samples or xte.shape[0]
    xte, yte = xte[:nt] * scale + offset, yte[:nt]
    mom = [np.zeros_like(w) for w in ws]
    losses, accs = [], []
    for epoch in range(args.epochs):
        total, batches = 0.0, 0
        for k in range(0, n, args.batch):
            x, y = xtr[k:k + args.batch], ytr[k:k + args.batch]
            acts = [x]
            for w, b, relu in zip(ws, bs, relus):
                z = acts[-1] @ w.T + b
                acts.append(np.maximum(z, 0) if relu else z)
            z = acts[-1].astype(np.float64)
            z = z - z.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            total += float(-logp[np.arange(len(y)), y].mean())
            batches += 1
            d = np.exp(logp)
            d[np.arange(len(y)), y] -= 1.0
            d = (d / len(y)).astype(np.float32)
            for i in reversed(range(len(ws))):
                if relus[i]:
                    d = d * (acts[i + 1] > 0)
                dx = d @ ws[i]
                gw = d.T @ acts[i]
                bs[i] -= np.float32(args.lr) * d.sum(axis=0)
                mom[i] = np.float32(args.momentum) * mom[i] + gw
                ws[i] -= np.float32(args.lr) * mom[i]
                d = dx
        losses.append(total / batches)
        accs.append(accuracy(forward([(w.astype(np.float64), b.astype(np.float64), r)
                                      for w, b, r in zip(ws, bs, relus)], xte), yte))
    print(json.dumps({"train_loss": losses, "test_accuracy": accs}))


def evaluate(args):
    s, o, layers = read_model(args.model)
    xte, yte = load_fashion("test")
    print(json.dumps({"model": args.model, "test_accuracy": accuracy(forward(layers, xte * s + o),
                                                                      yte)}))


# ---------------------------------------------------------------------------------------------
# PCM statistical model (docs/device-models.md §1), conductances in uS

G_MAX = 25.0
PROG_C = (0.26348, 1.9650, -1.1731)
G_REF = 25.0
T0 = 20.0
T_READ = 250e-9


def program(g_t, rng):
    x = g_t / G_MAX
    sigma = (PROG_C[0] + PROG_C[1] * x + PROG_C[2] * x * x) * G_MAX / G_REF
    g_prog = np.maximum(0.0, g_t + sigma * rng.standard_normal(g_t.shape))
    xn = np.maximum(np.abs(g_t) / G_MAX, 1e-7)
    mu = np.clip(-0.0155 * np.log(xn) + 0.0244, 0.049, 0.1)
    sd = np.clip(-0.0125 * np.log(xn) - 0.0059, 0.008, 0.045)
    nu = np.abs(mu + sd * rng.standard_normal(g_t.shape))
    return g_prog, nu


def age(g_prog, nu, t_inf, rng):
    t = t_inf + T0
    g = g_prog * (t / T0) ** (-nu) if t > T0 else g_prog.copy()
    q = np.minimum(0.0088 / np.maximum((np.abs(g_prog) / G_MAX) ** 0.65, 1e-3), 0.2)
    sig = np.abs(g) * q * np.sqrt(np.log((t + T_READ) / (2 * T_READ)))
    return np.maximum(0.0, g + sig * rng.standard_normal(g.shape))


def pcm(args):
    s, o, layers = read_model(args.model)
    xte, yte = load_fashion("test")
    x0 = xte * s + o
    times = [float(t) for t in args.times.split(",")]
    result = {"model": args.model, "times_s": times, "repeats": args.repeats,
              "compensation": args.compensation, "accuracy": []}
    rng = np.random.default_rng(args.seed)
    acc = np.zeros((len(times), args.repeats))
    for r in range(args.repeats):
        # programming: one draw per device of every tile (tiles of tile_rows x tile_cols)
        prog = []
        for w, b, relu in layers:
            scale = G_MAX / max(np.abs(w).max(), 1e-7)
            gp_t = np.clip(w * scale, 0, G_MAX)
            gm_t = np.clip(-w * scale, 0, G_MAX)
            gpp, nup = program(gp_t, rng)
            gmp, num = program(gm_t, rng)
            prog.append((scale, gpp, nup, gmp, num))
        for ti, t in enumerate(times):
            x = x0
            for (w, b, relu), (scale, gpp, nup, gmp, num) in zip(layers, prog):
                w_prog = (gpp - gmp) / scale
                w_t = (age(gpp, nup, t, rng) - age(gmp, num, t, rng)) / scale
                y = np.zeros((x.shape[0], w.shape[0]))
                for r0 in range(0, w.shape[1], args.tile_rows):
                    for c0 in range(0, w.shape[0], args.tile_cols):
                        sl = (slice(c0, c0 + args.tile_cols), slice(r0, r0 + args.tile_rows))
                        alpha = 1.0
                        if args.compensation == "gdc":
                            # one-hot reads: y = eye @ W^T, mean |y| over all outputs
                            ref = max(np.mean(np.abs(w_prog[sl])), 1e-4 / scale)
                            now = max(np.mean(np.abs(w_t[sl])), 1e-4 / scale)
                            alpha = ref / now
                        y[:, sl[0]] += alpha * (x[:, sl[1]] @ w_t[sl].T)
                x = y + b
                if relu:
                    x = np.maximum(x, 0.0)
            acc[ti, r] = accuracy(x, yte)
        print(f"repeat {r + 1}/{args.repeats}: " +
              ", ".join(f"t={t:g}s {a:.4f}" for t, a in zip(times, acc[:, r])), file=sys.stderr)
    result["accuracy"] = acc.tolist()
    result["mean"] = acc.mean(axis=1).tolist()
    result["std"] = acc.std(axis=1, ddof=1).tolist() if args.repeats > 1 else [0.0] * len(times)
    print(json.dumps(result))
    if args.store:
        with h5py.File(args.model, "a") as f:
            for t, m in zip(times, result["mean"]):
                f.attrs[f"numpy_pcm_{args.compensation}_accuracy_t{int(t)}s"] = m


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--out", required=True)
    t.add_argument("--hidden", default="256,128")
    t.add_argument("--epochs", type=int, default=8)
    t.add_argument("--batch", type=int, default=128)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--dtype", choices=["float32", "float16"], default="float32",
                   help="storage type of weights and biases in the model file")
    g = sub.add_parser("sgd")
    g.add_argument("--init", required=True, help="model file with the initial weights")
    g.add_argument("--epochs", type=int, default=2)
    g.add_argument("--batch", type=int, default=128)
    g.add_argument("--lr", type=float, default=0.05)
    g.add_argument("--momentum", type=float, default=0.0)
    g.add_argument("--train-samples", type=int, default=0)
    g.add_argument("--test-samples", type=int, default=0)
    e = sub.add_parser("evaluate")
    e.add_argument("--model", required=True)
    c = sub.add_parser("pcm")
    c.add_argument("--model", required=True)
    c.add_argument("--times", default="86400")
    c.add_argument("--repeats", type=int, default=5)
    c.add_argument("--tile-rows", type=int, default=256)
    c.add_argument("--tile-cols", type=int, default=256)
    c.add_argument("--compensation", choices=["gdc", "none"], default="gdc")
    c.add_argument("--seed", type=int, default=12345)
    c.add_argument("--store", action="store_true", help="store the mean accuracies as attributes")
    args = p.parse_args()
    {"train": train, "sgd": sgd, "evaluate": evaluate, "pcm": pcm}[args.cmd](args)


if __name__ == "__main__":
    main()
