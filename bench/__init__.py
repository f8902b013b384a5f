"""Benchmarks run by `make bench`: each measures our path against a baseline of the machine's limits."""
