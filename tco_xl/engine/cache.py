"""A cache keyed on the assumptions' content (not their identity): the engine's per-call prices and the analyses."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TypeVar

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
    """Cache ``fn(a, *args, **kwargs)`` on (content of ``a``, args); every argument after ``a`` must be hashable.

    Arguments are bound to ``fn``'s signature with its defaults first, so ``f(a, "tco")``,
    ``f(a, "tco", 10_000)`` and ``f(a, metric="tco")`` share one entry.
    """
    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        signature = inspect.signature(fn)
        arity = len(signature.parameters) - 1

        @functools.lru_cache(maxsize=maxsize)
        def keyed(key: _ByContent, args: tuple, kwargs: tuple) -> T:
            return fn(key.a, *args, **dict(kwargs))

        @functools.wraps(fn)
        def wrapper(a: Assumptions, *args, **kwargs) -> T:
            if kwargs or len(args) != arity:  # (every argument given by position: already canonical)
                bound = signature.bind(a, *args, **kwargs)
                bound.apply_defaults()
                args, kwargs = bound.args[1:], bound.kwargs
            return keyed(_ByContent(a), args, tuple(sorted(kwargs.items())))

        wrapper.cache_clear = keyed.cache_clear  # type: ignore[attr-defined]
        return wrapper
    return decorate
