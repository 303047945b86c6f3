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
    assert "tmall-books import" in text and "tmall-books extract" not in text
    assert 'custom "fava-option" "language" "zh_CN"' in text
    assert "DESIGN" not in text and "§" not in text  # nothing points to files a store lacks
    for name in PLUGINS:
        assert name in text
    entries, errors, options = loader.load_file(str(main_file))
    assert errors == []
    opens = {e.account: e for e in entries if isinstance(e, data.Open)}
    assert set(opens) == {a.account for a in accounts.CHART}
    assert opens[accounts.ALIPAY].meta["code"] == "101201"
    assert opens[accounts.ALIPAY].meta["name"] == "支付宝"
    assert (tmp_path / "books" / ".gitignore").exists()
    ci = (tmp_path / "books" / "ci" / "bean-check.sh").read_text()
    assert "BEANCOUNT_TMALL_SPEC" in ci and "beancount.scripts.check main.beancount" in ci
    gitignore = (tmp_path / "books" / ".gitignore").read_text()
    assert "bean-extract" not in gitignore and "tmall-books import" in gitignore
    assert (tmp_path / "books" / "documents" / "inbox").is_dir()


def test_init_refuses_to_overwrite(tmp_path):
    (tmp_path / "main.beancount").write_text("; mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code != 0
    assert "不覆盖已有账簿" in result.output
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


def test_every_plugin_setting_is_written_out_with_the_plugins_defaults(tmp_path):
    """The ledger states each plugin's settings, read from the modules: they cannot drift."""
    import importlib

    from beancount_tmall.ledger_init import PLUGIN_NOTES, init_ledger

    main_file = init_ledger(tmp_path)
    entries, errors, options = loader.load_file(str(main_file))
    assert errors == []
    configs = dict(options["plugin"])
    for name in PLUGINS:
        module = importlib.import_module(name)
        import ast

        written = ast.literal_eval(configs[name])
        assert written == module.DEFAULTS, name
        for key in module.DEFAULTS:  # every key explained in Chinese
            assert PLUGIN_NOTES[name][1].get(key), (name, key)
    text = main_file.read_text(encoding="utf-8")
    assert "'fee': None,  # 协议年费" in text and "'grace_days': 5,  # 到期日后的宽限天数" in text


def test_init_with_an_opening_table_and_alipay_accounts(tmp_path):
    table = tmp_path / "期初.csv"
    table.write_bytes(
        "科目编码,科目名称,借方余额,贷方余额\r\n101201,支付宝,1000.00,\r\n"
        "101202,支付宝二店,200.00,\r\n10120101,支付宝备用金,5.00,\r\n"
        "4001,实收资本,,1205.00\r\n合计,,1205.00,1205.00\r\n".encode("gbk")
    )
    second = "Assets:1012-其他货币资金:101202-支付宝二店"
    result = CliRunner().invoke(
        main,
        ["init", str(tmp_path / "b"), "--opening", str(table), "--start", "2025-03-01",
         "--alipay-account", "2088000000000001", "--alipay-account", f"2088000000000002={second}"],
    )
    assert result.exit_code == 0, result.output
    entries, errors, _ = loader.load_file(str(tmp_path / "b" / "main.beancount"))
    assert errors == []
    opens = {e.account: e for e in entries if isinstance(e, data.Open)}
    assert opens[accounts.ALIPAY].meta["alipay-account"] == "2088000000000001"
    assert opens[second].meta["alipay-account"] == "2088000000000002"
    [opening] = [e for e in entries if isinstance(e, data.Transaction)]
    assert "opening" in opening.tags and opening.date.isoformat() == "2025-03-01"
    assert {p.account: str(p.units.number) for p in opening.postings} == {
        accounts.ALIPAY: "1000.00",
        second: "200.00",
        f"{accounts.ALIPAY}:10120101-支付宝备用金": "5.00",
        accounts.PAID_IN_CAPITAL: "-1205.00",
    }


def test_init_refuses_an_unbalanced_opening_table_and_writes_nothing(tmp_path):
    table = tmp_path / "期初.csv"
    table.write_text("科目编码,科目名称,借方余额,贷方余额\n101201,支付宝,1000.00,\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["init", str(tmp_path / "b"), "--opening", str(table), "--start", "2025-03-01"]
    )
    assert result.exit_code != 0
    assert "试算不平衡" in result.output and "1,000.00" in result.output
    assert not (tmp_path / "b").exists()


def test_package_spec_pins_the_source_it_came_from(monkeypatch):
    import json

    from beancount_tmall import ledger_init

    class Dist:
        version = "0.2.0"

        def __init__(self, direct):
            self.direct = direct

        def read_text(self, name):
            return json.dumps(self.direct) if self.direct is not None else None

    cases = [
        ({"url": "https://example.com/bt.git", "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
         "beancount-tmall @ git+https://example.com/bt.git@abc123"),
        ({"url": "file:///src/beancount-tmall", "dir_info": {"editable": True}}, "/src/beancount-tmall"),
        (None, "beancount-tmall==0.2.0"),
    ]
    for direct, spec in cases:
        monkeypatch.setattr(ledger_init.metadata, "distribution", lambda name, d=direct: Dist(d))
        assert ledger_init.package_spec() == spec
        assert f'SPEC="${{BEANCOUNT_TMALL_SPEC:-{spec}}}"' in ledger_init.ci_script()


def test_ci_script_passes_on_a_new_ledger(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import REPO

    from beancount_tmall.ledger_init import init_ledger

    init_ledger(tmp_path / "b")
    env = {**os.environ, "PYTHON": sys.executable, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        ["bash", str(tmp_path / "b" / "ci" / "bean-check.sh")], capture_output=True, text=True,
        env=env, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "通过" in done.stdout
