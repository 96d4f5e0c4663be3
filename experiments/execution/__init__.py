"""Running many replications: in-process, on a local process pool or on a Dask cluster; and
keeping numba's cache of the model's compiled kernels in step with its sources (compiled.py)."""
