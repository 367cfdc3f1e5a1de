"""Results for change managers: segment figures released through `analysis.privacy`."""
