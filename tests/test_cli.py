"""The netmon command as a user runs it: exit codes, stdout/stderr, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent
DATA = REPO / "tests" / "data"
# the netmon installed next to the running Python: the package under test, as a user runs it
NETMON = str(Path(sys.executable).parent / "netmon")


def run(
    *args: str, cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NETMON, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_help_teaches() -> None:
    out = run("--help")
    assert out.returncode == 0
    for command in ("validate", "inventory"):
        assert command in out.stdout
    out = run("validate", "--help")
    assert "--inventory" in out.stdout and "Exit code" in out.stdout


def test_usage_error_exits_2() -> None:
    out = run("validate", "--no-such-option")
    assert out.returncode == 2
    assert "No such option" in out.stderr


def test_validate_valid_exits_0() -> None:
    out = run("validate", "--inventory", str(DATA / "base.yaml"), "--config", "config.yaml")
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout == ""
    assert "ok: 3 agencies, 7 devices, 9 links, 0 warning(s)" in out.stderr


@pytest.mark.parametrize(
    "rule",
    [
        "duplicate-key",
        "alias-bomb",
        "deep-nesting",
        "not-utf8",
        "literal-secret",
        "unknown-credential",
        "yaml-syntax",
    ],
)
def test_validate_invalid_exits_1_without_traceback(rule: str) -> None:
    path = DATA / "invalid" / f"{rule}.yaml"
    out = run("validate", "--inventory", str(path), "--config", "config.yaml")
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    assert out.stdout.startswith(f"{path}:")
    assert ": error: " in out.stdout and "\n  hint: " in out.stdout


def test_validate_reports_config_and_inventory_together(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("poll:\n  intervall_s: 30\n")
    out = run(
        "validate",
        "--inventory",
        str(DATA / "invalid" / "unknown-level.yaml"),
        "--config",
        str(config),
    )
    assert out.returncode == 1
    lines = [ln for ln in out.stdout.splitlines() if ": error: " in ln]
    assert [ln.split(": error: ")[1] for ln in lines] == [
        "poll: unknown key 'intervall_s'",
        "unknown level 'comune'",
    ]


def test_missing_inventory_is_input_error(tmp_path: Path) -> None:
    out = run("validate", "--inventory", str(tmp_path / "nope"), "--config", "config.yaml")
    assert out.returncode == 1
    assert "inventory folder not found" in out.stdout


def test_show_json_on_base() -> None:
    out = run("inventory", "show", "-o", "json", "--inventory", str(DATA / "base.yaml"))
    assert out.returncode == 0
    data = json.loads(out.stdout)
    assert (data["agencies"], data["devices"], data["links"]) == (3, 7, 9)
    assert data["by_level"] == {"province": 2, "commune": 1}
    assert data["dual_homed"] == 1


@pytest.mark.parametrize("where", [DATA / "base.yaml", REPO / "inventory", "national"])
def test_show_counts_the_agencies_the_design_coverage_counts(
    where: Path | str, tmp_path: Path
) -> None:
    """`inventory show` counts agencies per level and group from the inventory; the declared
    design's coverage (the reports', /metrics') has the same totals."""
    from netmon.gen.inventory import national, write
    from netmon.inventory import load_inventory
    from netmon.topology import build_snapshot

    if where == "national":
        where = tmp_path / "national"
        write(national(provinces=3, per_province=40, pops=3), where)
    assert isinstance(where, Path)
    out = run("inventory", "show", "-o", "json", "--inventory", str(where))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    inv = load_inventory(where)
    coverage = build_snapshot(inv).coverage
    by_level = {c.id: c.total for c in coverage.by_level if c.total}
    by_group = {c.id: c.total for c in coverage.by_group if c.total}
    assert (data["by_level"], data["by_group"]) == (by_level, by_group)
    assert list(data["by_level"]) == list(dict.fromkeys(a.level for a in inv.agencies))
    assert list(data["by_group"]) == sorted(by_group)
    assert sum(data["by_level"].values()) == data["agencies"] == coverage.total.total


def test_show_on_invalid_inventory_exits_1() -> None:
    out = run("inventory", "show", "--inventory", str(DATA / "invalid" / "unknown-site.yaml"))
    assert out.returncode == 1
    assert "unknown site 'pop-phuvang'" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("fmt", ["json", "ansible", "file_sd"])  # nornir: test_cli_noc.py
def test_export_formats(fmt: str) -> None:
    import yaml

    out = run("inventory", "export", "--format", fmt, "--inventory", str(DATA / "base.yaml"))
    assert out.returncode == 0, out.stderr
    data = yaml.safe_load(out.stdout)  # JSON is YAML too
    if fmt == "json":
        assert {a["id"] for a in data["agencies"]} == {"ubnd-thanh-pho", "so-tttt", "ubnd-phu-vang"}
        assert data["devices"][0]["mgmt"] == "10.46.0.11"
    elif fmt == "ansible":
        hosts = data["all"]["children"]["group_cpe_cisco"]["hosts"]
        assert hosts["cpe-2"]["ansible_network_os"] == "cisco.ios.ios"
        assert set(data["all"]["children"]["role_core"]["hosts"]) == {"core-1", "core-2"}
    else:
        by_target = {t["targets"][0]: t["labels"] for t in data}
        assert len(by_target) == 7
        assert by_target["10.46.16.3"] == {
            "device": "cpe-3",
            "role": "cpe",
            "platform": "linux",
            "agency": "ubnd-phu-vang",
            "level": "commune",
            "group": "phu-vang",
        }
        # labels stay bounded: no free text such as names
        assert all(
            set(labels) <= {"device", "role", "platform", "agency", "level", "group", "site"}
            for labels in by_target.values()
        )


def test_readme_example_is_valid(tmp_path: Path) -> None:
    text = (REPO / "inventory" / "README.md").read_text(encoding="utf-8")
    example = text.split("## Example")[1].split("```yaml")[1].split("```")[0]
    (tmp_path / "example.yaml").write_text(example, encoding="utf-8")
    out = run("validate", "--inventory", str(tmp_path), "--config", "config.yaml")
    assert out.returncode == 0, out.stdout


SHIPPED = REPO / "inventory"


def test_shipped_inventory_is_valid_and_has_467_agencies() -> None:
    out = run("validate")
    assert out.returncode == 0, out.stdout
    assert "warning" not in out.stdout
    data = json.loads(run("inventory", "show", "-o", "json").stdout)
    assert data["agencies"] == 467
    assert sum(data["by_level"].values()) == 467


def test_validate_imports_only_what_it_needs() -> None:
    """`netmon validate` runs in every editor save hook: it must not pay for pysnmp & co."""
    code = (
        "import sys\n"
        "from netmon.cli import build_app, commands_for\n"
        "build_app(commands_for(['validate', '-i', 'inventory']))\n"
        "heavy = {'pysnmp', 'networkx', 'aiohttp', 'asyncssh', 'prometheus_client'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_validate_refuses_a_v3_passphrase_under_8_characters(tmp_path: Path) -> None:
    """RFC 3414 11.2: the set, the key and where the secret comes from are named (at the key's
    line), never the secret; a secret that cannot be read here is not validate's business
    (poll and serve name it when they start)."""
    (tmp_path / "auth").write_text("Sh0rt!\n")
    (tmp_path / "priv").write_text("long-enough-priv\n")
    config = tmp_path / "config.yaml"
    config.write_text(
        "credentials:\n"
        "  lab-snmp-v3:\n"
        "    snmp_v3:\n"
        "      user: netmon\n"
        "      auth_protocol: SHA256\n"
        "      auth_key: {file: auth}\n"
        "      priv_protocol: aes256c\n"
        "      priv_key: {env: NETMON_TEST_PRIV}\n"
        "  other-v3:\n"
        "    snmp_v3: {user: x, auth_protocol: md5, auth_key: {env: NETMON_NOT_SET_ANYWHERE},\n"
        "      priv_protocol: des, priv_key: {file: priv}}\n"
        "  lab-snmp-v2c: {snmp_v2c: {community: {env: NETMON_NOT_SET_ANYWHERE}}}\n"
        "  lab-ssh: {ssh: {username: netmon, password: {env: NETMON_NOT_SET_ANYWHERE}}}\n"
    )
    args = ("validate", "--inventory", str(DATA / "base.yaml"), "--config", str(config))
    out = run(*args, env={"NETMON_TEST_PRIV": "1234567"})
    assert out.returncode == 1
    errors = [ln for ln in out.stdout.splitlines() if ": error: " in ln]
    assert errors == [
        f"{config}:6:17: error: credential set 'lab-snmp-v3': auth_key from file "
        f"{tmp_path / 'auth'}: 6 characters, RFC 3414 requires at least 8",
        f"{config}:8:17: error: credential set 'lab-snmp-v3': priv_key from environment variable "
        "NETMON_TEST_PRIV: 7 characters, RFC 3414 requires at least 8",
    ]
    assert "Sh0rt!" not in out.stdout + out.stderr and "1234567" not in out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    (tmp_path / "auth").write_text("Sh0rt!!!\n")
    out = run(*args, env={"NETMON_TEST_PRIV": "12345678"})
    assert (out.returncode, out.stdout) == (0, ""), out.stdout


def test_validate_says_the_same_from_its_cache(tmp_path: Path) -> None:
    """The cache of checked files (XDG_CACHE_HOME) is filled, then used; --no-cache and
    NETMON_NO_CACHE=1 leave it alone; what validate prints is the same every time."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    inventory = str(REPO / "tests" / "data" / "invalid" / "unknown-key.yaml")
    place = tmp_path / "xdg" / "netmon" / "inventory"
    bypass = run("validate", "-i", inventory, "--no-cache", env=env)
    assert not place.exists()
    by_env = run("validate", "-i", inventory, env={**env, "NETMON_NO_CACHE": "1"})
    assert not place.exists()
    filling = run("validate", "-i", inventory, env=env)
    assert place.stat().st_mode & 0o777 == 0o700
    warm = run("validate", "-i", inventory, env=env)
    outs = {(r.returncode, r.stdout, r.stderr) for r in (bypass, by_env, filling, warm)}
    assert len(outs) == 1
    assert bypass.returncode == 1 and "unknown key 'parnet'" in bypass.stdout


def test_validate_stores_no_model_and_a_report_does(tmp_path: Path) -> None:
    """validate stores the checked files, not the model (pickling it would hold validate up
    at national size); a report stores it, and validate says the same with it there."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    place = tmp_path / "xdg" / "netmon" / "inventory"
    inventory = ["-i", str(REPO / "inventory")]
    first = run("validate", *inventory, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert list(place.glob("folder-*")) == [] and len(list(place.iterdir())) > 0
    report = run("report", "coverage", "-o", "json", *inventory, env=env)
    assert report.returncode == 0, report.stderr
    assert len(list(place.glob("folder-*"))) == 1
    again = run("validate", *inventory, env=env)
    assert (again.returncode, again.stdout, again.stderr) == (0, first.stdout, first.stderr)


def _main_after(prelude: str, command: list[str]) -> subprocess.CompletedProcess[str]:
    """netmon's main() running `command` on the lab inventory, uncached, in a new interpreter,
    after the prelude's code."""
    script = prelude + "import sys\nfrom netmon.cli import main\nsys.argv[0] = 'netmon'\nmain()\n"
    return subprocess.run(
        [sys.executable, "-c", script, *command, "--inventory", str(REPO / "inventory")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NETMON_NO_CACHE": "1"},
        check=False,
    )


@pytest.mark.parametrize("command", [["validate"], ["report", "coverage", "-o", "json"]])
def test_one_shot_commands_end_at_once_with_atexit_handlers_run_and_output_whole(
    command: list[str], tmp_path: Path
) -> None:
    """validate and report end the process themselves once their output is flushed (no
    interpreter teardown): handlers registered with atexit still run, the exit status is the
    command's, and what was printed is all there."""
    ran = tmp_path / "ran"
    done = _main_after(
        f"import atexit\natexit.register(lambda: open({str(ran)!r}, 'w').write('ran'))\n",
        command,
    )
    assert done.returncode == 0, done.stderr
    assert ran.read_text() == "ran"
    if command[0] == "report":
        assert json.loads(done.stdout)["total"]["total"] == 467
    else:
        assert "467 agencies" in done.stderr


@pytest.mark.parametrize(
    ("command", "left"),
    [
        (["validate"], ["Raw", "Inventory"]),
        (["report", "spof", "-o", "json"], ["Topology", "Raw", "Snapshot"]),
    ],
)
def test_one_shot_commands_leave_their_large_structures_to_the_process_end(
    command: list[str], left: list[str], tmp_path: Path
) -> None:
    """What a one-shot command would otherwise free object by object before ending (0.1 s at
    national size) is left to the process's end: the read data, the model or the analysis
    (which holds it), the snapshot. Called in-process (not through main(), so the process
    goes on), nothing is kept."""
    done = _main_after(
        "import sys, netmon.cli as cli\n"
        "cli._exit_now = lambda code: (print([type(o).__name__ for o in cli._left],"
        " file=sys.stderr), sys.stdout.flush(), cli.os._exit(code or 0))\n",
        command,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == repr(left)
    if command[0] == "report":
        assert len(json.loads(done.stdout)["declared"]["single_points_of_failure"]) > 0

    from typer.testing import CliRunner

    from netmon.cli import build_app, left_to_exit

    inventory = ["--inventory", str(REPO / "inventory")]
    ran = CliRunner().invoke(build_app(command[:1]), command + inventory)
    assert ran.exit_code == 0, ran.output
    assert left_to_exit() is None


@pytest.mark.parametrize(
    "command", [["validate"], ["report", "spof", "-o", "json"], ["inventory", "show"]]
)
def test_commands_that_only_read_the_inventory_import_no_probing_machinery(
    command: list[str], tmp_path: Path
) -> None:
    """The inventory and config import the probe registry (kinds' names, ports, settings,
    the SSH platforms' names): that registry brings no event loop, SNMP crypto, SSH parser
    engine or SSH library with it (0.03 s of every command's start, and more on a slow
    machine: netmon/probes/__init__.py)."""
    heavy = ("asyncio", "ssl", "textfsm", "cryptography", "asyncssh", "pysnmp", "netmon.probes.env")
    seen = tmp_path / "modules"
    done = _main_after(
        "import atexit, sys\n"
        f"atexit.register(lambda: open({str(seen)!r}, 'w').write('\\n'.join(sys.modules)))\n",
        command,
    )
    assert done.returncode == 0, done.stderr
    modules = seen.read_text().split("\n")
    assert "netmon.probes" in modules  # the registry itself: the test looks where it should
    assert [m for m in modules if m.split(".")[0] in heavy or m in heavy] == []


@pytest.mark.parametrize(
    "command", [["validate"], ["report", "spof", "-o", "json"], ["inventory", "show"]]
)
def test_ctrl_c_says_interrupted_and_exits_130(command: list[str]) -> None:
    """A real SIGINT while the inventory is read (typer turns it into a silent exit 130)."""
    done = _main_after(
        "import os, signal, time\n"
        "import netmon.inventory.load as load\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "read = load._read_bytes\n"
        "def interrupted(folder):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(30)\n"
        "    return read(folder)\n"
        "load._read_bytes = interrupted\n",
        command,
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "netmon: interrupted\n")
