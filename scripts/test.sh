#!/usr/bin/env bash
# The whole suite on SQLite, then again on PostgreSQL.
# PostgreSQL: TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test.
# With CI=true an unreachable PostgreSQL fails the run; elsewhere it is skipped, loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
PY=.venv/bin/python
export LAGESBILD_TESTING=1
unset DATABASE_URL

if [[ "$which" == all || "$which" == sqlite ]]; then
  echo "=== Testsviten på SQLite ==="
  "$PY" -m pytest tests
fi

if [[ "$which" == all || "$which" == postgres ]]; then
  url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
  if "$PY" - "$url" <<'PYEOF'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL går inte att nå: {exc}", file=sys.stderr)
    sys.exit(1)
PYEOF
  then
    echo "=== Testsviten på PostgreSQL ($url) ==="
    DATABASE_URL="$url" "$PY" -m pytest tests
  elif [[ "${CI:-}" == "true" ]]; then
    echo "FEL: PostgreSQL ($url) går inte att nå och CI=true – testkörningen misslyckas." >&2
    exit 1
  else
    echo "################################################################" >&2
    echo "## VARNING: PostgreSQL ($url) går inte att nå –" >&2
    echo "## testerna mot PostgreSQL HOPPADES ÖVER. Sätt TEST_DATABASE_URL." >&2
    echo "################################################################" >&2
  fi
fi
