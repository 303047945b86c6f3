"""The default chart of accounts (DESIGN §2).

Every account component after the root starts with its 科目编码 and a hyphen, then the Chinese
name, because Beancount rejects components that begin with a Chinese character:
``Assets:1012-其他货币资金:101201-支付宝``. The constants below are the names the code uses;
``CHART`` is the list ``tmall-books init`` opens, each with its code and Chinese name.
"""

from __future__ import annotations

from dataclasses import dataclass

from beancount.core import account as account_lib

CURRENCY = "CNY"

# Cash and bank.
BANK = "Assets:1002-银行存款"
ALIPAY = "Assets:1012-其他货币资金:101201-支付宝"

# 其他应收款: platform fees deducted but not yet invoiced, deposits, suspense.
COMMISSION_RECEIVABLE = "Assets:1221-其他应收款:122101-天猫佣金"
POINTS_RECEIVABLE = "Assets:1221-其他应收款:122102-天猫积分"
TAOBAOKE_RECEIVABLE = "Assets:1221-其他应收款:122103-淘宝客佣金"
ANNUAL_FEE_RECEIVABLE = "Assets:1221-其他应收款:122104-天猫年费"
JUHUASUAN_RECEIVABLE = "Assets:1221-其他应收款:122105-聚划算"
ZUANZHAN_RECEIVABLE = "Assets:1221-其他应收款:122106-钻展"
ZHITONGCHE_RECEIVABLE = "Assets:1221-其他应收款:122107-直通车"
DEPOSIT = "Assets:1221-其他应收款:122108-天猫保证金"
CONSUMER_POINTS_RECEIVABLE = "Assets:1221-其他应收款:122109-消费积分"
TRANSFERS = "Assets:1221-其他应收款:122110-往来转账"
COURIER_CLAIMS = "Assets:1221-其他应收款:122111-快递理赔"
SUSPENSE = "Assets:1221-其他应收款:122199-待核对"

INVENTORY = "Assets:1405-库存商品"

# 应交税费.
INPUT_VAT = "Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额"
OUTPUT_VAT = "Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额"
UNPAID_VAT = "Liabilities:2221-应交税费:222102-未交增值税"
UNCERTIFIED_INPUT_VAT = "Liabilities:2221-应交税费:222103-待认证进项税额"
CITY_TAX = "Liabilities:2221-应交税费:222104-应交城市维护建设税"
EDUCATION_SURCHARGE = "Liabilities:2221-应交税费:222105-应交教育费附加"
LOCAL_EDUCATION_SURCHARGE = "Liabilities:2221-应交税费:222106-应交地方教育附加"
INCOME_TAX_PAYABLE = "Liabilities:2221-应交税费:222107-应交企业所得税"

# Equity.
PAID_IN_CAPITAL = "Equity:4001-实收资本"
CURRENT_YEAR_PROFIT = "Equity:4103-本年利润"
RETAINED_EARNINGS = "Equity:4104-利润分配:410415-未分配利润"

# Income and expenses.
REVENUE = "Income:6001-主营业务收入"
NON_OPERATING_INCOME = "Income:6301-营业外收入"
COST_OF_SALES = "Expenses:6401-主营业务成本"
BREAKAGE = "Expenses:6401-主营业务成本:640102-破损"
COMMISSION_EXPENSE = "Expenses:6601-销售费用:660101-天猫佣金"
POINTS_EXPENSE = "Expenses:6601-销售费用:660102-天猫积分"
ANNUAL_FEE_EXPENSE = "Expenses:6601-销售费用:660103-天猫年度技术服务费"
TAOBAOKE_EXPENSE = "Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客"
JUHUASUAN_EXPENSE = "Expenses:6601-销售费用:660104-广告宣传费:66010402-聚划算"
ZUANZHAN_EXPENSE = "Expenses:6601-销售费用:660104-广告宣传费:66010403-钻展"
ZHITONGCHE_EXPENSE = "Expenses:6601-销售费用:660104-广告宣传费:66010404-直通车"
COMPENSATION = "Expenses:6601-销售费用:660105-售后赔付"
SHIPPING_INSURANCE = "Expenses:6601-销售费用:660106-运费险"
LOGISTICS = "Expenses:6601-销售费用:660107-物流费"
ADMIN_EXPENSE = "Expenses:6602-管理费用"
PAYMENT_FEE = "Expenses:6603-财务费用:660301-支付手续费"
INTEREST = "Expenses:6603-财务费用:660302-利息收入"
TAXES_AND_SURCHARGES = "Expenses:6403-税金及附加"
NON_OPERATING_EXPENSE = "Expenses:6711-营业外支出"
DONATION = "Expenses:6711-营业外支出:671101-公益捐赠"
INCOME_TAX = "Expenses:6801-所得税费用"


@dataclass(frozen=True)
class ChartAccount:
    """One account of the chart: its Beancount name, 科目编码 and Chinese name."""

    account: str
    code: str
    name: str


def _entry(account: str) -> ChartAccount:
    leaf = account_lib.leaf(account)
    code, _, name = leaf.partition("-")
    return ChartAccount(account, code, name)


#: The default chart, in the order ``init`` opens it.
CHART: tuple[ChartAccount, ...] = tuple(
    _entry(a)
    for a in (
        BANK,
        ALIPAY,
        COMMISSION_RECEIVABLE,
        POINTS_RECEIVABLE,
        TAOBAOKE_RECEIVABLE,
        ANNUAL_FEE_RECEIVABLE,
        JUHUASUAN_RECEIVABLE,
        ZUANZHAN_RECEIVABLE,
        ZHITONGCHE_RECEIVABLE,
        DEPOSIT,
        CONSUMER_POINTS_RECEIVABLE,
        TRANSFERS,
        COURIER_CLAIMS,
        SUSPENSE,
        INVENTORY,
        INPUT_VAT,
        OUTPUT_VAT,
        UNPAID_VAT,
        UNCERTIFIED_INPUT_VAT,
        CITY_TAX,
        EDUCATION_SURCHARGE,
        LOCAL_EDUCATION_SURCHARGE,
        INCOME_TAX_PAYABLE,
        PAID_IN_CAPITAL,
        CURRENT_YEAR_PROFIT,
        RETAINED_EARNINGS,
        REVENUE,
        NON_OPERATING_INCOME,
        COST_OF_SALES,
        BREAKAGE,
        TAXES_AND_SURCHARGES,
        COMMISSION_EXPENSE,
        POINTS_EXPENSE,
        ANNUAL_FEE_EXPENSE,
        TAOBAOKE_EXPENSE,
        JUHUASUAN_EXPENSE,
        ZUANZHAN_EXPENSE,
        ZHITONGCHE_EXPENSE,
        COMPENSATION,
        SHIPPING_INSURANCE,
        LOGISTICS,
        ADMIN_EXPENSE,
        PAYMENT_FEE,
        INTEREST,
        NON_OPERATING_EXPENSE,
        DONATION,
        INCOME_TAX,
    )
)


def check_valid(account: str) -> str:
    """Return ``account`` if Beancount accepts it, else raise ``ValueError`` naming it."""
    if not account_lib.is_valid(account):
        raise ValueError(
            f"not a valid Beancount account: {account!r} "
            "(each component after the root must start with its code, e.g. 1012-其他货币资金)"
        )
    return account
