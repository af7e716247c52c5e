"""Two images of a chart compared as a reader would: what is drawn, not how each pixel of
antialiasing or each glyph came out (numpy only; tests/views/image_regression.py renders
and keeps the references).

Every pixel is compared allowing a shift of `SHIFT` pixel: a pixel differs when no pixel
of the other image within `SHIFT` of it is within `LEVEL` of it in every channel, both
ways round (so a series missing from either image counts). Where glyphs may be drawn
otherwise than in the reference (another font, hinting or FreeType), text pixels are
compared instead as the mean grey of `BLOCK`-pixel squares, which a word removed or moved
changes and a glyph drawn a little differently does not.

Measured on the demo charts (tests/views/test_chart_images.py): the same chart rendered in
two processes is identical to the pixel; with the font's hinting full or none, or its
antialiasing off, no plot-area pixel differs by more than 16 levels and no text square's
mean grey by more than 28.8; the smallest change tried, one SSP of 48 moved by £10 on the
1024x640 overview, makes 28 plot-area pixels differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SHIFT = 1  # pixels: an edge drawn one pixel over is not a change
LEVEL = 48  # of 255, in any channel: another colour, not a shade of antialiasing
ALLOWED_PIXELS = 8  # differing pixels allowed, plot areas and text each (a £10 move: 28)
BLOCK = 16  # pixels: a square about the height of a line of 8-9 pt text
BLOCK_LEVEL = 32  # of 255, a square's mean grey (glyphs drawn otherwise moved it 28.8)
ALLOWED_BLOCKS = 0


@dataclass(frozen=True)
class Differences:
    text: np.ndarray  # bool per pixel: text or axes, not a plot area
    plot_pixels: np.ndarray  # bool per pixel: a plot-area pixel that differs
    text_pixels: np.ndarray  # bool per pixel: a text pixel that differs (same glyphs)
    text_blocks: np.ndarray  # bool per BLOCK square: its text differs (glyphs drawn otherwise)
    largest: int  # the largest difference left after SHIFT, of 255
    same_glyphs: bool  # text compared pixel by pixel (else by squares)

    @property
    def failed(self) -> bool:
        return (
            self.plot_pixels.sum() > ALLOWED_PIXELS
            or self.text_pixels.sum() > ALLOWED_PIXELS
            or self.text_blocks.sum() > ALLOWED_BLOCKS
        )

    def blocks_as_pixels(self) -> np.ndarray:
        """The differing squares as a mask of pixels."""
        square = np.ones((BLOCK, BLOCK), dtype=bool)
        height, width = self.text.shape
        return np.kron(self.text_blocks, square)[:height, :width]

    def summary(self) -> str:
        """How much differs and where, in words."""
        ys, xs = np.nonzero(self.plot_pixels | self.text_pixels | self.blocks_as_pixels())
        where = f"x {xs.min()}-{xs.max()}, y {ys.min()}-{ys.max()}" if len(xs) else "nowhere"
        pixels = f"{int(self.plot_pixels.sum()):,} plot-area pixels"
        if self.same_glyphs:
            pixels += f" and {int(self.text_pixels.sum()):,} text pixels"
        text = (
            ""
            if self.same_glyphs
            else f", and {int(self.text_blocks.sum()):,} text squares of {BLOCK} px (allowed "
            f"{ALLOWED_BLOCKS}) by more than {BLOCK_LEVEL} grey levels (glyphs are drawn "
            "otherwise than in the reference: text compared by squares)"
        )
        return (
            f"{pixels} (allowed {ALLOWED_PIXELS} each) differ by more than {LEVEL} of 255 "
            f"after a {SHIFT}-pixel shift (largest {self.largest}){text}, at {where}"
        )


def nearest_distance(image: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Per pixel of `image` (height, width, 3): the least, over the pixels of `other`
    within SHIFT of it, of the largest channel difference (0-255)."""
    height, width, _ = image.shape
    padded = np.pad(other.astype(np.int16), ((SHIFT, SHIFT), (SHIFT, SHIFT), (0, 0)), "edge")
    pixels = image.astype(np.int16)
    best = np.full((height, width), 255, dtype=np.int16)
    for dy in range(2 * SHIFT + 1):
        for dx in range(2 * SHIFT + 1):
            shifted = padded[dy : dy + height, dx : dx + width]
            np.minimum(best, np.abs(pixels - shifted).max(axis=2), out=best)
    return best


def block_grey(image: np.ndarray) -> np.ndarray:
    """Mean grey of each BLOCK square (the image padded with white to whole squares)."""
    height, width, _ = image.shape
    rows, columns = -(-height // BLOCK), -(-width // BLOCK)
    grey = np.full((rows * BLOCK, columns * BLOCK), 255.0)
    grey[:height, :width] = image.mean(axis=2)
    return grey.reshape(rows, BLOCK, columns, BLOCK).mean(axis=(1, 3))


def compare(
    actual: np.ndarray, reference: np.ndarray, text: np.ndarray, same_glyphs: bool
) -> Differences:
    """Differences of two (height, width, 3) uint8 images of the same size. `text`: the
    text pixels; `same_glyphs`: glyphs are drawn here as where the reference was made, so
    text is compared pixel by pixel too, not by squares."""
    distance = np.maximum(nearest_distance(actual, reference), nearest_distance(reference, actual))
    differs = distance > LEVEL
    plot_pixels = differs & ~text
    if same_glyphs:
        text_pixels = differs & text
        text_blocks = np.zeros(block_grey(actual).shape, dtype=bool)
        largest = int(distance.max())
    else:
        text_pixels = np.zeros_like(text)
        # The actual image's text over the reference's plot areas: a square on a plot's
        # edge is compared on its text alone.
        actual_text = np.where(text[..., None], actual, reference)
        text_blocks = np.abs(block_grey(actual_text) - block_grey(reference)) > BLOCK_LEVEL
        largest = int(distance[~text].max()) if (~text).any() else 0
    return Differences(text, plot_pixels, text_pixels, text_blocks, largest, same_glyphs)


def diff_image(reference: np.ndarray, found: Differences) -> np.ndarray:
    """For a human: the reference faded, text tinted blue, differing pixels magenta and
    differing text squares orange."""
    grey = reference.mean(axis=2, keepdims=True)
    out = (255 - (255 - grey) * 0.3).repeat(3, axis=2)
    out[found.text] = out[found.text] * 0.7 + np.array([120, 160, 255]) * 0.3
    blocks = found.blocks_as_pixels()
    out[blocks] = out[blocks] * 0.4 + np.array([255, 140, 0]) * 0.6
    out[found.plot_pixels | found.text_pixels] = (255, 0, 255)
    return out.astype(np.uint8)
