"""Win probability of open deals and the pipeline forecast (see docs/forecast.md)."""
