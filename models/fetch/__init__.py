"""Fetching settlement data from the Elexon Insights API: endpoints, raw-response cache, client."""
