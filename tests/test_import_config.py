"""``importers/import.py``: one import configuration for beangulp's command line and Fava's import page.

Its ``CONFIG`` (the Alipay statement and fee-invoice importers) must identify, extract and archive
the same files as ``tmall-books extract``, give the same entries, and leave out what the ledger
already holds, both through ``python import.py extract -e main.beancount`` and through Fava's
``/api/imports`` + ``/api/extract`` (the import page) on a ledger made by ``tmall-books init``.
"""

from __future__ import annotations

import datetime
import io
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from alipay_samples import FIXTURES, ROWS
from beancount import loader
from beancount.core import data
from beancount.parser import parser, printer
from click.testing import CliRunner
from conftest import REPO
from fava.application import create_app

from beancount_tmall import accounts
from beancount_tmall.cli import main as tmall_books
from beancount_tmall.ledger_init import init_ledger, main_text

IMPORT_PY = REPO / "importers" / "import.py"
STATEMENT = FIXTURES / "statement_16col_gbk.csv"
ZIP = FIXTURES / "bill_20250318.zip"
ORDERS = FIXTURES / "orders_gbk.csv"
ALIPAY = "beancount_tmall.alipay_statement"
INVOICES = "beancount_tmall.fee_invoices"
INVOICE_NAME = "发票台账_2025.csv"
#: March's 天猫佣金 invoice: 2.80 CNY is what the fixture statement deducts net (5.00 - 2.50 + 0.30).
INVOICE_CSV = (
    "开票日期,发票号码,开票方,受票方,所属期间,费用类型,价税合计,税率\n"
    "2025-04-09,25332000000012345678,浙江天猫技术有限公司,杭州云栖示例商贸有限公司,2025-03,天猫佣金,2.80,6%\n"
)
HEADER = ";; -*- mode: beancount -*-\n"



def beyond_fixture_history(errors) -> list:
    """The errors but the two the fixture statement must give: its row ``技术服务费年费返还2024``
    refunds a 2024 annual fee (``fee-year: "2024"``) that no ledger of these tests deducted."""
    expected = [e for e in errors if "年费 2024" in e.message]
    assert len(expected) == 2, [e.message for e in errors]
    return [e for e in errors if e not in expected]

def fixture_days() -> dict[datetime.date, tuple[Decimal, Decimal, int]]:
    """Per statement day of the fixture: (net Alipay amount, balance at the end of the day, rows)."""
    days: dict[datetime.date, list] = {}
    balance = Decimal(0)
    for time, _biz, _remark, _order, amount, _party, _name in ROWS:
        balance += Decimal(amount)
        day = days.setdefault(datetime.date.fromisoformat(time[:10]), [Decimal(0), None, 0])
        day[0] += Decimal(amount)
        day[1] = balance
        day[2] += 1
    return {date: tuple(v) for date, v in days.items()}


DAYS = fixture_days()


def invoice_file(directory: Path) -> Path:
    path = directory / INVOICE_NAME
    path.write_text(INVOICE_CSV, encoding="utf-8")
    return path


def run_import_py(*args, cwd: Path) -> subprocess.CompletedProcess:
    """``python importers/import.py ARGS`` in ``cwd``, as a store would run it."""
    env = dict(os.environ, BEANCOUNT_DISABLE_LOAD_CACHE="1")
    return subprocess.run(
        [sys.executable, str(IMPORT_PY), *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )


def entry_key(entry) -> tuple:
    """What an entry says, without where it was parsed from or how it was formatted."""
    meta = {k: v for k, v in (entry.meta or {}).items() if k not in ("filename", "lineno")}
    if isinstance(entry, data.Transaction):
        postings = tuple((p.account, p.units) for p in entry.postings)
        return ("txn", entry.date, entry.flag, entry.payee, entry.narration, entry.tags,
                entry.links, tuple(sorted(meta.items())), postings)
    if isinstance(entry, data.Balance):
        return ("balance", entry.date, entry.account, entry.amount)
    return (type(entry).__name__, entry.date, tuple(sorted(meta.items())))


def booked(keys: list[tuple]) -> list[tuple]:
    """Keys of the entries that book something: without the notes the beangulp path adds (the
    importer's warnings, the adoption of the statement's account) and the ``custom`` adoption
    directive ``tmall-books extract`` prints instead."""
    return [k for k in keys if k[0] not in ("Note", "Custom")]


def parse(text: str) -> list:
    entries, errors, _ = parser.parse_string(text)
    assert errors == [], errors
    return entries


def chart_ledger(path: Path, body: str) -> Path:
    """The chart of accounts and plugins of a new ledger, then ``body``."""
    path.write_text(main_text("测试", datetime.date(2025, 1, 1), import_config=None) + "\n" + body,
                    encoding="utf-8")
    return path


def check_statement_entries(keys: list[tuple]) -> None:
    """The daily 支付宝结算 transactions and balance assertions of the fixture statement."""
    txns = [k for k in keys if k[0] == "txn" and "支付宝结算" in k[4]]
    assert [(k[1], k[4]) for k in txns] == [
        (date, f"{date:%Y-%m-%d} 支付宝结算 {rows} 笔") for date, (_, _, rows) in DAYS.items()
    ]
    for key in txns:
        postings = key[8]
        assert postings[0] == (accounts.ALIPAY, data.Amount(DAYS[key[1]][0], "CNY"))
        assert sum(units.number for _, units in postings) == 0
    balances = [k for k in keys if k[0] == "balance"]
    assert balances == [
        ("balance", date + datetime.timedelta(days=1), accounts.ALIPAY, data.Amount(end, "CNY"))
        for date, (_, end, _) in DAYS.items()
    ]


# --- beangulp: python importers/import.py identify | extract | archive -----------------------


def identified(stdout: str) -> dict[str, str | None]:
    """``identify`` output (``* PATH ... OK`` then ``  IMPORTER``) as basename -> importer name."""
    found: dict[str, str | None] = {}
    current = None
    for line in stdout.splitlines():
        if line.startswith("* "):
            current = Path(line[2:].removesuffix(" ... OK")).name
            found[current] = None
        elif line.startswith("  ") and current is not None and found[current] is None:
            found[current] = line.strip()
    return found


def test_identify_names_the_importer_of_each_file(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in (STATEMENT, ZIP, ORDERS):
        shutil.copy(path, inbox)
    invoice_file(inbox)
    (inbox / "notes.txt").write_text("not a statement\n", encoding="utf-8")

    result = run_import_py("identify", inbox, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert identified(result.stdout) == {
        "bill_20250318.zip": ALIPAY,
        "notes.txt": None,
        "orders_gbk.csv": None,  # order exports only feed AlipayStatementImporter(orders=...)
        STATEMENT.name: ALIPAY,
        INVOICE_NAME: INVOICES,
    }

    verbose = run_import_py("identify", "-v", inbox / STATEMENT.name, inbox / INVOICE_NAME, cwd=tmp_path)
    assert verbose.returncode == 0, verbose.stderr
    assert verbose.stdout.splitlines()[1:3] == [f"  {ALIPAY}", f"  {accounts.ALIPAY}"]
    assert verbose.stdout.splitlines()[4:6] == [f"  {INVOICES}", f"  {accounts.COMMISSION_RECEIVABLE}"]


def test_extract_gives_the_entries_of_tmall_books_extract_and_nothing_twice(tmp_path):
    invoices = invoice_file(tmp_path)
    statement = tmp_path / STATEMENT.name  # alone: no order export beside it
    shutil.copy(STATEMENT, statement)
    first = run_import_py("extract", statement, invoices, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(HEADER)
    assert f"**** {statement}\n" in first.stdout and f"**** {invoices}\n" in first.stdout
    assert "2 rows match no rule" in first.stderr  # 神秘扣款 and 转账 往来款, reported as by tmall-books

    ours = booked([entry_key(e) for e in parse(first.stdout)])
    check_statement_entries(ours)
    assert [k[4] for k in ours if k[0] == "txn" and "invoice" in k[5]] == ["2025-03 天猫佣金发票"]

    cli = CliRunner().invoke(tmall_books, ["extract", str(statement), str(invoices)])
    assert cli.exit_code == 0, cli.stderr
    assert ours == booked([entry_key(e) for e in parse(cli.stdout)])

    existing = chart_ledger(tmp_path / "existing.beancount", first.stdout)
    _, errors, _ = loader.load_file(str(existing))
    assert beyond_fixture_history(errors) == []

    again = run_import_py("extract", "-e", existing, statement, invoices, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    # beangulp 0.2 keeps a section per identified file, but our importers leave out what the
    # ledger holds already (账务流水号 ranges, balance dates, 发票号码): no entries, not even
    # commented-out "; duplicate of" ones.
    assert again.stdout == f"{HEADER}\n**** {statement}\n\n\n**** {invoices}\n\n\n"
    assert parse(again.stdout) == []


def test_archive_files_statements_under_their_accounts(tmp_path):
    inbox, documents = tmp_path / "inbox", tmp_path / "documents"
    inbox.mkdir()
    documents.mkdir()
    shutil.copy(STATEMENT, inbox)
    invoice_file(inbox)

    result = run_import_py("archive", "-o", documents, inbox, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert list(inbox.iterdir()) == []
    assert sorted(p.relative_to(documents).as_posix() for p in documents.rglob("*.csv")) == [
        "Assets/1012-其他货币资金/101201-支付宝/2025-03-17.statement_16col_gbk.csv",
        "Assets/1221-其他应收款/122101-天猫佣金/2025-04-09.发票台账_2025.csv",
    ]


def test_tmall_books_import_archives_where_beangulp_archive_does(tmp_path):
    """``tmall-books import`` files each source at the path ``python import.py archive`` would."""
    books = tmp_path / "books"
    init_ledger(books, open_date=datetime.date(2025, 1, 1))
    inbox = books / "documents" / "inbox"
    shutil.copy(STATEMENT, inbox)
    invoice_file(inbox)
    sources = sorted(p for p in inbox.iterdir() if not p.name.startswith("."))
    result = CliRunner().invoke(
        tmall_books, ["import", *map(str, sources), "--ledger", str(books / "main.beancount")]
    )
    assert result.exit_code == 0, result.output
    archived = sorted(
        p.relative_to(books / "documents").as_posix()
        for p in (books / "documents").rglob("*.csv") if "inbox" not in p.parts
    )
    (tmp_path / "by-beangulp").mkdir()
    beangulp = run_import_py("archive", "-o", tmp_path / "by-beangulp", inbox, cwd=tmp_path)
    assert beangulp.returncode == 0, beangulp.stderr
    assert archived == sorted(
        p.relative_to(tmp_path / "by-beangulp").as_posix() for p in (tmp_path / "by-beangulp").rglob("*.csv")
    )
    assert len(archived) == 2


def test_extract_of_an_inbox_with_the_csv_and_the_zip_of_one_statement_gives_each_day_once(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(STATEMENT, inbox)
    shutil.copy(ZIP, inbox)
    result = run_import_py("extract", inbox, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    keys = [entry_key(e) for e in parse(result.stdout)]
    # beangulp prints the second file's days commented out, as duplicates (deduplicate()).
    assert sum(k[0] == "txn" for k in keys) == len(DAYS)
    assert result.stdout.count("; 2025-03-16 ! ") == 1  # flagged: it has a row to review
    cli = CliRunner().invoke(tmall_books, ["extract", str(inbox / STATEMENT.name), str(inbox / ZIP.name)])
    assert booked(keys) == booked([entry_key(e) for e in parse(cli.stdout)])


# --- Fava's import page on a ledger made by tmall-books init -----------------------------------


class FavaImport:
    """Fava on ``tmall-books init``'s ledger, with the files uploaded to documents/inbox."""

    def __init__(self, directory: Path) -> None:
        self.main = init_ledger(directory)
        self.inbox = directory / "documents" / "inbox"
        # The poll watcher: Fava reloads on the next request once main.beancount's mtime moves.
        self.app = create_app([str(self.main)], poll_watcher=True)
        self.app.testing = True
        self.client = self.app.test_client()
        self.slug = urlsplit(self.client.get("/").location).path.strip("/").split("/")[0]

    @property
    def ledger(self):
        return self.app.config["LEDGERS"][unquote(self.slug)]

    def api(self, method: str, endpoint: str, **kwargs):
        response = getattr(self.client, method)(f"/{self.slug}/api/{endpoint}", **kwargs)
        assert response.status_code == 200, (endpoint, response.status_code, response.data[:500])
        return response.json["data"]

    def upload(self, name: str, content: bytes) -> Path:
        message = self.api(
            "put", "upload_import_file", data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )
        assert message == f"Uploaded to {self.inbox / name}"
        return self.inbox / name

    def extract(self, path: Path, importer: str) -> list[dict]:
        return self.api("get", "extract", query_string={"filename": str(path), "importer": importer})


@pytest.fixture
def fava(tmp_path):
    site = FavaImport(tmp_path / "books")
    site.statement = site.upload(STATEMENT.name, STATEMENT.read_bytes())
    site.zip = site.upload(ZIP.name, ZIP.read_bytes())
    site.invoices = site.upload(INVOICE_NAME, INVOICE_CSV.encode("utf-8"))
    return site


def test_fava_import_page_identifies_the_uploaded_files(fava):
    files = {item["basename"]: item for item in fava.api("get", "imports")}
    assert set(files) == {".gitkeep", STATEMENT.name, ZIP.name, INVOICE_NAME}
    assert files[".gitkeep"]["importers"] == []
    assert files[STATEMENT.name]["name"] == str(fava.statement)
    for name in (STATEMENT.name, ZIP.name):
        assert files[name]["importers"] == [{
            "importer_name": ALIPAY, "account": accounts.ALIPAY,
            "date": "2025-03-17", "name": name,  # the statement's last day; its own file name
        }]
    assert files[INVOICE_NAME]["importers"] == [{
        "importer_name": INVOICES, "account": accounts.COMMISSION_RECEIVABLE,
        "date": "2025-04-09", "name": INVOICE_NAME,
    }]


def json_key(entry: dict) -> tuple:
    """An entry of Fava's JSON as :func:`entry_key` sees it (through beancount's parser)."""
    meta = {k: v for k, v in entry["meta"].items() if k not in ("filename", "lineno")}
    if entry["t"] == "Balance":
        amount = entry["amount"]
        return ("balance", datetime.date.fromisoformat(entry["date"]), entry["account"],
                data.Amount(Decimal(amount["number"]), amount["currency"]))
    assert entry["t"] == "Transaction"
    postings = []
    for posting in entry["postings"]:
        number, currency = posting["amount"].split()
        postings.append((posting["account"], data.Amount(Decimal(number), currency)))
    meta = {k: Decimal(str(v)) if isinstance(v, int | float) else v for k, v in meta.items()}
    return ("txn", datetime.date.fromisoformat(entry["date"]), entry["flag"], entry["payee"],
            entry["narration"], frozenset(entry["tags"]), frozenset(entry["links"]),
            tuple(sorted(meta.items())), tuple(postings))


def test_fava_extracts_with_the_same_importers_and_dedups_against_the_ledger(fava):
    statement = fava.extract(fava.statement, ALIPAY)
    assert {e["t"] for e in statement} == {"Transaction", "Balance", "Note"}
    statement = [e for e in statement if e["t"] != "Note"]  # the importer's warnings, adoption
    assert all(e["meta"]["filename"] == str(fava.statement) for e in statement)
    check_statement_entries([json_key(e) for e in statement])
    invoices = fava.extract(fava.invoices, INVOICES)
    assert [(e["narration"], e["meta"]["invoice-no"], e["postings"]) for e in invoices] == [(
        "2025-03 天猫佣金发票", "25332000000012345678",
        [{"account": accounts.COMMISSION_RECEIVABLE, "amount": "-2.80 CNY"}],
    )]

    # The same entries as beangulp's and tmall-books' extract of these files.
    cli = CliRunner().invoke(tmall_books, ["extract", str(fava.statement), str(fava.invoices)])
    assert cli.exit_code == 0, cli.stderr
    assert [json_key(e) for e in statement + invoices] == booked([entry_key(e) for e in parse(cli.stdout)])

    # Save what was extracted into main.beancount; Fava reloads on the next request.
    imported = parse(cli.stdout)
    before = fava.main.stat().st_mtime_ns
    with fava.main.open("a", encoding="utf-8") as out:
        out.write("\n")
        printer.print_entries(imported, file=out)
    os.utime(fava.main, ns=(before + 10**9, before + 10**9))

    assert fava.extract(fava.statement, ALIPAY) == []
    assert fava.extract(fava.zip, ALIPAY) == []  # the same rows, downloaded as the bill zip
    assert fava.extract(fava.invoices, INVOICES) == []
    ledger = fava.ledger
    narrations = [e.narration for e in ledger.all_entries if isinstance(e, data.Transaction)]
    assert sum("支付宝结算" in n for n in narrations) == len(DAYS)
    assert "2025-03 天猫佣金发票" in narrations
    assert beyond_fixture_history(ledger.errors) == []  # the invoice matches March's commission: the plugins agree


def test_fava_import_page_saves_invoices_and_then_finds_nothing_new(fava):
    invoices = fava.extract(fava.invoices, INVOICES)
    assert len(invoices) == 1
    assert fava.api("put", "add_entries", json={"entries": invoices}) == "Stored 1 entries."
    assert 'invoice-no: "25332000000012345678"' in fava.main.read_text(encoding="utf-8")
    assert fava.extract(fava.invoices, INVOICES) == []


def test_fava_import_page_saves_the_daily_alipay_entries(fava):
    """Save on Fava's import page: the metadata survives Fava's JSON round trip (fava#1607:
    JSON numbers come back as int/float, which beancount's printer refuses; our counts are
    text and our money amounts, so nothing is a bare number)."""
    statement = fava.extract(fava.statement, ALIPAY)
    fava.api("put", "add_entries", json={"entries": statement})
    assert fava.extract(fava.statement, ALIPAY) == []
    entries, errors, _ = loader.load_file(str(fava.main))
    assert beyond_fixture_history(errors) == []
    days = [e for e in entries if isinstance(e, data.Transaction) and "alipay-first" in e.meta]
    assert [d.meta["rows"] for d in days] == ["6", "6", "13"]


def test_order_exports_beside_the_statement_give_consumer_points(tmp_path):
    """import.py reads 消费积分 from the 订单报表 in the statement's folder (orders="beside"),
    as tmall-books extract does when given the order export."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(STATEMENT, inbox)
    result = run_import_py("extract", inbox / STATEMENT.name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "consumer-points" not in result.stdout  # no order export there yet
    shutil.copy(ORDERS, inbox)
    result = run_import_py("extract", inbox / STATEMENT.name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cli = CliRunner().invoke(tmall_books, ["extract", str(STATEMENT), str(ORDERS)])
    assert cli.exit_code == 0, cli.stderr
    points = [e.meta["consumer-points"] for e in parse(result.stdout) if "consumer-points" in e.meta]
    assert points == [e.meta["consumer-points"] for e in parse(cli.stdout) if "consumer-points" in e.meta]
    assert points == ["2.50 CNY", "1.20 CNY"]


def test_fava_extract_reads_the_order_export_uploaded_beside_the_statement(fava):
    fava.upload(ORDERS.name, ORDERS.read_bytes())
    statement = fava.extract(fava.statement, ALIPAY)
    points = [e["meta"]["consumer-points"] for e in statement if "consumer-points" in e["meta"]]
    assert points == ["2.50 CNY", "1.20 CNY"]
    # Save keeps them (text survives Fava's JSON round trip) and the plugins read them.
    fava.api("put", "add_entries", json={"entries": statement})
    entries, errors, _ = loader.load_file(str(fava.main))
    assert beyond_fixture_history(errors) == []
    saved = [e for e in entries if isinstance(e, data.Transaction) and "consumer-points" in e.meta]
    assert [e.meta["consumer-points"] for e in saved] == ["2.50 CNY", "1.20 CNY"]
    assert all("invoiceable" in e.meta for e in saved)
