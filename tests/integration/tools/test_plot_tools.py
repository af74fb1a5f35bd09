#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tools/plot_sweep.py and tools/plot_device.py on small files made here by the xbarsim program
(XBARSIM_BINARY): each PNG exists, is not blank, and its titles (--print-titles) name the fixed
configuration keys, the worst / median / best points and the device. Exit 77 (ctest: skipped)
when matplotlib or h5py is missing."""

import json
import os
import subprocess
import sys
import tempfile

try:
    import h5py
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.image
    import numpy as np
except ImportError as e:
    print(f"SKIPPED: {e}; tools/setup.sh installs python3-matplotlib and python3-h5py")
    sys.exit(77)

SOURCE = os.environ["XBARSIM_SOURCE_DIR"]
BINARY = os.environ["XBARSIM_BINARY"]
TOOLS = os.path.join(SOURCE, "tools")
sys.path.insert(0, TOOLS)
import plot_device  # noqa: E402

failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        failures.append(what)


def run(args, cwd):
    r = subprocess.run(args, cwd=cwd, capture_output=True, text=True,
                       env=dict(os.environ, XBARSIM_NO_MPI="1"))
    if r.returncode != 0:
        sys.exit(f"FAIL  {' '.join(args)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
    return r.stdout


def check_png(path, min_bytes=10000):
    name = os.path.basename(path)
    check(os.path.exists(path), f"{name} written")
    if not os.path.exists(path):
        return
    check(os.path.getsize(path) > min_bytes, f"{name}: {os.path.getsize(path)} bytes > {min_bytes}")
    pixels = matplotlib.image.imread(path)[..., :3].reshape(-1, 3)
    colours = len(np.unique(np.round(pixels * 255).astype(int), axis=0))
    ink = float(np.mean(np.any(pixels < 0.9, axis=1)))
    check(colours > 50 and ink > 0.02, f"{name}: not blank ({colours} colours, {100 * ink:.1f} % ink)")


def tool_help(tool):
    out = run(["/usr/bin/python3", os.path.join(TOOLS, tool), "--help"], TOOLS)
    check("Example" in out and "--out" in out, f"{tool} --help has an example and --out")


def sweep_plots(work):
    with open(os.path.join(work, "s.toml"), "w") as f:
        f.write('[array]\nrows = 6\ncols = 5\n[device]\nmodel = "sinh"\nv0_v = 0.25\n[read]\n'
                'v_read_v = 0.2\n[run]\nseed = 3\n[sweep]\nmvm_inputs = 1\n'
                '"array.r_row_ohm" = [0.0, 5.0, 20.0]\n"array.r_col_ohm" = [1.0, 10.0]\n')
    run([BINARY, "sweep", "-c", "s.toml", "-o", "s.h5", "-b", "native"], work)
    out = os.path.join(work, "sweep_png")
    titles = json.loads(run(["/usr/bin/python3", os.path.join(TOOLS, "plot_sweep.py"), "s.h5", "--out", out,
                             "--print-titles"], work))
    expected = ["ir_drop_error.png", "target_error.png", "mvm_relative_error.png", "sneak_read_error_mean.png",
                "sneak_read_error_max.png", "weff_error_heatmap.png", "column_error.png", "sneak_read_heatmap.png"]
    check(sorted(titles) == sorted(expected), f"plot_sweep wrote {sorted(titles)}")
    for name in expected:
        check_png(os.path.join(out, name))
        figure_title = titles.get(name, [""])[0]
        fixed = figure_title[figure_title.find("fixed:"):]
        for key in ("array.rows = 6", "array.cols = 5", "device.model = sinh", "read.v_read_v = 0.2", "run.seed = 3"):
            check(key in fixed, f"{name}: title names the fixed {key}")
        check("array.r_row_ohm =" not in fixed and "array.r_col_ohm =" not in fixed,
              f"{name}: the swept keys are not among the fixed ones")
    for metric in ("ir_drop_error", "target_error"):
        panels = titles.get(metric + ".png", [])[1:]
        check(panels == [f"{metric} vs array.r_row_ohm", f"{metric} vs array.r_col_ohm"],
              f"{metric}.png: one panel per sweep axis {panels}")
    with h5py.File(os.path.join(work, "s.h5"), "r") as f:
        target = f["target_error"][()]
        sneak = f["sneak_read_error_max"][()]
    order = np.argsort(target, kind="stable")
    heat = titles.get("weff_error_heatmap.png", ["", "", "", ""])[1:]
    check([t.split("\n")[0] for t in heat] == [f"worst: point {order[-1]}", f"median: point {order[len(order) // 2]}",
                                               f"best: point {order[0]}"], f"heat map panels {heat}")
    sneak_order = np.argsort(sneak, kind="stable")
    panels = titles.get("sneak_read_heatmap.png", ["", ""])[1:]
    check(panels[0].startswith(f"worst: point {sneak_order[-1]}"), f"sneak heat map ranked by its maximum: {panels[0]!r}")


def tied_sweep_plots(work):
    """A tied axis ("a|b" in [sweep]) is one axis of the plots, labelled a|b, not two axes."""
    with open(os.path.join(work, "t.toml"), "w") as f:
        f.write('[array]\ncols = 4\n[device]\nmodel = "linear"\n[run]\nseed = 5\n[sweep]\n'
                'sneak_read = false\n"array.r_row_ohm|array.r_col_ohm" = [1.0, 4.0, 10.0]\n"array.rows" = [3, 5]\n')
    run([BINARY, "sweep", "-c", "t.toml", "-o", "t.h5", "-b", "native"], work)
    out = os.path.join(work, "tied_png")
    titles = json.loads(run(["/usr/bin/python3", os.path.join(TOOLS, "plot_sweep.py"), "t.h5", "--out", out,
                             "--print-titles"], work))
    tied = "array.r_row_ohm|array.r_col_ohm"
    for metric in ("ir_drop_error", "target_error"):
        check_png(os.path.join(out, metric + ".png"))
        panels = titles.get(metric + ".png", [])[1:]
        check(panels == [f"{metric} vs {tied}", f"{metric} vs array.rows"],
              f"{metric}.png: the tied axis is one panel {panels}")
        fixed = titles.get(metric + ".png", [""])[0]
        check("array.cols = 4" in fixed and "array.r_row_ohm =" not in fixed and "array.r_col_ohm =" not in fixed,
              f"{metric}.png: the tied keys are swept, not fixed")
    heat = titles.get("weff_error_heatmap.png", ["", ""])[1:]
    check(all("r_row_ohm|r_col_ohm = " in t and " ohm, rows = " in t for t in heat),
          f"heat map panels name the tied axis once: {heat}")
    # The lines of target_error vs the tied axis: one per row count, three points each, with the
    # file's values (the tool's own grouping, checked against the file).
    sys.path.insert(0, TOOLS)
    import plot_sweep  # noqa: E402
    f, axes, coords, units, done, keys = plot_sweep.load(os.path.join(work, "t.h5"))
    check(axes == [tied, "array.rows"] and units[tied] == "ohm", f"plot axes {axes}, units {units}")
    check(keys == ["array.r_row_ohm", "array.r_col_ohm", "array.rows"], f"swept keys {keys}")
    lines = plot_sweep.groups(coords, ["array.rows"], range(len(done)))
    check(sorted(len(m) for m in lines.values()) == [3, 3], f"two lines of three points: {lines}")
    check(bool(np.all(coords[tied] == f["array.r_col_ohm"][()])), "the tied axis holds the keys' common value")
    f.close()


def device_plots(work):
    run([BINARY, "device", "--card", "rram_stanford", "--mode", "ramp", "--v", "-1.3", "--state", "2e-10",
         "--t-stop", "1.3e-5", "--points", "131", "--out", "reset.h5"], work)
    run([BINARY, "device", "--card", "rram_stanford", "--mode", "iv", "--state", "1.7e-9", "--v", "1",
         "--points", "41", "--out", "iv.h5"], work)
    run([BINARY, "device", "--card", "pcm_pulse_gst", "--mode", "pulses", "--v", "1", "--width", "6e-6",
         "--edge", "1e-7", "--count", "6", "--points", "301", "--out", "pulses.h5"], work)
    out = os.path.join(work, "device_png")
    titles = json.loads(run(["/usr/bin/python3", os.path.join(TOOLS, "plot_device.py"), "reset.h5", "iv.h5",
                             "pulses.h5", "--out", out, "--print-titles"], work))
    check(sorted(titles) == ["iv.png", "pulses.png", "ramp.png"], f"plot_device wrote {sorted(titles)}")
    for name in ("iv.png", "ramp.png", "pulses.png"):
        check_png(os.path.join(out, name))
    check("rram_stanford ramp" in titles["iv.png"][0] and "rram_stanford iv" in titles["iv.png"][0],
          "iv.png title names both I-V files")
    check("pcm_pulse pulses" in titles["pulses.png"][0], "pulses.png title names the model")
    check("G vs pulse number" in titles["pulses.png"], "pulses.png has the G vs pulse number panel")
    # G vs pulse number from the file: the initial state, then the state at the end of each
    # period (the state is flat between pulses); a set train raises it pulse by pulse.
    r = plot_device.Result(os.path.join(work, "pulses.h5"), "pulses")
    after, chord = plot_device.pulse_table(r)
    check(len(after) == 7 and len(chord) == 6, f"6 pulses found ({len(chord)})")
    check(after[0] == r.attrs["initial_state"] and abs(after[-1] / r.data["state"][-1] - 1) < 1e-12,
          "first and last G are the initial and final states")
    check(bool(np.all(np.diff(after) > 0)), "G rises with every set pulse")
    # the monotonic runs of a triangle are its branches
    tri = np.array([0.0, 0.5, 1.0, 0.5, 0.0, -0.5, -0.5, -1.0, 0.0])
    check(plot_device.branches(tri) == [(0, 2), (2, 7), (7, 8)], f"branches {plot_device.branches(tri)}")


def main():
    with tempfile.TemporaryDirectory(prefix="xbarsim-plots-") as work:
        tool_help("plot_sweep.py")
        tool_help("plot_device.py")
        sweep_plots(work)
        tied_sweep_plots(work)
        device_plots(work)
    if failures:
        sys.exit(f"{len(failures)} checks failed")
    print("all checks passed")


if __name__ == "__main__":
    main()
