#!/usr/bin/env bash
# Re-extract the French source strings and update the English catalogue (then translate the
# new entries in coopere/translations/en/LC_MESSAGES/messages.po; tests/interface/test_i18n.py lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -c TRANSLATORS: \
  --add-location=file --sort-output -w 100 --project coopere --copyright-holder "coopere contributors" \
  -o coopere/translations/messages.pot .
$BIN/pybabel -q update -i coopere/translations/messages.pot -d coopere/translations -w 100 \
  --ignore-obsolete --ignore-pot-creation-date -N
