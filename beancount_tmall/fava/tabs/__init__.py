"""The tabs of the 天猫对账 page: one module per tab, discovered here.

A tab module defines ``KEY`` (the ``?tab=`` value and the template block's name), ``TITLE``
(Chinese, shown on the tab), ``ORDER`` (its place) and ``build(ctx: TabContext) -> view``, which
calls ``beancount_tmall.reports`` and returns plain data (plus chart SVG) for the template block
``{% block <KEY> %}`` in ``templates/TmallReconciliation.html``. Adding a tab (退货, 报表) is
adding one such module and one block; nothing else changes.
"""

from __future__ import annotations

import datetime
import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class Links(Protocol):
    """Builds the Fava URLs a tab links its figures to."""

    def query(self, query_string: str) -> str: ...

    def account(self, account: str, time: str | None = None) -> str: ...

    def journal(self, filter: str | None = None, time: str | None = None) -> str: ...  # noqa: A002

    def source(self, filename: str | None, lineno: int | None) -> str: ...


@dataclass(frozen=True)
class TabContext:
    """What every tab's ``build`` gets: the loaded ledger (after plugins) and the chosen year."""

    entries: Sequence[Any]
    errors: Sequence[Any]
    options: dict[str, Any]
    year: int
    as_of: datetime.date | None
    links: Links
    month: str | None = None  # ``?month=YYYY-MM`` as given (a tab checks it)


@dataclass(frozen=True)
class Tab:
    """A discovered tab module."""

    key: str
    title: str
    order: int
    build: Callable[[TabContext], Any]


def discover() -> tuple[Tab, ...]:
    """Every tab module of this package, in ``ORDER``."""
    tabs = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "KEY") and hasattr(module, "build"):
            tabs.append(Tab(module.KEY, module.TITLE, getattr(module, "ORDER", 100), module.build))
    return tuple(sorted(tabs, key=lambda t: (t.order, t.key)))


TABS: tuple[Tab, ...] = discover()
