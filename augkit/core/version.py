"""The version of augkit, in one place (read by the package, specs and generate jobs)."""

__version__ = "0.3.0"
