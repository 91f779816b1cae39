"""Helpers of the benchmarks, never run on their own (`make bench` runs benchmarks/*.py only)."""
