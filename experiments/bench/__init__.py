"""The benchmark (``alliance bench``) and its per-submodel profile."""
