"""articleqa: answer questions about a collection of articles by quoting them verbatim."""

__version__ = "0.1.0"
