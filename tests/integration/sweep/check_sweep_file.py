#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reads a sweep file whole with h5py: every dataset and attribute, status consistent with the
counts and the data. Exit 0 and "ok", 1 and the first problem, 77 if h5py is not installed."""
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:
    print(f"h5py unavailable: {e}")
    sys.exit(77)


def main(path):
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            for key in obj.attrs:
                obj.attrs[key]  # noqa: B018 (reading is the check)
            if isinstance(obj, h5py.Dataset):
                obj[()]
        for key in f.attrs:
            f.attrs[key]
        f.visititems(visit)
        status = f["status"][()]
        counts = {1: "points_done", 2: "points_failed", 0: "points_pending"}
        for value, attr in counts.items():
            if int(f.attrs[attr]) != int(np.count_nonzero(status == value)):
                return f"{attr} = {int(f.attrs[attr])} but status has {np.count_nonzero(status == value)}"
        err = f["ir_drop_error"][()]
        for k, s in enumerate(status):
            if (s == 1) != bool(np.isfinite(err[k])):
                return f"point {k}: status {s} but ir_drop_error {err[k]}"
    return None


if __name__ == "__main__":
    try:
        problem = main(sys.argv[1])
    except Exception as e:  # any read failure is the finding
        problem = f"{type(e).__name__}: {e}"
    print(problem or "ok")
    sys.exit(1 if problem else 0)
