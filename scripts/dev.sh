#!/usr/bin/env bash
# Set up .venv from the project's own files, then run the demo or the tests.
#   bash scripts/dev.sh demo     train the demo model end to end
#   bash scripts/dev.sh test     run the test suite
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -c constraints.txt -e '.[test,examples]'
case "${1:-}" in
    demo) exec .venv/bin/python examples/digits_cnn.py ;;
    test) shift; exec .venv/bin/python -m pytest -q "$@" ;;
    *) echo "usage: bash scripts/dev.sh demo|test [pytest args]" >&2; exit 2 ;;
esac
