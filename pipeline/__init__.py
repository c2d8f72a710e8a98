"""workreview's library stages (read → segment → extract → normalize → store → summarize) and the dataset API."""


def __getattr__(name: str):
    # Lazy, so worker processes that only read and extract never import pandas and DuckDB for it.
    if name in ("load_dataset", "Dataset"):
        from pipeline import dataset

        return getattr(dataset, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


__all__ = ["Dataset", "load_dataset"]
