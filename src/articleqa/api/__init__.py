"""The HTTP retrieval service (FastAPI): ``create_app(settings)`` builds it.

``create_app`` is imported lazily so that ``articleqa.cli.serve`` (registered on every CLI
start) does not pull in FastAPI and the retrieval stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from articleqa.api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from articleqa.api.app import create_app

        return create_app
    raise AttributeError(name)
