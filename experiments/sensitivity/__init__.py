"""Sensitivity experiments: spec, factors, design, runs, analysis, report and figures."""
