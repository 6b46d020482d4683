"""Code shared by the tests and the benchmarks (e.g. the server and browser harness)."""
