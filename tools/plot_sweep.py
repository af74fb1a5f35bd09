#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Plots of an xbarsim sweep result file (PNG), with Debian's python3-h5py and python3-matplotlib.

    tools/plot_sweep.py sweep.h5 [--out DIR] [--point K ...] [--print-titles]

Example (the README's wire sweep):

    xbarsim sweep --config wire.toml --out wire.h5 -b native
    tools/plot_sweep.py wire.h5 --out plots/

A tied axis ("array.r_row_ohm|array.r_col_ohm" = [...] in [sweep]) is one axis of the plots,
labelled with its keys joined by "|".

Every figure's title names the configuration values that are the same at every point (the
fixed keys, e.g. "array.cols = 16, device.model = linear"); panels name their swept values.

extract sweeps:
  <metric>.png            each scalar metric against each sweep axis (one panel per axis, one
                          line per combination of the other axes): ir_drop_error (W_eff against
                          the same circuit with ideal wires: IR drop alone), target_error (W_eff
                          against G^T: IR drop, cell slope, sense together), mvm_relative_error,
                          sneak_read_error_mean, sneak_read_error_max (log scales)
  weff_error_heatmap.png  (W_eff - G^T) / G^T per cell at the worst, median and best point by
                          target_error (or the --point ones), one diverging colour scale centred
                          on 0 shared by the panels; needs store_weff = true (the default)
  column_error.png        per-column IR-drop error and error against G^T for the same points
  sneak_read_heatmap.png  |single-cell read error| with floating lines, worst / median / best
                          point by sneak_read_error_max, shared log colour scale (sneak_read)
evaluate sweeps:
  accuracy_vs_time.png    mean accuracy (error bar: std over repeats) vs time, one line per
                          point, the float accuracy dashed
  accuracy_vs_axes.png    mean accuracy against each sweep axis, one line per time

Only points with status done are plotted. Prints the files it wrote; with --print-titles, a
JSON object {file name: [figure title, panel titles...]} instead (for checks without OCR).
"""

import argparse
import os
import sys
import textwrap
import tomllib

import h5py
import matplotlib.colors as mcolors
import matplotlib.ticker
import numpy as np
from matplotlib.ticker import MaxNLocator

from plot_common import plt, report, save, text

# Configuration keys worth naming in a title when they are not swept (the rest are either
# irrelevant to the job or rarely changed; `xbarsim inspect` lists every non-default one).
TITLE_KEYS = {
    "extract": ("array.rows", "array.cols", "array.r_row_ohm", "array.r_col_ohm",
                "array.r_driver_ohm", "array.cell", "device.model", "device.card",
                "device.conductances", "device.v0_v", "device.g_min_s", "device.g_max_s",
                "sense.kind", "read.v_read_v", "read.t_s", "dac.bits", "adc.bits", "netlist.file",
                "run.seed"),
    "evaluate": ("dnn.dataset", "dnn.device_card", "dnn.compensation", "dnn.mapping",
                 "dnn.tile_rows", "dnn.tile_cols", "dnn.repeats", "dnn.test_samples",
                 "dnn.g_max_s", "dnn.pcm_drift_scale", "dnn.pcm_prog_noise_scale",
                 "dnn.pcm_read_noise_scale", "array.r_row_ohm", "array.r_col_ohm", "array.cell",
                 "sense.kind", "dac.bits", "adc.bits", "run.seed"),
}
# Shown only when they differ from these values (a zero driver or ADC is the usual case).
QUIET_VALUES = {"array.r_driver_ohm": 0.0, "read.t_s": 0.0, "dac.bits": 0, "adc.bits": 0}
# Shown only for this device model.
MODEL_KEYS = {"device.v0_v": "sinh"}

METRICS = {  # scalar metric -> axis label
    "ir_drop_error": "IR-drop error |W_eff - W_ideal| / |W_ideal|",
    "target_error": "error vs G^T: |W_eff - G^T| / |G^T|",
    "mvm_relative_error": "MVM error |I(x) - G^T x| / |G^T x|",
    "sneak_read_error_mean": "mean |sneak-read error|",
    "sneak_read_error_max": "max |sneak-read error|",
}
MAX_LINES = 8  # more lines than this in a panel: grey lines and their median
MIN_WIDTH = 7.5  # inches: room for a title line of 110 characters at 8 points


def load(path):
    """(file, plot axes, {axis: values}, {axis: units}, done, swept keys). A tied group
    (root attribute sweep_tied_axes, "a|b" each) is one plot axis named "a|b": its keys take
    the same value at every point."""
    f = h5py.File(path, "r")
    if text(f.attrs.get("command", "")) != "sweep":
        sys.exit(f"plot_sweep: {path} is not an xbarsim sweep file (command = {text(f.attrs.get('command', '?'))})")
    keys = text(f.attrs["sweep_axes"]).split()
    group_of = {}
    for group in text(f.attrs.get("sweep_tied_axes", "")).split():
        for key in group.split("|"):
            group_of[key] = group
    axes, coords, units = [], {}, {}
    for key in keys:
        axis = group_of.get(key, key)
        if axis in coords:
            continue
        values = f[key][()]
        coords[axis] = np.array([text(v) for v in values]) if values.dtype.kind in "OS" else values
        members = axis.split("|") if axis != key else [key]
        unit = [text(f[k].attrs.get("units", "1")) for k in members if k in f]
        units[axis] = unit[0] if len(set(unit)) == 1 else "|".join(unit)
        axes.append(axis)
    done = f["status"][()] == 1
    return f, axes, coords, units, done, keys


def short(axis):
    """The key's last part, per key of a tied axis: "r_row_ohm|r_col_ohm"."""
    return "|".join(k.split(".")[-1] for k in axis.split("|"))


def fmt_value(v):
    if isinstance(v, (float, np.floating)):
        return f"{v:g}"
    return str(v)


def label(coords, keys, k, units):
    parts = []
    for a in keys:
        u = units.get(a, "1")
        parts.append(f"{short(a)} = {fmt_value(coords[a][k])}{'' if u in ('1', '') else ' ' + u}")
    return ", ".join(parts)


def flatten(table, prefix=""):
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def fixed_values(f, keys, done, job):
    """{key: value} of the title keys that are the same at every done point and not swept
    (`keys`: the swept keys, each key of a tied axis included)."""
    configs = [flatten(tomllib.loads(text(c))) for c, ok in zip(f["point_config"][()], done) if ok]
    if not configs:
        return {}
    first = configs[0]
    out = {}
    for key in TITLE_KEYS.get(job, TITLE_KEYS["extract"]):
        if key in keys or key not in first or any(c.get(key) != first[key] for c in configs):
            continue
        value = first[key]
        if key in QUIET_VALUES and value == QUIET_VALUES[key]:
            continue
        if key in MODEL_KEYS and first.get("device.model") != MODEL_KEYS[key]:
            continue
        out[key] = value
    return out


def fixed_text(fixed):
    """"fixed: key = value, ..." wrapped to lines of at most 110 characters."""
    if not fixed:
        return "fixed: (every key of the title list is swept)"
    lines = ["fixed:"]
    for item in (f"{k} = {fmt_value(v)}" for k, v in fixed.items()):  # never split an item
        if len(lines[-1]) + len(item) + 2 > 110:
            lines[-1] += ","
            lines.append(item)
        else:
            lines[-1] += ("" if lines[-1] == "fixed:" else ",") + " " + item
    return "\n".join(lines)


def groups(coords, keys, points):
    """Points grouped by their values of `keys` (in first-appearance order)."""
    out = {}
    for k in points:
        out.setdefault(tuple(coords[a][k] for a in keys), []).append(k)
    return out


def axis_positions(values):
    """x positions of axis values: the numbers, or indices of the distinct strings."""
    if values.dtype.kind in "US":
        names = list(dict.fromkeys(values.tolist()))
        return np.array([names.index(v) for v in values], dtype=float), names
    return values.astype(float), None


def set_log_y(ax, values):
    """Log y; symmetric-log (linear around 0) when some value is 0, e.g. ideal wires."""
    positive = values[values > 0]
    if positive.size and np.all(values > 0):
        ax.set_yscale("log")
    elif positive.size:
        ax.set_yscale("symlog", linthresh=float(positive.min()))


def plot_metric(f, name, axes, coords, done, units, fixed, out, written):
    values = f[name][()]
    points = [k for k in range(len(values)) if done[k] and np.isfinite(values[k])]
    if not points:
        return
    n = len(axes)
    ncols = min(n, 3)
    nrows = (n + ncols - 1) // ncols
    fig, panels = plt.subplots(nrows, ncols, figsize=(max(MIN_WIDTH, 5.2 * ncols), 4.0 * nrows + 0.6), squeeze=False,
                               constrained_layout=True)
    for ax in panels.ravel()[n:]:
        ax.set_visible(False)
    for ax, x_key in zip(panels.ravel(), axes):
        x, names = axis_positions(coords[x_key])
        others = [a for a in axes if a != x_key]
        lines = groups(coords, others, points)
        many = len(lines) > MAX_LINES
        for key, members in lines.items():
            members = sorted(members, key=lambda k: x[k])
            if many:
                ax.plot(x[members], values[members], "-", color="0.75", lw=0.8)
            else:
                ax.plot(x[members], values[members], "o-", ms=4,
                        label=label(coords, others, members[0], units) or "all points")
        if many:
            xs = np.unique(x[points])
            med = [np.median([values[k] for k in points if x[k] == v]) for v in xs]
            ax.plot(xs, med, "o-", color="C0", label=f"median of {len(lines)} lines (grey)")
        if names is not None:
            ax.set_xticks(range(len(names)), names, rotation=20, fontsize=7)
        elif np.all(x[points] > 0) and x[points].max() > 8 * x[points].min():
            ax.set_xscale("log", base=2 if x_key in ("array.rows", "array.cols") else 10)
        elif coords[x_key].dtype.kind in "iu":
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if names is None and len(np.unique(x[points])) <= 10:  # ticks at the swept values
            ticks = np.unique(x[points])
            ax.set_xticks(ticks, [fmt_value(v) for v in ticks], fontsize=7)
            ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        set_log_y(ax, values[points])
        u = units.get(x_key, "1")
        ax.set_xlabel(x_key + ("" if u in ("1", "") else f" ({u})"))
        ax.set_ylabel(METRICS.get(name, name), fontsize=8)
        ax.set_title(f"{name} vs {x_key}", fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6)
    meaning = "\n".join(textwrap.wrap(f"{name}: {text(f[name].attrs.get('long_name', ''))}", 110))
    fig.suptitle(f"{meaning}\n{fixed_text(fixed)}", fontsize=8)
    save(fig, out, f"{name}.png", written)


def ranked(values, done, requested):
    """[(title, point)]: worst, median and best point by `values`, or the requested points."""
    if requested:
        return [("selected", k) for k in requested]
    points = [k for k in range(len(values)) if done[k] and np.isfinite(values[k])]
    if not points:
        return []
    order = sorted(points, key=lambda k: values[k])
    picks = {}
    for title, k in (("worst", order[-1]), ("median", order[len(order) // 2]), ("best", order[0])):
        picks.setdefault(k, title)
    return [(title, k) for k, title in picks.items()]


def ranking(picks, metric):
    """" (worst / median / best by metric)" for ranked picks, "" for --point ones."""
    return "" if picks[0][0] == "selected" else f" ({' / '.join(t for t, _ in picks)} by {metric})"


def heatmap_panels(n):
    fig, panels = plt.subplots(1, n, figsize=(max(MIN_WIDTH, 4.4 * n + 1.0), 4.4), squeeze=False, constrained_layout=True)
    for ax in panels[0]:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig, panels[0]


def plot_heatmaps(f, axes, coords, units, fixed, out, picks, written):
    if "weff" not in f or "g_target" not in f or not picks:
        return
    rows, cols = f["input_count"][()], f["output_count"][()]
    maps = []
    for _, k in picks:
        r, c = rows[k], cols[k]
        w = f["weff"][k, :c, :r]          # (output, input)
        g = f["g_target"][k, :r, :c].T    # G^T: (output, input)
        maps.append(np.where(g != 0, (w - g) / np.where(g != 0, g, 1), np.nan))
    finite = np.concatenate([m[np.isfinite(m)] for m in maps])
    limit = float(np.abs(finite).max()) if finite.size else 1.0
    limit = limit if limit > 0 else 1.0
    fig, panels = heatmap_panels(len(picks))
    for ax, (title, k), rel in zip(panels, picks, maps):
        im = ax.imshow(rel, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto", origin="upper")
        ax.set_xlabel("input (row i)")
        ax.set_ylabel("output (column j)")
        ax.set_title(f"{title}: point {k}\n{label(coords, axes, k, units)}", fontsize=8)
    fig.colorbar(im, ax=list(panels), label="(W_eff - G^T) / G^T  (shared scale)")
    fig.suptitle(f"per-cell error against G^T{ranking(picks, 'target_error')}\n" + fixed_text(fixed), fontsize=8)
    save(fig, out, "weff_error_heatmap.png", written)


def plot_columns(f, axes, coords, units, fixed, out, picks, written):
    present = [n for n in ("ir_drop_column_error", "target_column_error") if n in f]
    if not present or not picks:
        return
    cols = f["output_count"][()]
    fig, panels = plt.subplots(1, len(present), figsize=(max(MIN_WIDTH, 6 * len(present)), 4.4), squeeze=False,
                               constrained_layout=True)
    for ax, name in zip(panels[0], present):
        shown = []
        for title, k in picks:
            y = f[name][k, : cols[k]]
            shown.append(y[np.isfinite(y)])
            ax.plot(np.arange(cols[k]), y, "o-", ms=3, label=f"{title}: point {k}: {label(coords, axes, k, units)}")
        set_log_y(ax, np.concatenate(shown))
        ax.set_xlabel("column j (distance from the driver grows with j)")
        ax.set_ylabel("|W_eff[j,:] - W_ideal[j,:]| / |W_ideal[j,:]|" if name.startswith("ir_drop")
                      else "|W_eff[j,:] - G[:,j]| / |G[:,j]|", fontsize=8)
        ax.set_title(name, fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6)
    fig.suptitle(f"per-column error{ranking(picks, 'target_error')}\n" + fixed_text(fixed), fontsize=8)
    save(fig, out, "column_error.png", written)


def plot_sneak(f, axes, coords, done, units, fixed, out, requested, written):
    if "sneak_read_error" not in f:
        return
    picks = ranked(f["sneak_read_error_max"][()], done, requested) if "sneak_read_error_max" in f else []
    if not picks:
        return
    rows, cols = f["input_count"][()], f["output_count"][()]
    maps = [np.abs(f["sneak_read_error"][k, : rows[k], : cols[k]]) for _, k in picks]
    positive = np.concatenate([m[np.isfinite(m) & (m > 0)] for m in maps])
    if positive.size == 0:
        return
    norm = mcolors.LogNorm(vmin=float(positive.min()), vmax=float(positive.max()) * (1 + 1e-12))
    fig, panels = heatmap_panels(len(picks))
    for ax, (title, k), m in zip(panels, picks, maps):
        im = ax.imshow(np.where(m > 0, m, np.nan), cmap="magma", norm=norm, aspect="auto")
        ax.set_xlabel("column j")
        ax.set_ylabel("row i")
        ax.set_title(f"{title}: point {k}\n{label(coords, axes, k, units)}", fontsize=8)
    fig.colorbar(im, ax=list(panels), label="|G_read - G| / G  (log, shared scale)")
    fig.suptitle(f"single-cell read with floating lines{ranking(picks, 'sneak_read_error_max')}\n"
                 + fixed_text(fixed), fontsize=8)
    save(fig, out, "sneak_read_heatmap.png", written)


def plot_accuracy(f, axes, coords, done, units, fixed, out, written):
    times = f["time"][()]
    mean, std = f["accuracy_mean"][()], f["accuracy_std"][()]
    acc_float = f["accuracy_float"][()]
    fig, ax = plt.subplots(figsize=(MIN_WIDTH, 5), constrained_layout=True)
    points = [k for k in range(len(done)) if done[k]]
    for k in points:
        line = ax.errorbar(times, mean[k], yerr=std[k], marker="o", capsize=3, label=label(coords, axes, k, units))
        ax.axhline(acc_float[k], color=line[0].get_color(), ls="--", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("time after programming (s)")
    ax.set_ylabel("test accuracy")
    ax.set_title("accuracy vs time (dashed: float network)", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.suptitle(fixed_text(fixed), fontsize=8)
    save(fig, out, "accuracy_vs_time.png", written)


def plot_accuracy_axes(f, axes, coords, done, units, fixed, out, written):
    """Mean accuracy against each sweep axis, one colour per time after programming (median
    over the other axes' combinations when there are several)."""
    times = f["time"][()]
    mean = f["accuracy_mean"][()]
    points = [k for k in range(len(done)) if done[k]]
    fig, panels = plt.subplots(1, len(axes), figsize=(max(MIN_WIDTH, 5.2 * len(axes)), 4.6), squeeze=False,
                               constrained_layout=True)
    for ax, x_key in zip(panels[0], axes):
        x, names = axis_positions(coords[x_key])
        xs = np.unique(x[points])
        several = len(groups(coords, [a for a in axes if a != x_key], points)) > 1
        for t_index, t in enumerate(times):
            y = [np.median([mean[k, t_index] for k in points if x[k] == v]) for v in xs]
            ax.plot(xs, y, "o-", color=f"C{t_index % 10}", label=f"t = {t:g} s")
        if names is not None:
            ax.set_xticks(range(len(names)), names, rotation=20, fontsize=7)
        elif np.all(xs > 0) and xs.max() > 8 * xs.min():
            ax.set_xscale("log")
        u = units.get(x_key, "1")
        ax.set_xlabel(x_key + ("" if u in ("1", "") else f" ({u})"))
        ax.set_ylabel("mean test accuracy" + (" (median over the other axes)" if several else ""))
        ax.set_title(f"accuracy vs {x_key}", fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(fixed_text(fixed), fontsize=8)
    save(fig, out, "accuracy_vs_axes.png", written)


def plot_file(path, out, requested=()):
    """Writes the plots of one sweep file into `out`; returns [(png path, [titles])]."""
    os.makedirs(out, exist_ok=True)
    f, axes, coords, units, done, keys = load(path)
    if not done.any():
        sys.exit(f"plot_sweep: {path}: no point is done yet")
    job = text(f.attrs.get("sweep_job", "extract"))
    fixed = fixed_values(f, keys, done, job)
    written = []
    if job == "evaluate":
        plot_accuracy(f, axes, coords, done, units, fixed, out, written)
        plot_accuracy_axes(f, axes, coords, done, units, fixed, out, written)
        return written
    for k in requested:
        if not 0 <= k < len(done) or not done[k]:
            sys.exit(f"plot_sweep: point {k} does not exist or is not done")
    for name in METRICS:
        if name in f:
            plot_metric(f, name, axes, coords, done, units, fixed, out, written)
    picks = ranked(f["target_error"][()], done, requested) if "target_error" in f else []
    plot_heatmaps(f, axes, coords, units, fixed, out, picks, written)
    plot_columns(f, axes, coords, units, fixed, out, picks, written)
    plot_sneak(f, axes, coords, done, units, fixed, out, requested, written)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="sweep result (HDF5)")
    parser.add_argument("--out", default=".", help="directory for the PNG files (default: .)")
    parser.add_argument("--point", type=int, action="append", default=[],
                        help="point for the per-point plots instead of worst/median/best (repeatable)")
    parser.add_argument("--print-titles", action="store_true",
                        help="print {file name: [titles]} as JSON instead of the file list")
    args = parser.parse_args()
    report(plot_file(args.file, args.out, args.point), args.print_titles)


if __name__ == "__main__":
    main()
