"""Settlement engine: pure numpy functions over arrays, one module per stage of the calculation.

No Qt, no SQL, no pandas here (enforced by import-linter). Each module names the rulebook ids
(`R-…`, ../shared/domain/SETTLEMENT_RULES.md) that it implements.
"""

ENGINE_VERSION = "0.1.0"
RULEBOOK_VERSION = "v2"
