"""CI gate on known vulnerabilities of the installed dependencies (pip-audit).

Fails (exit 1) when a dependency has a known vulnerability that a newer release fixes: bump it
in pyproject.toml. A vulnerability without a fix yet is printed, not fatal. When the
vulnerability service cannot be reached (no dependency could be audited), the gate says so on
stderr and passes, unless REQUIRE_PIP_AUDIT=1, which makes that a failure too.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def main():
    strict = os.environ.get("REQUIRE_PIP_AUDIT") == "1"
    with tempfile.TemporaryDirectory() as work:
        report_path = Path(work) / "audit.json"
        run = subprocess.run(
            [str(VENV_BIN / "pip-audit"), "--skip-editable", "--progress-spinner", "off", "--desc", "off",
             "--format", "json", "--output", str(report_path)],
            capture_output=True, text=True, check=False)
        report = json.loads(report_path.read_text()) if report_path.exists() else None
    if report is None:
        print(f"pip-audit n'a pas pu s'exécuter (code {run.returncode}) : {run.stderr.strip()[:500]}",
              file=sys.stderr)
        return 1 if strict else 0
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    fixable, unfixed = [], []
    for dep in audited:
        for vuln in dep.get("vulns", []):
            line = f"{dep['name']} {dep['version']} : {vuln['id']}"
            if vuln.get("fix_versions"):
                fixable.append(f"{line} (corrigée en {', '.join(vuln['fix_versions'])})")
            else:
                unfixed.append(f"{line} (pas encore de correctif)")
    print(f"pip-audit : {len(audited)} dépendance(s) auditée(s), {len(skipped)} non auditée(s), "
          f"{len(fixable)} vulnérabilité(s) corrigeable(s), {len(unfixed)} sans correctif.")
    for line in unfixed:
        print(f"  attention : {line}")
    for line in fixable:
        print(f"  À CORRIGER : {line} — montez la version dans pyproject.toml", file=sys.stderr)
    if fixable:
        return 1
    if skipped and not audited:
        reason = skipped[0]["skip_reason"]
        print("pip-audit : aucune dépendance n'a pu être auditée (service de vulnérabilités injoignable ?), "
              f"par exemple : {reason}", file=sys.stderr)
        return 1 if strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
