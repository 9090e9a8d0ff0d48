"""Analytics: pure functions over the canonical tables that build the dated customer snapshot."""
