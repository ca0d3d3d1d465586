"""Steadyhand benchmarks. Each prints ratios against a baseline measured in the same run."""
