#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Plots of an xbarsim sweep result file (PNG), with Debian's python3-h5py and python3-matplotlib.

    tools/plot_sweep.py sweep.h5 [--out DIR] [--point K ...]

extract sweeps:
  ir_drop_error.png       IR-drop error |W_eff - G^T| / |G^T| vs array size (one line per wire
                          resistance) and vs wire resistance (one line per array size)
  weff_error_heatmap.png  (W_eff - G^T) / G^T per cell for the worst, median and best point
                          (or the --point ones); needs store_weff = true (the default)
  column_error.png        per-column error vs column index for the same points
  sneak_read_error.png    single-cell read error with floating lines (if computed)
evaluate sweeps:
  accuracy_vs_time.png    mean accuracy (error bar: std over repeats) vs time, one line per
                          sweep value, the float accuracy dashed

Only points with status done are plotted. Prints the files it wrote.
"""

import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

SIZE_KEYS = ("array.rows", "array.cols")
WIRE_KEYS = ("array.r_row_ohm", "array.r_col_ohm", "array.r_driver_ohm")


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def load(path):
    f = h5py.File(path, "r")
    if text(f.attrs.get("command", "")) != "sweep":
        sys.exit(f"plot_sweep: {path} is not an xbarsim sweep file (command = {text(f.attrs.get('command', '?'))})")
    axes = text(f.attrs["sweep_axes"]).split()
    coords = {}
    for a in axes:
        values = f[a][()]
        coords[a] = np.array([text(v) for v in values]) if values.dtype.kind in "OS" else values
    done = f["status"][()] == 1
    return f, axes, coords, done


def fmt_value(v):
    if isinstance(v, (float, np.floating)):
        return f"{v:g}"
    return str(v)


def label(coords, keys, k, units):
    parts = []
    for a in keys:
        u = units.get(a, "1")
        parts.append(f"{a.split('.')[-1]} = {fmt_value(coords[a][k])}{'' if u == '1' else ' ' + u}")
    return ", ".join(parts)


def groups(coords, keys, points):
    """Points grouped by their values of `keys` (in first-appearance order)."""
    out = {}
    for k in points:
        out.setdefault(tuple(coords[a][k] for a in keys), []).append(k)
    return out


def plot_ir_drop(f, axes, coords, done, units, out):
    err = f["weff_relative_error"][()]
    points = [k for k in range(len(err)) if done[k] and np.isfinite(err[k])]
    if not points:
        return None
    size_keys = [a for a in SIZE_KEYS if a in axes]
    wire_keys = [a for a in WIRE_KEYS if a in axes]
    rows, cols = f["input_count"][()], f["output_count"][()]
    cells = rows * cols
    other = [a for a in axes if a not in size_keys and a not in wire_keys]
    fig, panels = plt.subplots(1, 2, figsize=(11, 4.2))
    # left: vs array size (the first size axis; cells if none), one line per wire resistance and
    # value of the other axes
    ax = panels[0]
    x_key = size_keys[0] if size_keys else None
    x = coords[x_key] if x_key else cells
    line_keys = wire_keys + size_keys[1:] + other
    for key, members in groups(coords, line_keys, points).items():
        members = sorted(members, key=lambda k: x[k])
        ax.plot(x[members], err[members], "o-", label=label(coords, line_keys, members[0], units) or "all")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(f"array size: {x_key}" if x_key else "array size (cells = rows x cols)")
    ax.set_ylabel("IR-drop error |W_eff - G^T| / |G^T|")
    ax.set_title("vs array size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    # right: vs wire resistance, one line per size
    ax = panels[1]
    wire = coords[wire_keys[0]] if wire_keys else None
    if wire is not None:
        for key, members in groups(coords, size_keys + other, points).items():
            members = sorted(members, key=lambda k: wire[k])
            name = label(coords, size_keys + other, members[0], units) or f"{rows[members[0]]}x{cols[members[0]]}"
            ax.plot(wire[members], err[members], "o-", label=name)
        ax.set_xscale("log")
        ax.set_xlabel(f"{wire_keys[0]} ({units.get(wire_keys[0], 'ohm')})")
        ax.legend(fontsize=7)
    else:
        ax.text(0.5, 0.5, "no wire-resistance axis", ha="center", transform=ax.transAxes)
    ax.set_yscale("log")
    ax.set_ylabel("IR-drop error")
    ax.set_title("vs wire resistance")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    path = os.path.join(out, "ir_drop_error.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def chosen_points(f, done, requested):
    if requested:
        return requested
    err = f["weff_relative_error"][()]
    points = [k for k in range(len(err)) if done[k] and np.isfinite(err[k])]
    if not points:
        return []
    order = sorted(points, key=lambda k: err[k])
    picks = [order[-1], order[len(order) // 2], order[0]]
    return list(dict.fromkeys(picks))


def plot_heatmaps(f, axes, coords, done, units, out, points):
    if "weff" not in f or "g_target" not in f or not points:
        return None
    rows, cols = f["input_count"][()], f["output_count"][()]
    fig, panels = plt.subplots(1, len(points), figsize=(4.4 * len(points), 4), squeeze=False)
    for ax, k in zip(panels[0], points):
        r, c = rows[k], cols[k]
        w = f["weff"][k, :c, :r]          # (output, input)
        g = f["g_target"][k, :r, :c].T    # G^T: (output, input)
        rel = np.where(g != 0, (w - g) / np.where(g != 0, g, 1), np.nan)
        im = ax.imshow(rel, cmap="viridis", aspect="auto", origin="upper")
        ax.set_xlabel("input (row i)")
        ax.set_ylabel("output (column j)")
        ax.set_title(f"point {k}: {label(coords, axes, k, units)}", fontsize=8)
        fig.colorbar(im, ax=ax, label="(W_eff - G^T) / G^T")
    fig.tight_layout()
    path = os.path.join(out, "weff_error_heatmap.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_columns(f, axes, coords, done, units, out, points):
    if "column_relative_error" not in f or not points:
        return None
    cols = f["output_count"][()]
    fig, ax = plt.subplots(figsize=(6, 4))
    for k in points:
        ax.plot(np.arange(cols[k]), f["column_relative_error"][k, : cols[k]], "o-", ms=3,
                label=f"point {k}: {label(coords, axes, k, units)}")
    ax.set_xlabel("column j (distance from the driver grows with j)")
    ax.set_ylabel("|W_eff[j,:] - G[:,j]| / |G[:,j]|")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = os.path.join(out, "column_error.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_sneak(f, axes, coords, done, units, out, points):
    if "sneak_read_error" not in f or not points:
        return None
    rows, cols = f["input_count"][()], f["output_count"][()]
    k = points[0]
    fig, ax = plt.subplots(figsize=(5, 4))
    im = ax.imshow(f["sneak_read_error"][k, : rows[k], : cols[k]], cmap="magma", aspect="auto")
    ax.set_xlabel("column j")
    ax.set_ylabel("row i")
    ax.set_title(f"single-cell read, floating lines\npoint {k}: {label(coords, axes, k, units)}", fontsize=8)
    fig.colorbar(im, ax=ax, label="(G_read - G) / G")
    fig.tight_layout()
    path = os.path.join(out, "sneak_read_error.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_accuracy(f, axes, coords, done, units, out):
    times = f["time"][()]
    mean, std = f["accuracy_mean"][()], f["accuracy_std"][()]
    acc_float = f["accuracy_float"][()]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    points = [k for k in range(len(done)) if done[k]]
    for k in points:
        line = ax.errorbar(times, mean[k], yerr=std[k], marker="o", capsize=3, label=label(coords, axes, k, units))
        ax.axhline(acc_float[k], color=line[0].get_color(), ls="--", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("time after programming (s)")
    ax.set_ylabel("test accuracy")
    ax.set_title("accuracy vs time (dashed: float network)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = os.path.join(out, "accuracy_vs_time.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="sweep result (HDF5)")
    parser.add_argument("--out", default=".", help="directory for the PNG files (default: .)")
    parser.add_argument("--point", type=int, action="append", default=[], help="points for the per-point plots")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    f, axes, coords, done = load(args.file)
    units = {a: text(f[a].attrs.get("units", "1")) for a in axes}
    if not done.any():
        sys.exit(f"plot_sweep: {args.file}: no point is done yet")
    written = []
    job = text(f.attrs.get("sweep_job", "extract"))
    if job == "evaluate":
        written.append(plot_accuracy(f, axes, coords, done, units, args.out))
    else:
        for k in args.point:
            if not 0 <= k < len(done) or not done[k]:
                sys.exit(f"plot_sweep: point {k} does not exist or is not done")
        points = [k for k in chosen_points(f, done, args.point)] if "weff_relative_error" in f else []
        if "weff_relative_error" in f:
            written.append(plot_ir_drop(f, axes, coords, done, units, args.out))
        written.append(plot_heatmaps(f, axes, coords, done, units, args.out, points))
        written.append(plot_columns(f, axes, coords, done, units, args.out, points))
        written.append(plot_sneak(f, axes, coords, done, units, args.out, points))
    for path in written:
        if path:
            print(path)


if __name__ == "__main__":
    main()
