"""The committed demo books (ledgers/demo) check clean, and a broken invoice makes them fail.

The demo is a year of daily entries with every plugin configured, and its goods side: monthly
``#cogs`` entries, returns, breakage with photos, approved compensations. The broken variants are
copies in ``tmp_path`` (the ``*.beancount`` files, the 破损 photos the ``document`` entries name,
and otherwise an empty ``documents`` folder for ``option "documents"``) with one edit to the month
file that holds the 2025-03 天猫佣金 invoice.

``TMALL_DEMO_DIR`` points the tests at another build of the demo (e.g. ``tmall-books demo /tmp/x``)
than the committed ``ledgers/demo``.
"""

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.plugins import PLUGINS

REPO = Path(__file__).resolve().parent.parent
DEMO = Path(os.environ.get("TMALL_DEMO_DIR") or REPO / "ledgers" / "demo")
BEAN_CHECK = Path(sys.executable).with_name("bean-check")

#: The 2025-03 天猫佣金 invoice of the demo: its header line up to its receivable posting.
MARCH_COMMISSION = re.compile(
    r'^\d{4}-\d{2}-\d{2} \* "[^"]*" "2025-03 天猫佣金发票" #invoice\n'
    r"(?:  [\w-]+: .*\n)*"
    r"  Assets:1221-其他应收款:122101-天猫佣金\s+(-?[\d.]+) CNY\n",
    re.M,
)


def copy_demo(directory: Path) -> Path:
    """The demo's ``*.beancount`` files copied under ``directory``; its main file."""
    for src in DEMO.rglob("*.beancount"):
        rel = src.relative_to(DEMO)
        if rel.parts[0] == "documents":
            continue
        dst = directory / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    (directory / "documents").mkdir()
    if (DEMO / "documents" / "破损").is_dir():  # the photos the 破损 document entries name
        shutil.copytree(DEMO / "documents" / "破损", directory / "documents" / "破损")
    return directory / "main.beancount"


def invoice_file(directory: Path) -> Path:
    """The month file (``YYYY/MM.beancount``, as ``tmall-books import`` files it) holding the
    2025-03 天猫佣金 invoice."""
    found = [
        p for p in sorted(directory.rglob("*.beancount"))
        if MARCH_COMMISSION.search(p.read_text(encoding="utf-8"))
    ]
    assert len(found) == 1, found
    return found[0]


def march_commission_invoice(text: str) -> re.Match:
    matches = list(MARCH_COMMISSION.finditer(text))
    assert len(matches) == 1, "the demo has exactly one 2025-03 天猫佣金 invoice"
    return matches[0]


def bean_check(main: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    return subprocess.run(
        [str(BEAN_CHECK), str(main)], capture_output=True, text=True, env=env, timeout=120
    )


def test_committed_demo_loads_without_errors():
    entries, errors, options = loader.load_file(str(DEMO / "main.beancount"))
    assert errors == []
    plugins = [name for name, _ in options["plugin"]]
    assert plugins == list(PLUGINS)
    # The plugins did run: the compact 2025-03 天猫佣金 invoice was completed.
    (invoice,) = [e for e in entries if getattr(e, "narration", None) == "2025-03 天猫佣金发票"]
    assert {p.account for p in invoice.postings} == {
        accounts.COMMISSION_RECEIVABLE,
        accounts.COMMISSION_EXPENSE,
        accounts.INPUT_VAT,
    }


def test_bean_check_passes_on_committed_demo():
    assert BEAN_CHECK.exists(), BEAN_CHECK
    result = bean_check(DEMO / "main.beancount")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""


def test_copy_of_demo_is_clean(tmp_path):
    """The copy the tests below break is itself clean (the empty documents folder is enough)."""
    _, errors, _ = loader.load_file(str(copy_demo(tmp_path)))
    assert errors == []


def test_deleting_an_invoice_fails_with_no_invoice(tmp_path):
    main = copy_demo(tmp_path)
    path = invoice_file(tmp_path)
    text = path.read_text(encoding="utf-8")
    match = march_commission_invoice(text)
    deducted = -Decimal(match.group(1))  # the demo's invoice matches the month's deductions
    path.write_text(text[: match.start()] + text[match.end() :], encoding="utf-8")

    _, errors, _ = loader.load_file(str(main))

    assert len(errors) == 1, [e.message for e in errors]
    message = errors[0].message
    assert message.startswith(f"天猫佣金 ({accounts.COMMISSION_RECEIVABLE}) 2025-03: ")
    assert f"扣款 {deducted} CNY, 截至开票截止日 2025-04-25 仍无发票" in message
    # Judged at the ledger's last date: the statement's closing balance assertion on 2026-01-01.
    assert "(账簿截至 2026-01-01)" in message
    # The error points at the month's last deduction, so bean-check prints file:line of it.
    assert errors[0].source["filename"] == str(tmp_path / "2025" / "03.beancount")


def test_deleting_an_invoice_makes_bean_check_fail(tmp_path):
    main = copy_demo(tmp_path)
    path = invoice_file(tmp_path)
    text = path.read_text(encoding="utf-8")
    match = march_commission_invoice(text)
    path.write_text(text[: match.start()] + text[match.end() :], encoding="utf-8")

    result = bean_check(main)

    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert re.search(
        rf"{re.escape(str(tmp_path / '2025' / '03.beancount'))}:\d+: +天猫佣金 "
        rf"\({re.escape(accounts.COMMISSION_RECEIVABLE)}\) 2025-03: 扣款 "
        rf"{-Decimal(match.group(1))} CNY, 截至开票截止日 \S+ 仍无发票",
        output,
    ), output


@pytest.mark.parametrize("delta", [Decimal("0.01"), Decimal("-0.01")], ids=["+0.01", "-0.01"])
def test_invoice_off_by_a_cent_is_a_mismatch(tmp_path, delta):
    main = copy_demo(tmp_path)
    path = invoice_file(tmp_path)
    text = path.read_text(encoding="utf-8")
    match = march_commission_invoice(text)
    deducted = -Decimal(match.group(1))
    invoiced = deducted + delta
    start, end = match.span(1)
    path.write_text(text[:start] + f"{-invoiced}" + text[end:], encoding="utf-8")

    _, errors, _ = loader.load_file(str(main))

    assert len(errors) == 1, [e.message for e in errors]
    message = errors[0].message
    assert message.startswith(f"天猫佣金 ({accounts.COMMISSION_RECEIVABLE}) 2025-03: ")
    number = re.search(r'invoice-no: "(\d+)"', match.group(0)).group(1)
    assert f"扣款 {deducted} CNY, 已开票 {invoiced} CNY (发票 {number})" in message
    assert f"差额 {-delta} CNY" in message


def test_committed_demo_has_the_goods_side():
    """Cost of sales every month, purchases, returns both ways, breakage with photos, approvals."""
    entries, errors, _ = loader.load_file(str(DEMO / "main.beancount"))
    assert errors == []
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    cogs = [t.meta["period"] for t in txns if "cogs" in t.tags]
    assert cogs == [f"2025-{m:02d}" for m in range(1, 13)]
    cost = sum(p.units.number for t in txns for p in t.postings
               if p.account.startswith(accounts.COST_OF_SALES) and t.date.year == 2025)
    revenue = -sum(p.units.number for t in txns for p in t.postings
                   if p.account == accounts.REVENUE and t.date.year == 2025)
    assert Decimal("0.3") * revenue < cost < Decimal("0.7") * revenue
    assert any("purchase" in t.tags for t in txns)
    inspections = Counter(t.meta["inspection"] for t in txns if "return" in t.tags)
    assert inspections["合格"] > 0 and inspections["不合格"] > 0
    photos = [e for e in entries if isinstance(e, data.Document) and e.account == accounts.BREAKAGE]
    assert photos and all(Path(d.filename).is_file() for d in photos)
    paid = [p for t in txns for p in t.postings if p.account == accounts.COMPENSATION]
    assert paid and all("approved-by" in p.meta for p in paid)
    for name in ("成本表.csv", "验货记录.csv", "售后审批单.csv"):
        assert (DEMO / name).is_file()


def test_deleting_an_approval_fails(tmp_path):
    """The approvals plugin is live in the demo: an approval removed is an error at its posting."""
    main = copy_demo(tmp_path)
    path = tmp_path / "2025" / "03.beancount"
    text = path.read_text(encoding="utf-8")
    match = re.search(r'\n( +)approved-by: "[^"]+"\n\1approver-role: "[^"]+"\n', text)
    path.write_text(text[: match.start()] + "\n" + text[match.end():], encoding="utf-8")

    _, errors, _ = loader.load_file(str(main))

    assert len(errors) == 1, [e.message for e in errors]
    assert errors[0].message.startswith("售后赔付审批 ") and "没有审批" in errors[0].message
