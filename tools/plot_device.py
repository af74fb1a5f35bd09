#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Plots of `xbarsim device` result files (PNG), with Debian's python3-h5py and python3-matplotlib.

    tools/plot_device.py FILE.h5 [FILE.h5 ...] [--out DIR] [--label NAME ...] [--print-titles]

Example: a set ramp and a reset ramp of the Stanford RRAM model, overlaid as a hysteresis loop,
and a pulse train of the PCM pulse model:

    xbarsim device --card rram_stanford --mode ramp --v 2 --state 1.7e-9 --r-series 1e3 --out set.h5
    xbarsim device --card rram_stanford --mode ramp --v -1.3 --state 2e-10 --t-stop 1.3e-5 --out reset.h5
    xbarsim device --card pcm_pulse_gst --mode pulses --v 1 --width 6e-6 --edge 1e-7 --count 10 \\
        --points 501 --out pulses.h5
    tools/plot_device.py set.h5 reset.h5 pulses.h5 --out plots/

Files written (each from the files of that kind; files of several kinds may be given at once):
  iv.png        I-V of the iv and ramp files, linear and log |I|. Every monotonic run of the
                voltage is a branch with its own colour, arrows along it in the direction of
                travel, so that set and reset branches of a loop are told apart. Ramps are drawn
                against the device voltage V - I*r_series (the file's /v is the source).
  ramp.png      state vs device voltage (the same branches) and state vs time of the ramp files
  pulses.png    conductance vs pulse number of the pulse files: the state after each pulse
                (when the state is a conductance, unit S) and I/V at the end of each pulse's
                plateau; and the waveform V(t), I(t)

Titles name the model, mode, backend and initial state; --print-titles prints a JSON object
{file name: [figure title, panel titles...]} instead of the list of files.

Layout of a device file (HDF5): root attributes command = "device", mode (iv, ramp, pulses),
model, backend, state_name, state_unit, initial_state; ramps and pulses r_series_ohm; pulses
pulse_count, pulse_period_s, pulse_width_s, pulse_edge_s, pulse_v (pulse p lies in
[p, p + 1) x pulse_period_s); group /params with the card's parameters as attributes.
Datasets: iv: /v (V), /i (A), /di_dv (S); ramp and pulses: /t (s), /v (V, source), /i (A),
/state (state_unit).
"""

import argparse
import os
import sys
import textwrap

import h5py
import numpy as np

from plot_common import plt, report, save, text


class Result:
    """One device file, read whole."""

    def __init__(self, path, name):
        with h5py.File(path, "r") as f:
            if text(f.attrs.get("command", "")) != "device":
                sys.exit(f"plot_device: {path} is not an `xbarsim device` file "
                         f"(command = {text(f.attrs.get('command', '?'))})")
            self.attrs = {k: (text(v) if isinstance(v, (bytes, str)) else v) for k, v in f.attrs.items()}
            self.data = {k: f[k][()] for k in ("t", "v", "i", "state", "di_dv") if k in f}
        self.path = path
        self.name = name
        self.mode = self.attrs["mode"]

    def state_label(self):
        return f"{self.attrs.get('state_name', 'state')} ({self.attrs.get('state_unit', '')})"

    def device_voltage(self):
        """The voltage across the device: the source minus the drop on r_series."""
        r = float(self.attrs.get("r_series_ohm", 0.0))
        return self.data["v"] - self.data["i"] * r if r > 0 else self.data["v"]

    def summary(self):
        a = self.attrs
        return (f"{self.name}: {a.get('model', '?')} {self.mode} ({a.get('backend', '?')}), "
                f"{a.get('state_name', 'state')}0 = {float(a.get('initial_state', np.nan)):g} {a.get('state_unit', '')}"
                + (f", r_series = {float(a['r_series_ohm']):g} ohm" if float(a.get("r_series_ohm", 0)) > 0 else ""))


def title_of(results):
    return "\n".join(textwrap.fill(r.summary(), 110) for r in results)


def branches(v):
    """Index ranges [start, stop] (inclusive) of the monotonic runs of v (the source voltage:
    the device voltage behind a series resistance wanders where the device switches)."""
    d = np.sign(np.diff(v))
    # a flat step belongs to the run around it
    for k in range(1, len(d)):
        if d[k] == 0:
            d[k] = d[k - 1]
    out, start = [], 0
    for k in range(1, len(d)):
        if d[k] != 0 and d[k - 1] != 0 and d[k] != d[k - 1]:
            out.append((start, k))
            start = k
    out.append((start, len(v) - 1))
    return out


def arrows(ax, x, y, color, count=3):
    """Arrows along (x, y) in the direction of increasing index."""
    n = len(x)
    if n < 3:
        return
    for q in range(1, count + 1):
        k = min(n - 2, max(0, q * n // (count + 1)))
        if not (np.isfinite(y[k]) and np.isfinite(y[k + 1])) or (x[k] == x[k + 1] and y[k] == y[k + 1]):
            continue
        ax.annotate("", xy=(x[k + 1], y[k + 1]), xytext=(x[k], y[k]),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=1.2, mutation_scale=14))


def direction(v_start, v_end):
    return f"{v_start:+.3g} -> {v_end:+.3g} V"


def plot_iv(results, out, written):
    curves = [r for r in results if r.mode in ("iv", "ramp")]
    if not curves:
        return
    fig, (lin, log) = plt.subplots(1, 2, figsize=(12, 5), constrained_layout=True)
    colour = 0
    for r in curves:
        v = r.device_voltage() if r.mode == "ramp" else r.data["v"]
        i, source = r.data["i"], r.data["v"]
        for b, (s, e) in enumerate(branches(source)):
            c = f"C{colour % 10}"
            colour += 1
            name = f"{r.name} branch {b}: source {direction(source[s], source[e])}"
            lin.plot(v[s:e + 1], i[s:e + 1], "-", color=c, label=name)
            arrows(lin, v[s:e + 1], i[s:e + 1], c)
            a = np.abs(i[s:e + 1])
            log.plot(v[s:e + 1], np.where(a > 0, a, np.nan), "-", color=c, label=name)
            arrows(log, v[s:e + 1], np.where(a > 0, a, np.nan), c)
            lin.plot(v[s], i[s], "o", color=c, ms=4)  # start of the branch
    ramps = any(r.mode == "ramp" and float(r.attrs.get("r_series_ohm", 0)) > 0 for r in curves)
    for ax in (lin, log):
        ax.set_xlabel("device voltage V - I r_series (V)" if ramps else "voltage (V)")
        ax.grid(True, which="both", alpha=0.3)
    lin.set_ylabel("current I (A)")
    lin.set_title("I-V (dot: start of a branch, arrows: direction)", fontsize=9)
    lin.legend(fontsize=7)
    log.set_yscale("log")
    log.set_ylabel("|I| (A)")
    log.set_title("|I| on a log scale", fontsize=9)
    fig.suptitle(title_of(curves), fontsize=8)
    save(fig, out, "iv.png", written)


def plot_ramp(results, out, written):
    ramps = [r for r in results if r.mode == "ramp"]
    if not ramps:
        return
    fig, (sv, st) = plt.subplots(1, 2, figsize=(12, 5), constrained_layout=True)
    colour = 0
    for r in ramps:
        v, t, x, source = r.device_voltage(), r.data["t"], r.data["state"], r.data["v"]
        for b, (s, e) in enumerate(branches(source)):
            c = f"C{colour % 10}"
            colour += 1
            sv.plot(v[s:e + 1], x[s:e + 1], "-", color=c,
                    label=f"{r.name} branch {b}: source {direction(source[s], source[e])}")
            arrows(sv, v[s:e + 1], x[s:e + 1], c)
            st.plot(t[s:e + 1], x[s:e + 1], "-", color=c, label=f"{r.name} branch {b}")
    sv.set_xlabel("device voltage (V)")
    sv.set_ylabel(" / ".join(dict.fromkeys(r.state_label() for r in ramps)))
    sv.set_title("state vs voltage", fontsize=9)
    st.set_xlabel("time (s)")
    st.set_title("state vs time", fontsize=9)
    for ax in (sv, st):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title_of(ramps), fontsize=8)
    save(fig, out, "ramp.png", written)


def pulse_table(r):
    """(state after pulse p for p = 0..N, with the initial state first; I/V at the end of each
    pulse's plateau, N values; pulse start times)."""
    t, v, i, x = r.data["t"], r.data["v"], r.data["i"], r.data["state"]
    if "pulse_period_s" in r.attrs:
        n, period = int(r.attrs["pulse_count"]), float(r.attrs["pulse_period_s"])
        amplitude = float(r.attrs["pulse_v"])
        windows = [(p * period, (p + 1) * period) for p in range(n)]
    else:  # a file without the train's attributes: the runs of |v| above half its peak
        amplitude = v[np.argmax(np.abs(v))]
        high = np.abs(v) > 0.5 * abs(amplitude)
        starts = np.flatnonzero(high & ~np.r_[False, high[:-1]])
        ends = np.r_[starts[1:], len(t) - 1]
        windows = [(t[s], t[e]) for s, e in zip(starts, ends)]
    after = [float(r.attrs.get("initial_state", x[0]))]
    chord = []
    for lo, hi in windows:
        after.append(float(np.interp(hi, t, x)))
        plateau = np.flatnonzero((t >= lo) & (t < hi) & (np.abs(v) >= 0.999 * abs(amplitude)))
        chord.append(i[plateau[-1]] / v[plateau[-1]] if plateau.size else np.nan)
    if np.isnan(chord).any():
        print(f"plot_device: {r.path}: no sample on the plateau of some pulses; run the device with "
              "more --points", file=sys.stderr)
    return np.array(after), np.array(chord)


def plot_pulses(results, out, written):
    trains = [r for r in results if r.mode == "pulses"]
    if not trains:
        return
    fig, (g, w) = plt.subplots(1, 2, figsize=(12, 5), constrained_layout=True)
    wi = w.twinx()  # one current axis for every train
    for k, r in enumerate(trains):
        after, chord = pulse_table(r)
        c = f"C{k % 10}"
        if r.attrs.get("state_unit") == "S":
            g.plot(np.arange(len(after)), after, "o-", color=c, ms=4,
                   label=f"{r.name}: {r.attrs.get('state_name', 'state')} after pulse n (n = 0: initial)")
        g.plot(np.arange(1, len(chord) + 1), chord, "s--", color=c, ms=4, mfc="none",
               label=f"{r.name}: I/V at the end of pulse n")
        w.plot(r.data["t"], r.data["v"], "-", color=c, lw=0.8, label=f"{r.name}: V (source)")
        wi.plot(r.data["t"], r.data["i"], ":", color=c, lw=0.8, label=f"{r.name}: I")
    g.set_xlabel("pulse number n")
    g.set_ylabel("conductance (S)")
    g.xaxis.get_major_locator().set_params(integer=True)
    g.set_title("G vs pulse number", fontsize=9)
    g.grid(True, alpha=0.3)
    g.legend(fontsize=7)
    w.set_xlabel("time (s)")
    w.set_ylabel("source voltage (V)")
    wi.set_ylabel("current (A)")
    w.set_title("waveform (solid: V, dotted: I)", fontsize=9)
    w.grid(True, alpha=0.3)
    fig.suptitle(title_of(trains), fontsize=8)
    save(fig, out, "pulses.png", written)


def plot_files(paths, out, labels=()):
    """Writes the plots of the device files into `out`; returns [(png path, [titles])]."""
    os.makedirs(out, exist_ok=True)
    names = list(labels) + [os.path.splitext(os.path.basename(p))[0] for p in paths[len(labels):]]
    results = [Result(p, n) for p, n in zip(paths, names)]
    written = []
    plot_iv(results, out, written)
    plot_ramp(results, out, written)
    plot_pulses(results, out, written)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", help="`xbarsim device` results (HDF5)")
    parser.add_argument("--out", default=".", help="directory for the PNG files (default: .)")
    parser.add_argument("--label", action="append", default=[],
                        help="name of the k-th file in legends and titles (repeatable; default: file name)")
    parser.add_argument("--print-titles", action="store_true",
                        help="print {file name: [titles]} as JSON instead of the file list")
    args = parser.parse_args()
    if len(args.label) > len(args.files):
        parser.error("more --label than files")
    report(plot_files(args.files, args.out, args.label), args.print_titles)


if __name__ == "__main__":
    main()
