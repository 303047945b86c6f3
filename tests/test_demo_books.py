"""The committed demo books (ledgers/demo) check clean, and a broken invoice makes them fail.

The demo is a year of daily entries with all four plugins configured; it loads in well under a
second. The broken variants are copies in ``tmp_path`` (the ``*.beancount`` files and an empty
``documents`` folder for ``option "documents"``) with one edit to the month file that holds the
2025-03 天猫佣金 invoice.
"""

import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader

from beancount_tmall import accounts

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "ledgers" / "demo"
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
    assert plugins == [
        "beancount_tmall.plugins.sales",
        "beancount_tmall.plugins.invoices",
        "beancount_tmall.plugins.annual_fee",
        "beancount_tmall.plugins.consumer_points",
        "beancount_tmall.plugins.suspense",
    ]
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
