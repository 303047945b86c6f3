"""``tmall-books init``: a new ledger with the full chart, that loads without errors."""

from click.testing import CliRunner

from beancount.core import account as account_lib
from beancount.core import data
from beancount import loader

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
    assert (tmp_path / "books" / "documents").is_dir()


def test_init_refuses_to_overwrite(tmp_path):
    (tmp_path / "main.beancount").write_text("; mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code != 0
    assert "refusing to overwrite" in result.output
    assert (tmp_path / "main.beancount").read_text(encoding="utf-8") == "; mine\n"
