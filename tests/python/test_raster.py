"""PNG maps drawn once and written in indexed colour (zaitaku.maps.raster):
the drawing against matplotlib's own PNG, the palette against a brute-force
nearest colour, the fallback to RGB, and resampling for report.html."""
import io

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from zaitaku.maps import raster  # noqa: E402


def decoded(png):
    with Image.open(io.BytesIO(png)) as im:
        return im.mode, im.info.get("dpi"), np.asarray(im.convert("RGB")).astype(int)


def opaque(rgb):
    return np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)]).astype(np.uint8)


def figure():
    fig = Figure(figsize=(3.1, 2.05))
    ax = fig.add_subplot()
    ax.fill([0, 1, 1], [0, 0, 1], color="#0072B2")
    ax.plot([0, 1], [1, 0], color="#D55E00", linewidth=3)
    ax.text(0.2, 0.7, "Tokachi 91.1%")
    return fig


def test_render_is_matplotlibs_own_drawing():
    fig = figure()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=137, facecolor="white")
    with Image.open(buf) as im:
        expected = np.asarray(im.convert("RGB"))
    got = raster.render(fig, 137)
    assert got.shape == expected.shape[:2] + (4,)  # 3.1 in at 137 dpi, truncated: 424
    assert got.shape[1] == int(3.1 * 137)
    assert (got[..., :3] == expected).all()


def test_commonest_colours_exact_and_the_rest_nearest():
    rng = np.random.default_rng(7)
    flat = rng.integers(0, 256, size=(40, 3))
    img = flat[rng.integers(0, 40, size=(120, 150))]
    # edge pixels: 200 scattered pixels of 200 other colours (1.1 %), too rare for
    # the palette beside 216 frequent ones
    extra = rng.integers(0, 256, size=(216, 3))
    img[:, :72] = extra[np.arange(120 * 72) % 216].reshape(120, 72, 3)
    ys, xs = rng.integers(0, 120, 200), rng.integers(72, 150, 200)
    odd = rng.integers(0, 256, size=(200, 3))
    img[ys, xs] = odd
    img = img.astype(np.uint8)
    mode, _, got = decoded(raster.png_bytes(opaque(img), 100))
    assert mode == "P"
    # independently: the 256 commonest colours, then each pixel's nearest of them
    colours, counts = np.unique(img.reshape(-1, 3), axis=0, return_counts=True)
    top = colours[np.argsort(-counts, kind="stable")[:256]].astype(int)
    assert (counts >= 2).sum() <= 256  # every colour seen twice or more is in the palette
    want = img.astype(int).copy()
    for y in range(img.shape[0]):
        for x in range(img.shape[1]):
            c = want[y, x]
            if not (top == c).all(axis=1).any():
                d = ((top - c) ** 2).sum(axis=1)
                assert (d == d.min()).sum() == 1  # no tie, so one right answer
                want[y, x] = top[d.argmin()]
    assert (got == want).all()


def test_one_palette_after_another():
    # the look-up table is kept and refilled for each palette: a colour of
    # the previous palette that is rare in the next picture must take its
    # nearest colour there, not its old index
    rng = np.random.default_rng(11)
    first = rng.integers(0, 256, size=(40, 3))
    a = first[rng.integers(0, 40, size=(100, 120))].astype(np.uint8)
    b = rng.integers(0, 256, size=(256, 3))[np.arange(100 * 120) % 256].reshape(100, 120, 3)
    b[3, :5] = first[0]  # 5 pixels, fewer than any of b's 256 colours
    b = b.astype(np.uint8)
    for img in (a, b, a, b):
        got = np.asarray(raster.indexed(opaque(img)).convert("RGB")).astype(int)
        colours, counts = np.unique(img.reshape(-1, 3), axis=0, return_counts=True)
        top = colours[counts > 5].astype(int)  # the palette: all but the rare colour
        assert len(top) <= 256
        d = ((img.reshape(-1, 1, 3).astype(int) - top[None]) ** 2).sum(axis=2)
        assert ((d == d.min(axis=1, keepdims=True)).sum(axis=1) == 1).all()  # no ties
        assert (got.reshape(-1, 3) == top[d.argmin(axis=1)]).all()


def test_many_colours_are_written_in_rgb_unchanged():
    ramp = np.zeros((64, 256, 3), np.uint8)
    ramp[..., 0] = np.arange(256)
    ramp[..., 1] = np.arange(64)[:, None] * 4
    mode, dpi, got = decoded(raster.png_bytes(opaque(ramp), 300))
    assert mode == "RGB" and (got == ramp).all()
    assert dpi[0] == pytest.approx(300, abs=0.05)


def test_resampled_image_keeps_a_small_markers_colour():
    # a map at 300 dpi: a large field and its anti-aliased edge, and one small
    # orange marker; halving it blends the edge into many new colours
    img = np.full((300, 300, 3), (230, 230, 230), np.uint8)
    img[:, 150:] = (0, 114, 178)
    img[:, 149] = np.linspace(0, 255, 300)[:, None].astype(np.uint8)
    img[100:104, 40:44] = (213, 94, 0)
    drawn = opaque(img)
    mode, dpi, got = decoded(raster.png_bytes(drawn, 150, drawn_dpi=300))
    assert mode == "P" and got.shape == (150, 150, 3)
    assert dpi[0] == pytest.approx(150, abs=0.05)  # PNG stores pixels per metre
    # block means of 2 x 2 pixels, then the nearest colour of the drawn image's palette
    means = img.astype(float).reshape(150, 2, 150, 2, 3).mean(axis=(1, 3))
    assert (got[50:52, 20:22] == (213, 94, 0)).all()
    field = np.ones((150, 150), bool)
    field[50:52, 20:22] = field[:, 74] = False
    assert (got[field] == means[field]).all()  # flat: the block mean is the colour
    assert np.abs(got - means).max() <= 6  # the edge column: the nearest of the drawn shades


def test_lanczos_for_other_ratios_and_no_upsampling():
    drawn = opaque(np.full((90, 120, 3), 200, np.uint8))
    _, _, got = decoded(raster.png_bytes(drawn, 200, drawn_dpi=300))
    assert got.shape == (60, 80, 3) and (got == 200).all()
    with pytest.raises(ValueError, match="not resampled up"):
        raster.png_bytes(drawn, 300, drawn_dpi=200)


def test_palette_of_the_drawn_image():
    # the drawn image: 250 common colours and an orange marker; the image to
    # write has 50 further colours (resampled edges), commoner than the marker
    rng = np.random.default_rng(3)
    common = rng.integers(0, 256, size=(250, 3))
    orange = np.array([213, 94, 0])
    drawn = np.vstack([np.repeat(common, 100, axis=0), np.repeat(orange[None], 50, axis=0)])
    blends = rng.integers(0, 256, size=(50, 3))
    small = np.vstack([np.repeat(common, 20, axis=0), np.repeat(blends, 20, axis=0),
                       np.repeat(orange[None], 4, axis=0)])
    as_image = lambda rows: opaque(rows.reshape(1, -1, 3).astype(np.uint8))  # noqa: E731
    out = raster.indexed(as_image(small), palette_of=as_image(drawn))
    assert out.mode == "P"
    got = np.asarray(out.convert("RGB")).reshape(-1, 3).astype(int)
    palette = np.vstack([common, orange[None]])
    nearest = palette[((blends[:, None, :] - palette[None]) ** 2).sum(-1).argmin(axis=1)]
    assert (got[:5000] == np.repeat(common, 20, axis=0)).all()
    assert (got[5000:6000] == np.repeat(nearest, 20, axis=0)).all()
    assert (got[6000:] == orange).all()
