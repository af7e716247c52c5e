"""Errors in engine inputs, raised before any computing starts."""


class EngineInputError(ValueError):
    """Engine inputs break a rule of the format; the message names the unit, acceptance or pair."""
