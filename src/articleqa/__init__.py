"""articleqa: answer questions about a collection of articles by quoting them verbatim.

``from articleqa import ArticleQA`` is the library's front door (see ``articleqa.engine``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from articleqa.engine import ArticleQA

__version__ = "0.1.0"
__all__ = ["ArticleQA", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported on first use: `articleqa --help` and the package version stay free of numpy
    # and the rest of the engine.
    if name == "ArticleQA":
        from articleqa.engine import ArticleQA

        return ArticleQA
    raise AttributeError(name)
