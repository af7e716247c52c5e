"""A deliberately plain reference of R-PROF and R-VOL: minute by minute, loops only.

It shares no code with the engine beyond the input tables. For every unit, period and spot
time it builds the acceptance levels by carry-forward, the band edges and the clipped volumes,
then applies the trapezium rule exactly as the rulebook writes it.
"""

from __future__ import annotations

from engine.bm_inputs import BmInputs, Segments


def _value(segments: list[tuple[int, float, int, float]], t: int):
    """Level at t from the last segment (in time order) covering t, or None."""
    value = None
    for t0, l0, t1, l1 in segments:
        if t0 <= t <= t1:
            value = l1 if t1 == t0 else l0 + (l1 - l0) * (t - t0) / (t1 - t0)
    return value


def _by_owner(segments: Segments) -> dict[int, list[tuple[int, float, int, float]]]:
    grouped: dict[int, list] = {}
    for i in range(len(segments)):
        grouped.setdefault(int(segments.owner[i]), []).append(
            (
                int(segments.time_from[i]),
                float(segments.level_from[i]),
                int(segments.time_to[i]),
                float(segments.level_to[i]),
            )
        )
    for owner in grouped:
        grouped[owner].sort(key=lambda s: s[0])  # stable: steps keep their order
    return grouped


def reference_volumes(inputs: BmInputs) -> dict[tuple[int, int, int], tuple[float, float]]:
    """{(acceptance row, period, pair): (QAO_knj, QAB_knj)} for every non-zero volume."""
    fpn = _by_owner(inputs.fpn)
    bands = _by_owner(inputs.bands)
    levels = _by_owner(inputs.acceptance_levels)
    acc = inputs.acceptances
    pairs = inputs.pairs
    result: dict[tuple[int, int, int], tuple[float, float]] = {}
    for unit in range(len(inputs.bm_units)):
        rows = [k for k in range(len(acc)) if acc.unit[k] == unit and not acc.rr_flag[k]]
        rows.sort(key=lambda k: acc.number[k])
        if not rows:
            continue
        # Only periods that some acceptance of the unit touches can hold its volumes.
        first = min(s[0] for k in rows for s in levels.get(k, []))
        last = max(s[2] for k in rows for s in levels.get(k, []))
        first_period = (first - inputs.day_start) // 1800 + 1
        last_period = min((last - inputs.day_start) // 1800 + 1, inputs.periods)
        for period in range(max(first_period - 1, 1), last_period + 1):
            start = inputs.day_start + 1800 * (period - 1)
            my_pairs = {
                int(pairs.pair[r]): r
                for r in range(len(pairs))
                if pairs.unit[r] == unit and pairs.period[r] == period
            }
            values: dict[tuple[int, int], list[float]] = {}
            for minute in range(31):
                t = start + 60 * minute
                f = _value(fpn.get(unit, []), t)
                f = 0.0 if f is None else f
                width = {}
                for n in range(-6, 7):
                    w = None
                    if n in my_pairs:
                        w = _value(bands.get(my_pairs[n], []), t)
                    width[n] = 0.0 if w is None else w
                previous = f
                for k in rows:
                    own = _value(levels.get(k, []), t)
                    current = previous if own is None else own
                    x_now, x_before = current - f, previous - f
                    for n in (*range(1, 7), *range(-1, -7, -1)):
                        if n > 0:
                            lower = sum(width[m] for m in range(1, n))
                            upper = lower + width[n]
                        else:
                            upper = sum(width[m] for m in range(n + 1, 0))
                            lower = upper + width[n]
                        clip_now = min(max(x_now, lower), upper)
                        clip_before = min(max(x_before, lower), upper)
                        values.setdefault((k, n), []).append(clip_now - clip_before)
                    previous = current
            for (k, n), series in values.items():
                qao = sum(
                    (max(series[m], 0.0) + max(series[m + 1], 0.0)) / 2 / 60 for m in range(30)
                )
                qab = sum(
                    (min(series[m], 0.0) + min(series[m + 1], 0.0)) / 2 / 60 for m in range(30)
                )
                if qao != 0 or qab != 0:
                    result[(k, period, n)] = (qao, qab)
    return result
