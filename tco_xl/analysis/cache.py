"""A cache keyed on the assumptions' content (not their identity), for the functions UDFs call."""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

from ..assumptions import Assumptions

T = TypeVar("T")


class _ByContent:
    """Assumptions hashed and compared by ``content_hash()``: equal inputs share cache entries."""

    __slots__ = ("a", "digest")

    def __init__(self, a: Assumptions):
        self.a, self.digest = a, a.content_hash()

    def __hash__(self) -> int:
        return hash(self.digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByContent) and other.digest == self.digest


def by_content(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Cache ``fn(a, *args, **kwargs)`` on (content of ``a``, args); every argument after ``a`` must be hashable."""
    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.lru_cache(maxsize=maxsize)
        def keyed(key: _ByContent, *args, **kwargs) -> T:
            return fn(key.a, *args, **kwargs)

        @functools.wraps(fn)
        def wrapper(a: Assumptions, *args, **kwargs) -> T:
            return keyed(_ByContent(a), *args, **kwargs)

        wrapper.cache_clear = keyed.cache_clear  # type: ignore[attr-defined]
        return wrapper
    return decorate
