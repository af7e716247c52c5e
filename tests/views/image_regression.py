"""Chart image regression: a chart rendered offscreen, compared (tests/views/image_compare.py)
with its reference PNG in tests/views/reference_images/.

Each reference carries, in a PNG text chunk, what it was rendered with: Qt, pyqtgraph and
its colours, the platform plugin and style, the screen's pixel ratio and dpi, the default
font and a fingerprint of the charts' characters drawn in it. Where the glyphs are drawn
as they were (the workbench image: offscreen Qt finds DejaVu Sans, of the fonts-dejavu-core
package, with fontconfig), text is compared pixel by pixel like the plot areas; elsewhere
(another font, hinting or FreeType) by squares, and a failure says what differs from the
reference's rendering.

On a difference, the actual image, the reference and a diff are written to a folder named
in the assertion message. To rewrite references on purpose (a chart changed by design), run
the chart image tests with SETTLEMENT_UPDATE_REFERENCE_IMAGES=1, look at every image
rewritten (only those that no longer match are), and commit them.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontInfo, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from tests.views.image_compare import compare, diff_image

REFERENCES = Path(__file__).resolve().parent / "reference_images"
UPDATE_VARIABLE = "SETTLEMENT_UPDATE_REFERENCE_IMAGES"
RENDERING_KEY = "settlement-workbench-rendering"  # the PNG text chunk
SETTLE_PAINTS = 5  # pyqtgraph sets some ranges while painting: grab until two paints agree
TEXT_MARGIN = 2  # pixels around a text item inside a plot area, compared as text
# The charts' characters: digits, signs, units, the keys' marks.
GLYPH_SAMPLE = "0123456789 -−+.,:£/()=<>% SSP SBP NIV MWh MW FPN ●■━✕★▲▼□—╌· local time"


def glyph_fingerprint() -> str:
    """A hash of the chart characters drawn in the application font at 8 and 9 pt: equal
    where glyphs come out pixel for pixel the same."""
    image = QImage(1000, 50, QImage.Format.Format_RGB888)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    for row, points in enumerate((8, 9)):
        font = QFont(QApplication.font())
        font.setPointSizeF(points)
        painter.setFont(font)
        painter.drawText(4, 20 + 24 * row, GLYPH_SAMPLE)
    painter.end()
    return hashlib.sha256(to_array(image).tobytes()).hexdigest()[:16]


def rendering() -> dict[str, object]:
    """What the image of a chart depends on besides the code and the data."""
    screen = QGuiApplication.primaryScreen()
    font = QFontInfo(QApplication.font())
    return {
        "platform": QGuiApplication.platformName(),
        "pyside6": PYSIDE_VERSION,
        "pyqtgraph": pg.__version__,
        "device_pixel_ratio": screen.devicePixelRatio(),
        "logical_dpi": screen.logicalDotsPerInch(),
        "font": f"{font.family()} {font.styleName()} {font.pointSizeF():g} pt",
        "glyphs": glyph_fingerprint(),
        "style": QApplication.style().name(),
        # pyqtgraph's, which the workbench sets for a light or a dark system palette.
        **{option: pg.getConfigOption(option) for option in ("background", "foreground")},
        "antialias": pg.getConfigOption("antialias"),
    }


def glyphs_as_in_reference(name: str) -> bool:
    """Whether glyphs are drawn here as where the reference `name`.png was made (so its
    text is compared pixel by pixel)."""
    path = REFERENCES / f"{name}.png"
    return path.is_file() and _load(path)[1].get("glyphs") == glyph_fingerprint()


def to_array(image: QImage) -> np.ndarray:
    """(height, width, 3) uint8 RGB of a QImage."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    rows = np.frombuffer(rgb.constBits(), np.uint8, stride * height).reshape(height, stride)
    return rows[:, : width * 3].reshape(height, width, 3).copy()


def from_array(pixels: np.ndarray) -> QImage:
    height, width, _ = pixels.shape
    data = np.ascontiguousarray(pixels, dtype=np.uint8)
    return QImage(data.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def settled_image(widget: QWidget) -> np.ndarray:
    """The widget as painted once nothing changes from one paint to the next."""
    QApplication.processEvents()
    last = to_array(widget.grab().toImage())
    for _ in range(SETTLE_PAINTS):
        QApplication.processEvents()
        now = to_array(widget.grab().toImage())
        if np.array_equal(now, last):
            return now
        last = now
    raise AssertionError(f"the chart still changed after {SETTLE_PAINTS} paints")


def text_mask(view: pg.GraphicsView, plots: list[pg.PlotItem]) -> np.ndarray:
    """True where the chart's pixels are text or axes: outside every plot area, and around
    each text item shown inside one (an off-scale price)."""
    size = view.size()
    mask = np.ones((size.height(), size.width()), dtype=bool)
    offset = view.viewport().pos()

    def pixels(scene_rect, margin: int = 0) -> tuple[slice, slice]:
        rect = view.mapFromScene(scene_rect).boundingRect().translated(offset)
        top, left = max(rect.top() - margin, 0), max(rect.left() - margin, 0)
        return slice(top, rect.bottom() + 1 + margin), slice(left, rect.right() + 1 + margin)

    for plot in plots:
        mask[pixels(plot.vb.sceneBoundingRect())] = False
    for item in view.scene().items():
        if isinstance(item, pg.TextItem) and item.isVisible():
            mask[pixels(item.sceneBoundingRect(), TEXT_MARGIN)] = True
    return mask


def _load(path: Path) -> tuple[np.ndarray, dict]:
    image = QImage(str(path))
    if image.isNull():
        raise AssertionError(f"cannot read the reference image {path}")
    recorded = image.text(RENDERING_KEY)
    return to_array(image), json.loads(recorded) if recorded else {}


def _save(pixels: np.ndarray, path: Path, recorded: dict | None = None) -> None:
    image = from_array(pixels)
    if recorded is not None:
        image.setText(RENDERING_KEY, json.dumps(recorded, sort_keys=True))
    if not image.save(str(path), "PNG", 0):  # highest compression: references are committed
        raise AssertionError(f"cannot write {path}")


def _rendering_note(recorded: dict, now: dict) -> str:
    changed = [
        f"{key} {recorded.get(key)!r} there, {now.get(key)!r} here"
        for key in sorted(set(recorded) | set(now))
        if recorded.get(key) != now.get(key)
    ]
    if not changed:
        return ""
    return "; rendered otherwise than the reference: " + ", ".join(changed)


def assert_matches_reference(
    view: pg.GraphicsView,
    plots: list[pg.PlotItem],
    name: str,
    failures: Path | None = None,
    may_update: bool = True,
) -> None:
    """The chart `view` (its plot areas `plots`) as drawn now matches the reference image
    `name`.png; otherwise fail, saying what differs and where the images were written
    (`failures`, or a new temporary folder). With SETTLEMENT_UPDATE_REFERENCE_IMAGES=1 a
    missing or differing reference is rewritten instead and the test skipped (nothing was
    checked), unless `may_update` is false (a chart changed to show that the check fails)."""
    ratio = view.devicePixelRatioF()
    if ratio != 1:  # the references hold one image pixel per widget pixel
        raise AssertionError(
            f"charts are compared at a device pixel ratio of 1, here {ratio:g} "
            "(QT_SCALE_FACTOR or QT_SCREEN_SCALE_FACTORS set?)"
        )
    actual = settled_image(view)
    now = rendering()
    path = REFERENCES / f"{name}.png"
    shown = f"tests/views/reference_images/{path.name}"
    reference, recorded = _load(path) if path.is_file() else (None, {})
    found = None
    if reference is not None and reference.shape == actual.shape:
        same_glyphs = recorded.get("glyphs") == now["glyphs"]
        found = compare(actual, reference, text_mask(view, plots), same_glyphs)
        if not found.failed:
            return
    if may_update and os.environ.get(UPDATE_VARIABLE) == "1":
        REFERENCES.mkdir(parents=True, exist_ok=True)
        _save(actual, path, now)
        pytest.skip(f"{UPDATE_VARIABLE}=1: wrote {shown}; look at it before committing it")
    rewrite = f"if the change is intended, re-run with {UPDATE_VARIABLE}=1 and commit the image"
    if reference is None:
        raise AssertionError(f"no reference image {shown}: {rewrite}")
    folder = failures or Path(tempfile.mkdtemp(prefix="chart-images-"))
    folder.mkdir(parents=True, exist_ok=True)
    _save(actual, folder / f"{name}.actual.png")
    _save(reference, folder / f"{name}.reference.png")
    note = _rendering_note(recorded, now)
    if found is None:
        height, width, _ = actual.shape
        ref_height, ref_width, _ = reference.shape
        why = "" if note else " (the layout around the chart changed)"
        raise AssertionError(
            f"chart {name} is {width}x{height} pixels, its reference {shown} "
            f"{ref_width}x{ref_height}{why}; actual and reference in {folder}; {rewrite}{note}"
        )
    _save(diff_image(reference, found), folder / f"{name}.diff.png")
    raise AssertionError(
        f"chart {name} differs from {shown}: {found.summary()}; actual, reference and diff "
        f"(magenta: differing pixels, orange: differing text squares) in {folder}; "
        f"{rewrite}{note}"
    )
