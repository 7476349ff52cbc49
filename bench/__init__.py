"""Benchmarks and scale-data generation for PES (``make bench``)."""
