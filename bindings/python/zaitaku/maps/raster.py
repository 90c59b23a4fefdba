"""PNG maps drawn once and written small: :func:`render` rasterizes a
figure with Agg a single time, :func:`png_bytes` turns the pixels into an
indexed-colour PNG, at the drawn resolution or resampled to a lower one.

A map's pixels are mostly a few flat colours (land, reached land, gaps,
water, text) plus their anti-aliased edges, so a palette of the 256
commonest colours holds almost every pixel exactly (about 99 % on the
Hokkaido maps; the rest, edge pixels, take the nearest palette colour) and
the file is about a third of the RGB one. An image whose commonest colours
hold less than :data:`EXACT_SHARE` of its pixels (a photograph, a smooth
colour ramp) is written in RGB instead. The report draws each map once
at print resolution and derives the image it embeds in report.html from
the same pixels instead of drawing it again.
"""
import io
import threading

import numpy as np

PALETTE_SIZE = 256
#: The share of pixels the palette must hold exactly for an indexed PNG.
EXACT_SHARE = 0.98


def render(fig, dpi):
    """fig drawn by Agg at dpi on white: an RGBA array (height, width, 4),
    of the size ``savefig`` would give (inches times dpi, truncated)."""
    from matplotlib import rc_context

    buf = io.BytesIO()
    with rc_context({"savefig.bbox": "standard"}):
        fig.savefig(buf, format="raw", dpi=dpi, facecolor="white")
    raw = np.frombuffer(buf.getvalue(), dtype=np.uint8)
    width = int(fig.get_figwidth() * dpi)
    if width <= 0 or raw.size % (4 * width):
        raise RuntimeError(f"matplotlib drew {raw.size} bytes, not rows of {width} pixels")
    return raw.reshape(-1, width, 4)


def indexed(rgba, palette_of=None, palette=None):
    """rgba (height, width, 4 uint8, opaque) as a PIL image in mode "P":
    the 256 commonest colours exactly, every other pixel the nearest of
    them (in RGB distance); in mode "RGB" when those colours hold less than
    EXACT_SHARE of the pixels. With ``palette_of`` (another such array:
    the same picture drawn at a higher resolution), the palette is that
    image's: resampling blends every edge into new colours, and a small
    marker's colour would not be among the commonest of the result.
    ``palette``, what :func:`commonest` gave for that image, saves
    finding it again."""
    from PIL import Image

    rgba = np.ascontiguousarray(rgba)
    keep = palette if palette is not None else \
        commonest(rgba if palette_of is None else palette_of)
    if not len(keep):
        return Image.fromarray(rgba[..., :3], mode="RGB")
    code = _codes(rgba)
    index = _palette_index(code, keep)
    rare_at = index == PALETTE_SIZE
    if rare_at.any():  # nearest: argmin of |p|^2 - 2 c.p over the palette p
        codes = code[rare_at]
        rare = np.unique(codes)
        p = _channels(keep).astype(np.float32)
        scores = (p ** 2).sum(axis=1) - 2.0 * (_channels(rare).astype(np.float32) @ p.T)
        index[rare_at] = scores.argmin(axis=1).astype(np.uint16)[np.searchsorted(rare, codes)]
    out = Image.fromarray(index.astype(np.uint8), mode="P")
    out.putpalette(_channels(keep).astype(np.uint8).ravel().tolist())
    return out


_LUT = {}  # "table": the look-up table, "keep": the palette it holds now
_LUT_LOCK = threading.Lock()


def _palette_index(code, keep):
    """Each colour code's index in the palette keep (uint16), PALETTE_SIZE
    (past every index) for a colour not in it: one look-up in a table of
    every colour. One table is kept and refilled for each palette (only the
    old palette's entries reset): making a fresh table of 2**24 entries
    took longer than the look-up itself."""
    with _LUT_LOCK:
        table = _LUT.get("table")
        if table is None:
            table = _LUT["table"] = np.full(1 << 24, PALETTE_SIZE, dtype=np.uint16)
            _LUT["keep"] = np.empty(0, dtype=np.int64)
        table[_LUT["keep"]] = PALETTE_SIZE
        table[keep] = np.arange(len(keep), dtype=np.uint16)
        _LUT["keep"] = np.array(keep, dtype=np.int64)
        return table[code]


def _codes(rgba):
    """Each pixel's colour as one integer, red + green << 8 + blue << 16."""
    return rgba.view(np.dtype("<u4"))[..., 0] & 0xFFFFFF


def _channels(codes):
    return np.stack([codes & 255, (codes >> 8) & 255, (codes >> 16) & 255], axis=1)


def commonest(rgba):
    """The codes (red + green << 8 + blue << 16) of rgba's PALETTE_SIZE
    commonest colours, or an empty array when they hold less than
    EXACT_SHARE of its pixels (the image is then written in RGB)."""
    from PIL import Image

    rgba = np.ascontiguousarray(rgba)
    h, w, _ = rgba.shape
    colours = Image.fromarray(rgba, mode="RGBA").getcolors(h * w)
    counts = np.fromiter((c for c, _ in colours), dtype=np.int64, count=len(colours))
    order = np.argsort(-counts, kind="stable")[:PALETTE_SIZE]
    if counts[order].sum() < EXACT_SHARE * h * w:
        return np.empty(0, dtype=np.int64)
    return np.array([r | (g << 8) | (b << 16) for _, (r, g, b, _a) in
                     (colours[i] for i in order)], dtype=np.int64)


def png_bytes(rgba, dpi, drawn_dpi=None, palette=None):
    """A PNG of rgba (indexed colour, see :func:`indexed`), which was drawn
    at drawn_dpi (default dpi), resampled to dpi when that is lower (by
    block means when drawn_dpi is a multiple of dpi, each side rounded up
    to whole pixels; else Lanczos, rounded); the file records dpi.
    Resampling to a higher dpi is refused: draw at that dpi instead.
    ``palette``: :func:`commonest` of the drawn image, when it is known
    already."""
    from PIL import Image

    drawn_dpi = dpi if drawn_dpi is None else drawn_dpi
    if dpi > drawn_dpi:
        raise ValueError(f"an image drawn at {drawn_dpi} dpi is not resampled up to {dpi}")
    drawn = np.ascontiguousarray(rgba)
    if dpi != drawn_dpi:
        # opaque pixels as RGBX: as RGBA, PIL premultiplied every pixel by
        # its alpha and divided it out again around the resampling (exact
        # at alpha 255, and three times the resampling's own time)
        h, w, _ = drawn.shape
        image = Image.frombuffer("RGBX", (w, h), drawn, "raw", "RGBX", 0, 1)
        if drawn_dpi % dpi == 0:  # 300 -> 150: the mean of each 2 x 2 block
            image = image.reduce(int(drawn_dpi // dpi))
        else:
            image = image.resize((max(1, round(w * dpi / drawn_dpi)),
                                  max(1, round(h * dpi / drawn_dpi))), Image.LANCZOS)
        rgba = np.asarray(image)
    buf = io.BytesIO()
    indexed(rgba, palette_of=drawn, palette=palette).save(buf, format="png", dpi=(dpi, dpi))
    return buf.getvalue()


__all__ = ["render", "commonest", "indexed", "png_bytes"]
