"""config.yaml: defaults, credential references, secrets that never print."""

from __future__ import annotations

from pathlib import Path

import pytest

from netmon.config import (
    DEFAULT_LISTEN,
    Secret,
    SnmpV2c,
    SnmpV3,
    SshCredential,
    check_config,
    load_config,
)
from netmon.errors import ConfigError

REPO = Path(__file__).parent.parent


def test_shipped_config_loads() -> None:
    settings = load_config(REPO / "config.yaml")
    assert settings.deadline_s < settings.interval_s
    assert settings.listen == DEFAULT_LISTEN
    assert set(settings.credentials) == {"lab-snmp-v2c", "lab-snmp-v3", "lab-ssh"}
    v3 = settings.credentials["lab-snmp-v3"]
    # config.yaml spells them as netmon always has; they read as snmp_exporter's names
    assert isinstance(v3, SnmpV3) and (v3.auth_protocol, v3.priv_protocol) == ("SHA", "AES")
    # relative paths are resolved from the config file's folder, not the current directory
    assert v3.auth_key.file == REPO.resolve() / "var/lab/secrets/snmp-auth-key"
    assert settings.ssh_known_hosts == REPO.resolve() / "var/lab/ssh/known_hosts"
    assert settings.probes["snmp"].timeout_s == 0.4 and settings.probes["snmp"].retries == 5


def test_empty_config_gives_defaults(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("# nothing set\n")
    settings = load_config(tmp_path / "config.yaml")
    assert (settings.interval_s, settings.down_after, settings.credentials) == (10.0, 3, {})
    assert (settings.deadline_s, settings.probes["snmp"].client) == (8.0, "netmon")


def test_shipped_probe_settings_are_the_defaults(tmp_path: Path) -> None:
    """config.yaml shows the defaults a newcomer gets; the two must not drift apart."""
    (tmp_path / "config.yaml").write_text("# nothing set\n")
    shipped, empty = load_config(REPO / "config.yaml"), load_config(tmp_path / "config.yaml")
    assert shipped.probes == empty.probes
    assert (shipped.interval_s, shipped.deadline_s) == (empty.interval_s, empty.deadline_s)


def test_secret_from_env_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "community").write_text("from-a-file\n")
    (tmp_path / "config.yaml").write_text(
        "credentials:\n"
        "  a: {snmp_v2c: {community: {file: community}}}\n"
        "  b: {ssh: {username: noc, password: {env: NETMON_TEST_PASSWORD}}}\n"
    )
    monkeypatch.setenv("NETMON_TEST_PASSWORD", "from-the-env")
    settings = load_config(tmp_path / "config.yaml")
    a, b = settings.credentials["a"], settings.credentials["b"]
    assert isinstance(a, SnmpV2c) and a.community.resolve().reveal() == "from-a-file"
    assert isinstance(b, SshCredential) and b.password is not None
    secret = b.password.resolve()
    assert secret.reveal() == "from-the-env"
    for shown in (repr(secret), str(secret), f"{secret}", repr(settings)):
        assert "from-the-env" not in shown and "from-a-file" not in shown
    assert repr(secret) == "<secret>"


def test_missing_secret_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.yaml").write_text(
        "credentials:\n  a: {snmp_v2c: {community: {env: NETMON_NOT_SET}}}\n"
        "  b: {snmp_v2c: {community: {file: missing}}}\n"
    )
    monkeypatch.delenv("NETMON_NOT_SET", raising=False)
    settings = load_config(tmp_path / "config.yaml")
    a, b = settings.credentials["a"], settings.credentials["b"]
    assert isinstance(a, SnmpV2c) and isinstance(b, SnmpV2c)
    with pytest.raises(ConfigError, match="environment variable NETMON_NOT_SET is not set"):
        a.community.resolve()
    with pytest.raises(ConfigError, match="cannot read secret file"):
        b.community.resolve()


def test_secret_equality_does_not_leak() -> None:
    assert Secret("x") == Secret("x") and Secret("x") != Secret("y")
    assert "x" not in repr([Secret("x")])


def test_v3_below_authpriv_loads_only_where_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A weaker level is a per-set decision (allow_insecure) and carries only what it uses;
    the poller hands it to the SNMP client at that level (tests/probes/test_snmp_levels.py
    speaks it to snmpd)."""
    from netmon.poller.targets import resolve_snmp
    from netmon.probes.snmp.client import SnmpUsm

    conf = tmp_path / "config.yaml"
    conf.write_text(
        "credentials:\n"
        "  old-cpe:\n"
        "    snmp_v3: {user: monitor, security_level: noAuthNoPriv, allow_insecure: true}\n"
        "  mid-cpe:\n"
        "    snmp_v3:\n"
        "      {user: mon2, security_level: authNoPriv, allow_insecure: true,\n"
        "       auth_protocol: sha256, auth_key: {env: NETMON_TEST_AUTH}}\n"
    )
    monkeypatch.setenv("NETMON_TEST_AUTH", "auth-key-for-test")
    settings = load_config(conf)
    assert settings.credentials["old-cpe"] == SnmpV3(
        "monitor", None, None, None, None, "noAuthNoPriv"
    )
    mid = settings.credentials["mid-cpe"]
    assert isinstance(mid, SnmpV3) and (mid.level, mid.priv_key) == ("authNoPriv", None)
    resolved = resolve_snmp(settings, ["old-cpe", "mid-cpe"])
    old, mid_usm = resolved["old-cpe"].auth, resolved["mid-cpe"].auth
    assert isinstance(old, SnmpUsm) and (old.level, old.authenticated) == ("noAuthNoPriv", False)
    assert isinstance(mid_usm, SnmpUsm)
    assert (mid_usm.level, mid_usm.auth_protocol, mid_usm.private) == (
        "authNoPriv",
        "SHA256",
        False,
    )
    assert "auth-key-for-test" not in repr(mid_usm)
    # the same sets without the permission are refused, each at its security_level line
    conf.write_text(conf.read_text().replace(", allow_insecure: true", ""))
    with pytest.raises(ConfigError) as err:
        load_config(conf)
    assert [(p.line, p.message.split(":")[0]) for p in err.value.problems] == [
        (3, "credentials.old-cpe.snmp_v3.security_level"),
        (6, "credentials.mid-cpe.snmp_v3.security_level"),
    ]


def test_a_silent_device_that_outlasts_the_deadline_is_a_warning(tmp_path: Path) -> None:
    """The invariant behind the defaults (timeout x tries inside the cycle deadline) is
    checked: located at the probe's own key, or at the poll key that broke it."""
    path = tmp_path / "config.yaml"
    path.write_text("poll: {deadline_s: 5}\nprobes:\n  snmp: {timeout_s: 2.0, retries: 2}\n")
    settings, problems = check_config(path)
    assert settings is not None  # a warning: netmon still runs, and says what it will do
    assert [p.render() for p in problems] == [
        f"{path}:3:21: warning: a silent device costs the snmp probe 6 s (timeout_s x "
        "(retries + 1)), more than poll.deadline_s (5 s)\n"
        "  hint: lower probes.snmp.timeout_s or retries, or raise poll.deadline_s: otherwise "
        "the cycle cuts it as 'deadline' before it can fail as 'timeout'"
    ]
    path.write_text("poll: {interval_s: 2}\n")  # the deadline follows: 1.6 s
    _, problems = check_config(path)
    assert [(p.line, p.col, p.message.split(" costs the ")[1].split()[0]) for p in problems] == [
        (1, 20, kind) for kind in ("icmp", "tcp", "snmp", "ssh")
    ]
    (tmp_path / "empty.yaml").write_text("# nothing set\n")
    for fine in (REPO / "config.yaml", tmp_path / "empty.yaml"):
        assert check_config(fine)[1] == []


def test_the_configuration_doc_lists_every_declared_probe_setting() -> None:
    """docs/configuration.md has a row per probe kind naming each key its declaration has."""
    from netmon.probes import KINDS

    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in (REPO / "docs" / "configuration.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `probes.")
    }
    assert set(rows) == {f"probes.{name}" for name in KINDS}
    for name, kind in KINDS.items():
        missing = [k for k in kind.config_keys() if f"`{k}`" not in rows[f"probes.{name}"]]
        assert missing == [], f"docs/configuration.md: probes.{name} does not name {missing}"
