"""`make bench`: measurements written to BENCHMARKS.md (speed is measured here, never in tests)."""
