#!/usr/bin/env bash
# Audit the installed Python dependencies for known vulnerabilities with pip-audit.
#   scripts/audit-deps.sh            # the project's virtualenv (.venv), PyPI's advisory data
#   AUDIT_SERVICE=osv scripts/audit-deps.sh
#
# Exit codes: 0 no known vulnerability; 1 a dependency has a known vulnerability (each is listed
# with the versions that fix it); 2 the audit could not be done for some dependency (network or
# service down) — never a silent pass, because "skipped" is not "safe".
#
# Network: pip-audit asks a vulnerability service per package and version, by default PyPI's
# JSON API (https://pypi.org/pypi/<name>/<version>/json), or OSV (api.osv.dev) with
# AUDIT_SERVICE=osv. It needs that access at run time; nothing else is downloaded.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
SERVICE=${AUDIT_SERVICE:-pypi}

if ! "$PY" -m pip_audit --version >/dev/null 2>&1; then
  echo "error: pip-audit is not installed in $VENV; run: $PY -m pip install pip-audit" >&2
  exit 2
fi

REPORT=$(mktemp /tmp/steadyhand-audit.XXXXXX.json)
trap 'rm -f "$REPORT"' EXIT

# --skip-editable: Steadyhand itself is installed editable and is not on PyPI.
# pip-audit exits 1 when it finds vulnerabilities; the report below decides the exit code.
"$PY" -m pip_audit --progress-spinner off --skip-editable --vulnerability-service "$SERVICE" \
  --format json --output "$REPORT" || true

"$PY" - "$REPORT" <<'PYEOF'
import json
import sys

with open(sys.argv[1]) as handle:
    report = json.load(handle)
deps = report.get("dependencies", [])
vulnerable = [d for d in deps if d.get("vulns")]
skipped = [d for d in deps if "skip_reason" in d]

for dep in vulnerable:
    for vuln in dep["vulns"]:
        fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
        print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixed})")
for dep in skipped:
    print(f"NOT AUDITED {dep['skip_reason']}")
audited = len(deps) - len(skipped)
print(f"{len(deps)} dependencies: {audited} audited, {len(vulnerable)} vulnerable, "
      f"{len(skipped)} not audited")
if vulnerable:
    sys.exit(1)
if skipped or not deps:
    print("The audit is incomplete: the vulnerability service could not be asked about every "
          "dependency (is it reachable from here?).", file=sys.stderr)
    sys.exit(2)
PYEOF
