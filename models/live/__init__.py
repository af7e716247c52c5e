"""Live data (issue 23): Insights-shaped messages written as they arrive, from a broker or a
folder, each in one transaction through the import framework."""
