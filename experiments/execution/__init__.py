"""Running many replications: in-process, on a local process pool or on a Dask cluster."""
