"""Benchmarks: `make bench` (or `python -m benchmarks [NAME ...]`).

Each benchmark measures its subject and a baseline in the same run and reports the ratio, so
figures stay comparable across machines. Timings are not tests; nothing here asserts a speed.
"""
