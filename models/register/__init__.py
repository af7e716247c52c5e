"""The BM unit register as dated snapshots (R-REG-DATED): store, list and look up the entry in
force on a settlement date."""
