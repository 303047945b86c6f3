"""The Fava extension "天猫对账": where the store stands with Tmall, month by month.

Enable it in the ledger::

    custom "fava-extension" "beancount_tmall.fava"

One sidebar entry, one page: the open 待核对 rows first (statement rows no rule explained, with
their age and source), then tabs (``?tab=monthly|aging|annual_fee``, ``?year=2025``).
The class is thin: each tab is a module of ``beancount_tmall.fava.tabs`` whose ``build`` calls
``beancount_tmall.reports`` (shared with the CLI and the tests) and returns plain data, rendered
by the tab's block in ``templates/TmallReconciliation.html``. Views are cached per ledger load.

Endpoints (``…/extension/TmallReconciliation/<name>?tab=…&year=…``):

``data``   the tab's report as JSON (the same dataclasses the page renders)
``chart``  one of the tab's charts as ``image/svg+xml`` (``&name=fees_chart`` …)
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from fava.ext import FavaExtensionBase, extension_endpoint
from flask import abort, g, request, url_for
from markupsafe import Markup

from beancount_tmall.fava.tabs import TABS, Tab, TabContext
from beancount_tmall.reports.reconciliation import last_date, ledger_years
from beancount_tmall.reports.suspense import SuspenseReport, suspense_report


class FavaLinks:
    """Fava URLs for the figures: the query page, an account's journal, the journal, the editor.

    Every link sets ``time`` itself (a month, or empty for queries that carry their own dates), so
    the global time filter of the page the user came from does not hide the rows of a figure.
    ``url_for`` runs once per kind of link and request (it costs ~0.1 ms, and a year has hundreds
    of figures); the values are then quoted into that URL the way werkzeug quotes them.
    """

    def _template(self, endpoint: str, **values: str) -> str:
        cache = getattr(g, "tmall_url_templates", None)
        if cache is None:
            cache = g.tmall_url_templates = {}
        key = (endpoint, tuple(sorted(values.items())))
        if key not in cache:
            cache[key] = url_for(endpoint, **values)
        return cache[key]

    def query(self, query_string: str) -> str:
        base = self._template("report", report_name="query", time="")
        return f"{base}&{_encoded_query(query_string)}"

    def account(self, account: str, time: str | None = None) -> str:
        base = self._template("account", name="ACCOUNT", time="TIME")
        return base.replace("ACCOUNT", quote(account, safe=":"), 1).replace(
            "time=TIME", urlencode({"time": time or ""}), 1
        )

    def journal(self, filter: str | None = None, time: str | None = None) -> str:  # noqa: A002
        return url_for("report", report_name="journal", filter=filter or "", time=time or "")

    def source(self, filename: str | None, lineno: int | None) -> str:
        if not filename or filename.startswith("<"):
            return url_for("report", report_name="errors")
        return url_for("report", report_name="editor", file_path=filename, line=lineno or 1)


    # The page's three cell helpers (Jinja macros cost ~10 µs a call; a year's page has thousands).

    def num(self, number: Any) -> Markup:
        """An amount with thousands separators; zero greyed out."""
        if number:
            return Markup(f"{number:,.2f}")
        return Markup('<span class="zero">0.00</span>')

    def fig(self, figure: Any, cls: str = "") -> Markup:
        """A figure, linked to the query page with the BQL query that produced it."""
        return Markup(
            '<a class="fig {}" href="{}" title="在查询页查看产生此数的分录">{}</a>'
        ).format(cls, self.query(figure.query), self.num(figure.amount))

    def badge(self, status: str, text: str) -> Markup:
        """A status as a coloured label (``status-awaiting-invoice`` …)."""
        return Markup('<span class="badge status-{}">{}</span>').format(status.replace(" ", "-"), text)


@functools.lru_cache(maxsize=8192)
def _encoded_query(query_string: str) -> str:
    """``query_string=…`` URL-encoded (the same queries come back on every request)."""
    return urlencode({"query_string": query_string})


@dataclass(frozen=True)
class Page:
    """What the page template needs: the tabs, the chosen one and its view, the years."""

    tabs: tuple[Tab, ...]
    tab: Tab
    year: int
    years: tuple[int, ...]
    as_of: datetime.date | None
    view: Any
    suspense: SuspenseReport


class TmallReconciliation(FavaExtensionBase):
    """天猫对账: 月度对账, 应收账龄, 年费进度 (and later 退货, 报表)."""

    report_title = "天猫对账"

    def __init__(self, ledger: Any, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self._cache: dict[Any, Any] = {}
        self.links = FavaLinks()

    def after_load_file(self) -> None:
        self._cache.clear()

    # ------------------------------------------------------------------ request parsing

    def _tab(self) -> Tab:
        key = request.args.get("tab") or TABS[0].key
        tab = next((t for t in TABS if t.key == key), None)
        if tab is None:
            abort(404)
        return tab

    def years(self) -> tuple[int, ...]:
        if "years" not in self._cache:
            self._cache["years"] = tuple(ledger_years(self.ledger.all_entries))
        return self._cache["years"]

    def _year(self) -> int:
        arg = request.args.get("year")
        if arg:
            if not arg.isdigit() or not 1900 <= int(arg) <= 9998:
                abort(400)
            return int(arg)
        if request.args.get("time"):
            date_range = g.filtered.date_range
            if date_range is not None:
                return date_range.begin.year
        years = self.years()
        if years:
            return years[-1]
        return (last_date(self.ledger.all_entries) or datetime.date.today()).year

    # ------------------------------------------------------------------ views

    def view(self, tab: Tab, year: int) -> Any:
        """The tab's view for ``year``, built once per ledger load (and per filter arguments)."""
        filters = tuple(request.args.get(k, "") for k in ("conversion", "interval", "account", "filter", "month", "standard"))
        key = (tab.key, year, filters)
        if key not in self._cache:
            entries = self.ledger.all_entries
            ctx = TabContext(
                entries=entries,
                errors=self.ledger.load_errors,
                options=self.ledger.options,
                year=year,
                as_of=last_date(entries),
                links=self.links,
                month=request.args.get("month") or None,
            )
            self._cache[key] = tab.build(ctx)
        return self._cache[key]

    def suspense(self) -> SuspenseReport:
        """The open 待核对 rows (every tab lists them first), built once per ledger load."""
        if "suspense" not in self._cache:
            entries = self.ledger.all_entries
            self._cache["suspense"] = suspense_report(entries, self.ledger.options, last_date(entries))
        return self._cache["suspense"]

    def page(self) -> Page:
        """Called by the template: the current tab, year and the tab's view."""
        tab, year = self._tab(), self._year()
        years = tuple(sorted(set(self.years()) | {year}))
        as_of = last_date(self.ledger.all_entries)
        return Page(TABS, tab, year, years, as_of, self.view(tab, year), self.suspense())

    def tab_url(self, key: str, year: int) -> str:
        return url_for("extension_report", extension_name=self.name, tab=key, year=year)

    # ------------------------------------------------------------------ endpoints

    @extension_endpoint
    def data(self) -> Any:
        """The current tab's view as JSON (charts left out)."""
        tab, year = self._tab(), self._year()
        view = self.view(tab, year)
        fields = {k: v for k, v in vars(view).items() if not isinstance(v, Markup)}
        return {"tab": tab.key, "year": year, "data": fields, "suspense": self.suspense()}

    @extension_endpoint
    def chart(self) -> Any:
        """One chart of the current tab as an SVG document."""
        tab, year = self._tab(), self._year()
        svg = getattr(self.view(tab, year), request.args.get("name", ""), None)
        if not isinstance(svg, Markup):
            abort(404)
        return str(svg), 200, {"Content-Type": "image/svg+xml; charset=utf-8"}
