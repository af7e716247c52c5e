"""Deterministic demo settlement databases built around the real GB BM unit register."""
