# SPDX-License-Identifier: MIT
"""What tools/plot_sweep.py and tools/plot_device.py share: the Agg backend, saving a figure
with its titles (so that tests can check titles without OCR) and the tools' output."""

import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402,F401  (the tools import pyplot from here)


def text(value):
    """An HDF5 string attribute or dataset element as str."""
    return value.decode() if isinstance(value, bytes) else str(value)


def save(fig, out, name, written):
    """Writes `fig` as out/name (PNG) and appends (path, [figure title, panel titles...])."""
    path = os.path.join(out, name)
    fig.savefig(path, dpi=120)
    titles = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
    written.append((path, titles))
    plt.close(fig)


def report(written, print_titles):
    """The files written, one a line, or with print_titles {file name: [titles]} as JSON."""
    if print_titles:
        print(json.dumps({os.path.basename(p): t for p, t in written}, indent=1))
    else:
        for p, _ in written:
            print(p)
