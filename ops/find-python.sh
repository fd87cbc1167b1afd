#!/usr/bin/env bash
# Print a Python 3.10 interpreter (Rasa 3.6 needs Python < 3.11).
set -euo pipefail
for candidate in "${PYTHON310:-}" python3.10 \
    "$(command -v pyenv >/dev/null 2>&1 && echo "$(pyenv root)/versions/3.10.13/bin/python3.10")" \
    /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -n "$candidate" ] || continue
  if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    command -v "$candidate" || echo "$candidate"
    exit 0
  fi
done
for candidate in "$HOME"/.pyenv/versions/3.10*/bin/python3.10; do
  [ -x "$candidate" ] && { echo "$candidate"; exit 0; }
done
echo "Python 3.10 not found: install it (e.g. 'pyenv install 3.10') or set PYTHON310=/path/to/python3.10" >&2
exit 1
