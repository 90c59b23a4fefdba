"""Map labels placed clear of each other: each label is tried at candidate
positions (its anchor, then offsets around it) and kept at the first whose
rendered box (matplotlib's own text extent, with the figure's renderer)
meets no label already placed, no obstacle (legend, scale bar, north
arrow) and stays inside the map frame, preferring among those the one
covering the fewest markers; a label with no free candidate near its
anchor gets a leader line from farther out, or is dropped and listed.

:func:`label_collisions` counts the overlapping label boxes of a drawn
figure; the report records it for every map (none expected).

Examples
--------
>>> from matplotlib.figure import Figure
>>> fig = Figure(figsize=(3, 2))
>>> ax = fig.add_axes([0, 0, 1, 1])
>>> placer = Placer(ax)
>>> [placer.place("Sapporo", [(0.5, 0.5)], fontsize=9) is not None for _ in range(2)]
[True, False]
>>> placer.dropped, len(label_collisions(fig))
(['Sapporo'], 0)
"""
import contextlib
import threading

import numpy as np

#: gids of the texts that count as labels (region names, overlay labels)
LABEL_GIDS = ("zaitaku-region-name", "zaitaku-overlay-label")
PAD_PT = 1.5   # air kept around a label (a halo, and rendering at another dpi)


def _renderer(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.canvas is None or not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


_METRICS = {}  # (renderer kind, font settings) -> {(text, font, ismath, dpi): metrics}
_METRICS_LOCK = threading.Lock()
_METRICS_MAX = 50_000  # texts kept per kind of renderer (a report has a few thousand)


def _metrics_function(renderer):
    """matplotlib's text measure for renderer, its results shared by every
    renderer of the same kind and font settings (matplotlib keeps them per
    renderer, and each map's Agg and SVG renderers measured the same
    legend entries, credit and names again: a tenth of a map's time)."""
    from matplotlib import rcParams

    inner = getattr(renderer, "_renderer", renderer)  # an SVG's MixedModeRenderer
    # what else a measure depends on: hinting, and the fonts a generic
    # family ("sans-serif") names
    key = (type(renderer), type(inner), rcParams["text.hinting"],
           rcParams["text.hinting_factor"], rcParams["text.kerning_factor"],
           *(tuple(rcParams[f"font.{generic}"]) for generic in
             ("sans-serif", "serif", "monospace", "cursive", "fantasy")))
    with _METRICS_LOCK:
        cache = _METRICS.setdefault(key, {})

    def metrics(text, fontprop, ismath, dpi):
        # dpi is in the key because the renderer measures at its own
        # (matplotlib's cache does the same); fontprop is a copy
        at = (text, fontprop, ismath, dpi)
        found = cache.get(at)
        if found is None:
            if len(cache) >= _METRICS_MAX:  # a long session's many reports
                cache.clear()
            found = cache[at] = renderer.get_text_width_height_descent(text, fontprop, ismath)
        return found

    return metrics


@contextlib.contextmanager
def shared_text_metrics():
    """Within the block, matplotlib measures each text once per kind of
    renderer, dpi and font (see :func:`_metrics_function`), not once per
    renderer: a measure depends on nothing else, so the drawings are the
    same. Restores matplotlib's own measure on leaving.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> def extent():
    ...     fig = Figure(figsize=(3, 2))
    ...     text = fig.text(0.5, 0.5, "Sapporo", fontsize=9)
    ...     return text.get_window_extent(_renderer(fig)).bounds
    >>> with shared_text_metrics():
    ...     shared = [extent(), extent()]
    >>> shared == [extent(), extent()]
    True
    """
    from matplotlib import text as mtext

    before = getattr(mtext, "_get_text_metrics_function", None)
    if before is None:  # a matplotlib without this private hook: measure as it does
        yield
        return
    mtext._get_text_metrics_function = _metrics_function
    try:
        yield
    finally:
        mtext._get_text_metrics_function = before


def _crosses(p, q, box):
    """Whether the segment p-q (display pixels) passes through box
    [x0, y0, x1, y1] (Liang-Barsky clipping)."""
    (x, y), dx, dy = p, q[0] - p[0], q[1] - p[1]
    t0, t1 = 0.0, 1.0
    for step, room in ((-dx, x - box[0]), (dx, box[2] - x), (-dy, y - box[1]), (dy, box[3] - y)):
        if step == 0:
            if room < 0:
                return False
            continue
        t = room / step
        if step < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _overlap(a, b, tol=0.0):
    """Whether boxes a and b ([x0, y0, x1, y1], display pixels) overlap by
    more than tol pixels both ways."""
    return (min(a[2], b[2]) - max(a[0], b[0]) > tol) and (min(a[3], b[3]) - max(a[1], b[1]) > tol)


class Placer:
    """Places labels on one axes, each clear of those placed before.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    obstacles : list of Artist
        Drawn things a label must not cover (legend, scale bar, north arrow).
    points : array (n, 2), optional
        Marker positions in data coordinates: a label prefers candidates
        covering fewer of them (a soft rule: markers are many).
    """

    def __init__(self, ax, obstacles=(), points=None):
        self.ax, self.fig = ax, ax.figure
        self.renderer = _renderer(self.fig)
        self.pad = PAD_PT * self.fig.dpi / 72
        frame = ax.get_window_extent(self.renderer)
        self.frame = [frame.x0, frame.y0, frame.x1, frame.y1]
        self.boxes = []
        for artist in obstacles:
            b = artist.get_window_extent(self.renderer)
            self.boxes.append([b.x0, b.y0, b.x1, b.y1])
        self.points = (ax.transData.transform(np.asarray(points, float))
                       if points is not None and len(points) else np.empty((0, 2)))
        self.leaders = []  # leader lines drawn, as display segments: labels keep off them
        self.dropped, self.leadered = [], []

    def pt_to_data(self, dx_pt, dy_pt):
        """An offset in points as one in data units (axes of equal aspect
        or not: each direction by its own scale)."""
        (x0, y0), (x1, y1) = self.ax.transData.inverted().transform(
            [[0, 0], [dx_pt * self.fig.dpi / 72, dy_pt * self.fig.dpi / 72]])
        return x1 - x0, y1 - y0

    def clear_point(self, points):
        """The first of points (data coordinates) under no label placed so
        far, or None: where a leader line can start inside a crowded
        feature without running under another label."""
        for x, y in points:
            px, py = self.ax.transData.transform((x, y))
            if not any(b[0] <= px <= b[2] and b[1] <= py <= b[3] for b in self.boxes):
                return (x, y)
        return None

    def _box(self, text):
        b = text.get_window_extent(self.renderer)
        return [b.x0 - self.pad, b.y0 - self.pad, b.x1 + self.pad, b.y1 + self.pad]

    def _free(self, box):
        f = self.frame
        if box[0] < f[0] or box[1] < f[1] or box[2] > f[2] or box[3] > f[3]:
            return False
        return not (any(_overlap(box, b) for b in self.boxes) or
                    any(_crosses(p, q, box) for p, q in self.leaders))

    def _cost(self, box):
        p = self.points
        return int(((p[:, 0] > box[0]) & (p[:, 0] < box[2]) & (p[:, 1] > box[1]) &
                    (p[:, 1] < box[3])).sum()) if len(p) else 0

    def place(self, label, candidates, leader_from=None, far=(), max_cost=None, **style):
        """Draws label (a str) at the best free candidate (x, y in data
        coordinates, the text centred there): the free one covering the
        fewest markers, the earlier on a tie. Else at the first free one
        of ``far`` with a line from ``leader_from`` (x, y). Returns the Text,
        or None when no candidate is free (the label is listed in
        :attr:`dropped`)."""
        style = dict(dict(ha="center", va="center", zorder=9), **style)
        text = self.ax.text(0, 0, label, **style)
        best = None
        for i, (x, y) in enumerate(candidates):
            text.set_position((x, y))
            box = self._box(text)
            if self._free(box):
                cost = self._cost(box)
                if best is None or cost < best[0]:
                    best = (cost, i, (x, y), box)
                if cost == 0:
                    break
        if best is not None and (max_cost is None or best[0] <= max_cost or not far):
            text.set_position(best[2])
            self.boxes.append(best[3])
            return text
        start = (self.ax.transData.transform(leader_from) if leader_from is not None
                 else None)
        for x, y in far:
            text.set_position((x, y))
            box = self._box(text)
            end = self.ax.transData.transform((x, y))
            if self._free(box) and (start is None or not any(
                    _crosses(start, end, b) for b in self.boxes)):
                self.boxes.append(box)
                self._leader(leader_from, (x, y), style)
                if start is not None:
                    self.leaders.append((start, end))
                self.leadered.append(label)
                return text
        if best is not None:
            text.set_position(best[2])
            self.boxes.append(best[3])
            return text
        text.remove()
        self.dropped.append(label)
        return None

    def _leader(self, start, end, style):
        if start is None:
            return
        line, = self.ax.plot([start[0], end[0]], [start[1], end[1]], color="#555555",
                             linewidth=0.6, zorder=style.get("zorder", 9) - 0.5)
        line.set_gid("zaitaku-leader")


def around(x, y, placer, dx_pt, dy_pt, rings=(1.0,)):
    """Candidate centres around (x, y): right, left, above, below and the
    four diagonals, each ring a multiple of (dx_pt, dy_pt) away (the
    label's half-size plus a gap, in points)."""
    out = []
    for r in rings:
        ux, uy = placer.pt_to_data(dx_pt * r, dy_pt * r)
        out += [(x + ux, y), (x - ux, y), (x, y + uy), (x, y - uy),
                (x + ux, y + uy), (x - ux, y + uy), (x + ux, y - uy), (x - ux, y - uy)]
    return out


def label_collisions(fig, gids=LABEL_GIDS, legends=True):
    """The pairs of label texts of a figure (texts whose gid is in gids, on
    any of its axes) whose rendered boxes overlap, labels overlapping a
    legend, and leader lines crossing a label other than their own: a list
    of (text, text) pairs (a legend as "legend", a leader as "leader"). Drawn
    with the figure's own renderer at its dpi; boxes that touch within
    half a pixel do not count."""
    renderer = _renderer(fig)
    labels, others = [], []
    for ax in fig.axes:
        for t in ax.texts:
            if t.get_gid() in gids and t.get_visible() and t.get_text():
                b = t.get_window_extent(renderer)
                labels.append((t.get_text(), [b.x0, b.y0, b.x1, b.y1]))
        legend = ax.get_legend()
        found = [legend] if legend is not None else []
        found += [a for a in ax.artists if type(a).__name__ == "Legend"]
        for lg in (found if legends else []):
            b = lg.get_window_extent(renderer)
            others.append(("legend", [b.x0, b.y0, b.x1, b.y1]))
    pairs = [(a[0], b[0]) for i, a in enumerate(labels) for b in labels[i + 1:]
             if _overlap(a[1], b[1], 0.5)]
    pairs += [(a[0], b[0]) for a in labels for b in others if _overlap(a[1], b[1], 0.5)]
    # a leader line through another label hides it as surely as a label does
    for ax in fig.axes:
        for line in ax.lines:
            if line.get_gid() != "zaitaku-leader":
                continue
            p, q = ax.transData.transform(np.column_stack(line.get_data()))[[0, -1]]
            for name, box in labels:
                inner = [box[0] + 0.5, box[1] + 0.5, box[2] - 0.5, box[3] - 0.5]
                own = box[0] <= q[0] <= box[2] and box[1] <= q[1] <= box[3]
                if not own and _crosses(p, q, inner):
                    pairs.append(("leader", name))
    return pairs


__all__ = ["Placer", "around", "label_collisions", "shared_text_metrics", "LABEL_GIDS"]
