"""Property-based tests (Hypothesis): arbitrary input at every door, no 500, nothing stored."""
