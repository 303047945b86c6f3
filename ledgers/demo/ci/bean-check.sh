#!/usr/bin/env bash
# Run by your CI on every push (and usable locally): installs beancount-tmall and checks the books.
# Every accounting rule of the store runs as a plugin, so a red run names the entry to fix.
set -euo pipefail
cd "$(dirname "$0")/.."
export BEANCOUNT_DISABLE_LOAD_CACHE=1
if ! python3 -c "import beancount_tmall" 2>/dev/null; then
  python3 -m pip install --quiet "${BEANCOUNT_TMALL_SPEC:-beancount-tmall}"
fi
bean-check main.beancount
echo "bean-check main.beancount: OK"
