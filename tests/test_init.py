"""``tmall-books init``: a new ledger with the full chart, that loads without errors."""

from beancount import loader
from beancount.core import account as account_lib
from beancount.core import data
from click.testing import CliRunner

from beancount_tmall import accounts
from beancount_tmall.cli import main
from beancount_tmall.plugins import PLUGINS


def test_chart_accounts_are_valid_and_unique():
    names = [a.account for a in accounts.CHART]
    assert len(names) == len(set(names))
    for acc in accounts.CHART:
        assert account_lib.is_valid(acc.account), acc.account
        assert acc.account.rsplit(":", 1)[1] == f"{acc.code}-{acc.name}"


def test_check_valid_rejects_chinese_first_component():
    import pytest

    with pytest.raises(ValueError, match="其他货币资金"):
        accounts.check_valid("Assets:其他货币资金")


def test_init_creates_a_clean_ledger_and_repo_skeleton(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "books")])
    assert result.exit_code == 0, result.output
    main_file = tmp_path / "books" / "main.beancount"
    text = main_file.read_text(encoding="utf-8")
    assert 'option "operating_currency" "CNY"' in text
    assert "tmall-books extract" in text
    for name in PLUGINS:
        assert name in text
    entries, errors, options = loader.load_file(str(main_file))
    assert errors == []
    opens = {e.account: e for e in entries if isinstance(e, data.Open)}
    assert set(opens) == {a.account for a in accounts.CHART}
    assert opens[accounts.ALIPAY].meta["code"] == "101201"
    assert opens[accounts.ALIPAY].meta["name"] == "支付宝"
    assert (tmp_path / "books" / ".gitignore").exists()
    assert (tmp_path / "books" / "ci" / "bean-check.sh").read_text().count("bean-check main") == 2
    assert (tmp_path / "books" / "documents" / "inbox").is_dir()


def test_init_refuses_to_overwrite(tmp_path):
    (tmp_path / "main.beancount").write_text("; mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code != 0
    assert "refusing to overwrite" in result.output
    assert (tmp_path / "main.beancount").read_text(encoding="utf-8") == "; mine\n"


def test_import_config_template_is_the_repository_import_py():
    from conftest import REPO

    from beancount_tmall.ledger_init import import_config_text

    assert import_config_text() == (REPO / "importers" / "import.py").read_text(encoding="utf-8")


def test_init_ledger_has_fava_page_and_import_config(tmp_path):
    import runpy

    from beancount_tmall.ledger_init import init_ledger

    main_file = init_ledger(tmp_path)
    text = main_file.read_text(encoding="utf-8")
    assert 'custom "fava-extension" "beancount_tmall.fava"' in text
    assert 'custom "fava-option" "import-config" "import.py"' in text
    config = runpy.run_path(str(tmp_path / "import.py"))["CONFIG"]
    assert [type(i).__name__ for i in config] == ["AlipayStatementImporter", "FeeInvoiceImporter"]
    assert (tmp_path / "documents" / "inbox").is_dir()
