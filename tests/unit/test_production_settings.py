"""The README's settings table cannot drift from portal/config.py, and the install
script stops on exactly the settings the table calls required (issue 14: the install
failed from the README alone because AUDIT_HMAC_KEY, PROXY_HOPS and
BACKOFFICE_BASE_URL were not listed)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _table() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- settings-table", 1)[1].split("<!-- /settings-table -->", 1)[0]
    out = {}
    for line in block.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0]):
            out[name] = cells[1]
    return out


def _config_names() -> set[str]:
    """Every variable portal/config.py reads, and any other module of the portal that reads
    the environment itself (the destruction journal)."""
    names: set[str] = set()
    for path in (ROOT / "portal").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        names |= set(re.findall(r'(?:env\.get|_int|environ\.get)\(\s*"([A-Z][A-Z0-9_]+)"', source))
    return names - {"PATH"}  # passed on to a subprocess (tesseract), not a setting


def _install_required() -> list[str]:
    script = (ROOT / "deploy" / "install.sh").read_text(encoding="utf-8")
    return ["PORTAL_ENV"] + re.findall(r"^need ([A-Z_]+) ", script, flags=re.M)


def test_every_setting_config_reads_is_in_the_readme_table_and_no_other():
    table, config = set(_table()), _config_names()
    assert config - table == set(), f"read by portal/config.py, missing from the README: {sorted(config - table)}"
    assert table - config == set(), f"in the README, not read by portal/config.py: {sorted(table - config)}"


def test_the_install_script_requires_exactly_what_the_table_calls_required():
    required = [name for name, production in _table().items() if production.startswith("required")]
    assert sorted(_install_required()) == sorted(required)


def test_the_install_script_stops_at_the_first_missing_setting_and_names_it(tmp_path):
    env = tmp_path / "env"
    env.write_text("PORTAL_ENV=production\nSECRET_KEY=" + "x" * 40 + "\n", encoding="utf-8")
    run = subprocess.run([str(ROOT / "deploy" / "install.sh"), str(env)], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert run.returncode == 2 and "STOP: AUDIT_HMAC_KEY is not set" in run.stderr
    env.write_text(env.read_text() + "AUDIT_HMAC_KEY=" + "y" * 40 + "\nAUDIT_CHECKPOINT_KEY=" + "z" * 40
                   + "\nENCRYPTION_KEYS=k\n"
                   "DATABASE_URL=sqlite:///x.db\n", encoding="utf-8")
    run = subprocess.run([str(ROOT / "deploy" / "install.sh"), str(env)], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert run.returncode == 2 and "STOP: DATABASE_URL must point to PostgreSQL" in run.stderr
    # A value is read as text, never run: this line does not create a file.
    env.write_text("PORTAL_ENV=production\nSECRET_KEY=$(touch " + str(tmp_path / "ran") + ")\n", encoding="utf-8")
    subprocess.run([str(ROOT / "deploy" / "install.sh"), str(env)], capture_output=True, text=True,
                   env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert not (tmp_path / "ran").exists()
