"""Benchmarks and the agency-scale data generator."""
