#!/usr/bin/env python3
"""Checks the output of examples/weff against an independent nodal analysis in numpy.

Usage: check_weff.py OUTPUT_FILE DEVICE_CARDS

The reference is written here from the canonical crossbar (docs/architecture.md): row i is
driven at its left end through one segment r to cell (i,0), then one segment r between
neighbouring cells; column j runs down from cell (0,j) with one segment r between cells and one
from cell (R-1,j) to the 0 V sense node. W_eff[j][i] = I_j for V_i = 1 V, all other rows 0 V.
With r = 0 the wires are ideal and W_eff = G^T exactly.
"""
import sys

import numpy as np


def parse(path):
    lines = open(path).read().split("\n")
    r_wire = float(lines[0].split()[1])
    at_g, at_w = lines.index("g_s"), lines.index("w_eff")
    g = np.array([[float(x) for x in line.split()] for line in lines[at_g + 1:at_w]])
    rows, cols = g.shape
    w = np.array([[float(x) for x in line.split()] for line in lines[at_w + 1:at_w + 1 + cols]])
    values = dict(line.split() for line in lines[at_w + 1 + cols:] if line.strip())
    return r_wire, g, w, values


def reference(g, r_wire):
    rows, cols = g.shape
    if r_wire == 0.0:
        return g.T.copy()
    gw = 1.0 / r_wire
    n = 2 * rows * cols  # unknowns: row nodes (i,j), then column nodes (i,j)

    def row(i, j):
        return i * cols + j

    def col(i, j):
        return rows * cols + i * cols + j

    a = np.zeros((n, n))

    def stamp(p, q, y):  # conductance y between unknowns p and q (q = None: to a fixed node)
        a[p, p] += y
        if q is not None:
            a[q, q] += y
            a[p, q] -= y
            a[q, p] -= y

    for i in range(rows):
        stamp(row(i, 0), None, gw)  # driver segment
        for j in range(cols - 1):
            stamp(row(i, j), row(i, j + 1), gw)
        for j in range(cols):
            stamp(row(i, j), col(i, j), g[i, j])
    for j in range(cols):
        for i in range(rows - 1):
            stamp(col(i, j), col(i + 1, j), gw)
        stamp(col(rows - 1, j), None, gw)  # segment to the 0 V sense node
    w = np.zeros((cols, rows))
    for i in range(rows):
        b = np.zeros(n)
        b[row(i, 0)] = gw  # 1 V behind the driver segment
        v = np.linalg.solve(a, b)
        for j in range(cols):
            w[j, i] = gw * v[col(rows - 1, j)]
    return w


def main():
    r_wire, g, w, values = parse(sys.argv[1])
    expected_cards = int(sys.argv[2])
    ref = reference(g, r_wire)
    err = np.abs(w - ref).max() / np.abs(ref).max()
    ideal = np.abs(w - g.T).max() / np.abs(g.T).max()
    print(f"r_wire {r_wire} ohm: W_eff vs numpy nodal analysis {err:.2e}, vs G^T {ideal:.2e}")
    ok = True
    if w.shape != (g.shape[1], g.shape[0]) or err > 1e-12:
        print("W_eff disagrees with the reference", file=sys.stderr)
        ok = False
    if abs(float(values["max_relative_deviation_from_ideal"]) - ideal) > 1e-6 * max(ideal, 1e-12):
        print("printed deviation from G^T is wrong", file=sys.stderr)
        ok = False
    if r_wire > 0 and not ideal > 1e-6:
        print("wire resistance left W_eff at G^T", file=sys.stderr)
        ok = False
    if int(values["builtin_device_cards"]) != expected_cards:
        print(f"{values['builtin_device_cards']} built-in device cards, expected {expected_cards}",
              file=sys.stderr)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
