"""Run statistics and human-readable summaries."""
