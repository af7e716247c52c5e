"""Render resources/settlement-workbench.svg to the PNG and ICO the installers use."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
app = QGuiApplication(sys.argv[:1])
renderer = QSvgRenderer(str(ROOT / "resources" / "settlement-workbench.svg"))
image = QImage(256, 256, QImage.Format.Format_ARGB32)
image.fill(0)
painter = QPainter(image)
renderer.render(painter)
painter.end()
for name in ("settlement-workbench.png", "settlement-workbench.ico"):
    assert image.save(str(ROOT / "resources" / name)), name
