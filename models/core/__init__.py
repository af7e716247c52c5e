"""The floor every room stands on: error types, value limits, the column table (`Table`: a
dict of equal-length numpy arrays) and atomic file writes. Imports nothing else of models."""
