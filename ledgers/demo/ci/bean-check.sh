#!/usr/bin/env bash
# 每次提交时由 CI 运行 (本地也可运行): 安装 beancount-tmall 并检查账簿。
# 店铺的每条记账规则都是插件, 检查失败时会指出需要修改的分录。
#
# 安装来源: 环境变量 BEANCOUNT_TMALL_SPEC (pip 能安装的任何写法), 默认是 init 时所用的版本:
#   beancount-tmall==0.4.0
# 例: BEANCOUNT_TMALL_SPEC='beancount-tmall @ git+https://example.com/beancount-tmall.git@v0.4.0'
# 已安装 beancount-tmall 的环境不再安装 (BEANCOUNT_TMALL_REINSTALL=1 强制重装);
# PYTHON 指定所用的 python (默认 python3)。
set -euo pipefail
cd "$(dirname "$0")/.."
export BEANCOUNT_DISABLE_LOAD_CACHE=1
PYTHON="${PYTHON:-python3}"
SPEC="${BEANCOUNT_TMALL_SPEC:-beancount-tmall==0.4.0}"
if [ "${BEANCOUNT_TMALL_REINSTALL:-0}" = 1 ] || ! "$PYTHON" -c "import beancount_tmall" 2>/dev/null; then
  echo "安装 beancount-tmall: $SPEC"
  "$PYTHON" -m pip install --quiet "$SPEC"
fi
"$PYTHON" -m beancount.scripts.check main.beancount
echo "bean-check main.beancount: 通过 (OK)"
