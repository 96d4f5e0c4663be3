"""Input and output: scenario and territory files, results folders, provenance, figures, errors."""
