"""Running the pipeline over inputs: the extractor, local batches and shards, Dask, resume, time budget, progress."""
