"""The SSH probe against the recording fake: what it concluded AND exactly what it asked; the
refusals before any packet, retries, credentials, and no known_hosts=None anywhere in netmon.
Loopback devices over real SSH: test_ssh_loopback.py."""

from __future__ import annotations

import ast
import asyncio
import re
from dataclasses import replace
from ipaddress import IPv4Address
from pathlib import Path

import asyncssh
import pytest
from poller.fleet import settings

from netmon.config import SecretRef, SshCredential
from netmon.model import CredentialRefs, Device, Neighbour, ProbeResult
from netmon.poller.targets import resolve_ssh
from netmon.probes import PROBES, ProbeEnv, ProbeTarget
from netmon.probes.ssh.client import Output, SshAuth
from netmon.probes.ssh.fake import FakeDevice, RecordingSshClient, Session
from netmon.probes.ssh.platforms import PLATFORMS
from netmon.probes.ssh.probe import SshSettings, merge, probe
from netmon.probes.ssh.vendor import cisco_cdp, cisco_interfaces, cisco_lldp
from probes.sshdevice import captured

NETMON = Path(__file__).parents[2] / "netmon"
HOST = "127.0.0.1"
PW_ENV = "NETMON_TEST_SSH_PW"
LLDP_JSON = (
    '{"lldp": [{"interface": [{"name": "wan0", "chassis": [{"id": [{"type": "mac", "value": '
    '"02:4e:0a:2e:01:0b"}], "name": [{"value": "pop-phu-vang"}], "mgmt-ip": [{"value": '
    '"10.46.1.11"}]}], "port": [{"id": [{"type": "ifname", "value": "acc2"}]}]}]}]}'
)
IP_JSON = '[{"ifindex": 1, "ifname": "lo", "flags": ["UP", "LOWER_UP"], "operstate": "UNKNOWN"}]'
SYSTEM = "cat /proc/sys/kernel/hostname /proc/uptime"
SYSTEM_OUT = "cpe-so-tttt\n11188.16 10386.33\n"
LINUX = {"ip -j -s link": IP_JSON, "lldpcli -f json0 show neighbors": LLDP_JSON, SYSTEM: SYSTEM_OUT}


def device(platform: str, address: str = HOST) -> Device:
    return Device(
        id="dev-1",
        role="cpe",
        mgmt=IPv4Address(address),
        platform=platform,
        probes=("ssh",),
        credentials=CredentialRefs(ssh="x"),
        interfaces=("wan0",),
        agency="a",
    )


def target(
    platform: str, known_hosts: Path | str, auth: SshAuth | None, port: int = 0, **kw: object
) -> ProbeTarget:
    base: dict[str, object] = {"timeout_s": 2.0, "retries": 0}
    base.update(kw)
    return ProbeTarget(
        device=device(platform),
        port=port or None,
        auth=replace(auth, known_hosts=str(known_hosts)) if auth else None,
        settings=SshSettings(**base),  # type: ignore[arg-type]
    )


def run(t: ProbeTarget, env: ProbeEnv) -> ProbeResult:
    return asyncio.run(probe(t, env))


# --- the recording fake: observations and exactly what was asked ---------------------------


def test_linux_asks_three_exec_commands_in_one_session(tmp_path: Path) -> None:
    kh = tmp_path / "known_hosts"
    kh.write_text("", encoding="utf-8")
    fake = RecordingSshClient({HOST: FakeDevice(LINUX)})
    r = run(target("linux", kh, SshAuth("netmon", password="pw")), ProbeEnv(ssh=fake))
    assert fake.sessions == [
        Session(
            HOST,
            22,
            "netmon",
            "exec",
            ("ip -j -s link", "lldpcli -f json0 show neighbors", SYSTEM),
        )
    ]
    assert (r.success, r.lldp_read, [i.name for i in r.interfaces]) == (True, True, ["lo"])
    # sysName and sysUpTime, as the SNMP probe gives them
    assert (r.sys_name, r.uptime_s, r.restarted) == ("cpe-so-tttt", 11188.16, False)
    assert r.neighbours == (
        Neighbour(
            "wan0",
            "02:4e:0a:2e:01:0b",
            "mac_address",
            "acc2",
            "interface_name",
            "",
            "pop-phu-vang",
            "10.46.1.11",
        ),
    )


def test_cisco_asks_for_paging_off_then_the_three_commands(tmp_path: Path) -> None:
    kh = tmp_path / "known_hosts"
    kh.write_text("", encoding="utf-8")
    outputs = {
        "show interfaces": captured("cisco_ios_show_interfaces.raw"),
        "show lldp neighbors detail": captured("cisco_ios_show_lldp_neighbors_detail_01.raw"),
        "show cdp neighbors detail": captured("cisco_ios_show_cdp_neighbors_detail.raw"),
    }
    fake = RecordingSshClient({HOST: FakeDevice(outputs, prompt="sw-core-1#")})
    r = run(target("cisco_ios", kh, SshAuth("netmon", password="pw")), ProbeEnv(ssh=fake))
    assert fake.sessions == [
        Session(
            HOST,
            22,
            "netmon",
            "shell",
            tuple(outputs),
            ("terminal length 0", "terminal width 511"),
        )
    ]
    parsed = {c: f(Output(c, t)) for (c, t), f in zip(outputs.items(), PARSERS, strict=True)}
    assert r.success and r.sys_name == "sw-core-1" and r.lldp_read
    assert r.interfaces == parsed["show interfaces"].interfaces
    lldp = parsed["show lldp neighbors detail"].neighbours
    assert r.neighbours[: len(lldp)] == lldp
    assert len(r.neighbours) == len(lldp) + len(parsed["show cdp neighbors detail"].neighbours)


PARSERS = (cisco_interfaces, cisco_lldp, cisco_cdp)


@pytest.mark.parametrize(
    ("platform", "prompt", "said"),
    [
        ("cisco_ios", "sw-1#", "           ^\n% Invalid input detected at '^' marker.\n"),
        ("huawei_vrp", "<pop-1>", "Error: Unrecognized command found at '^' position.\n"),
        ("juniper_junos", "netmon@mx1>", "syntax error, expecting <command>.\n"),
    ],
)
def test_a_command_the_device_refuses_is_command_rejected_not_a_parse_error(
    tmp_path: Path, platform: str, prompt: str, said: str
) -> None:
    """A device that does not know the interfaces command (the inventory names the wrong
    platform, or the account may not run it) says so; netmon reports the device's words,
    not a parse error that reads like its own bug."""
    kh = tmp_path / "known_hosts"
    kh.write_text("", encoding="utf-8")
    outputs = {c.text: said for c in PLATFORMS[platform].commands}
    fake = RecordingSshClient({HOST: FakeDevice(outputs, prompt=prompt)})
    r = run(target(platform, kh, SshAuth("netmon", password="pw")), ProbeEnv(ssh=fake))
    assert (r.success, r.reason) == (False, "command_rejected"), r.detail
    assert said.strip().splitlines()[-1][:20] in r.detail and "platform" in r.detail


def test_linux_uptime_that_went_back_is_a_restart(tmp_path: Path) -> None:
    kh = tmp_path / "known_hosts"
    kh.write_text("", encoding="utf-8")
    fake = RecordingSshClient({HOST: FakeDevice(LINUX)})
    env = ProbeEnv(ssh=fake)
    t = target("linux", kh, SshAuth("netmon", password="pw"))
    seen = []
    for uptime in ("11188.16", "11488.16", "12.50", "312.50"):
        fake.devices[HOST] = FakeDevice({**LINUX, SYSTEM: f"cpe-so-tttt\n{uptime} 1.00\n"})
        r = run(t, env)
        seen.append((r.uptime_s, r.restarted))
    assert seen == [(11188.16, False), (11488.16, False), (12.5, True), (312.5, False)]
    assert env.ssh_uptime == {"dev-1": 312.5}  # per device, where the SNMP probe keeps its own


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("11188.16 10386.33\n", "got 1"),  # no host name
        ("cpe-so-tttt\n-1.00 0.00\n", "is negative"),
        (Output(SYSTEM, "", 1, "cat: /proc/uptime: Permission denied\n"), "Permission denied"),
    ],
)
def test_a_bad_host_name_or_uptime_fails_the_linux_probe(
    tmp_path: Path, answer: str | Output, words: str
) -> None:
    kh = tmp_path / "known_hosts"
    kh.write_text("", encoding="utf-8")
    fake = RecordingSshClient({HOST: FakeDevice({**LINUX, SYSTEM: answer})})
    r = run(target("linux", kh, SshAuth("netmon", password="pw")), ProbeEnv(ssh=fake))
    assert (r.success, r.reason) == (False, "parse_error"), r.detail
    assert r.detail.startswith(f"{SYSTEM!r}: ") and words in r.detail


def test_a_neighbour_seen_by_lldp_and_cdp_counts_once() -> None:
    lldp = [Neighbour("Gi0/1", "00:11:22:33:44:55", "mac_address", "Gi0/2", sys_name="r2.lab")]
    cdp = [
        Neighbour("Gi0/1", "r2.lab", "local", "Gi0/2", sys_name="R2"),
        Neighbour("Gi0/3", "r3", "local", "Gi0/1", sys_name="r3"),
    ]
    assert merge(lldp, cdp) == (lldp[0], cdp[1])


@pytest.mark.parametrize(
    ("case", "reason", "words"),
    [
        ("no known_hosts configured", "host_key", "ssh.known_hosts is not set"),
        ("known_hosts missing", "host_key", "does not exist"),
        ("no credential", "credentials", "credential set 'x' is missing"),
        ("unknown platform", "error", "no SSH platform 'junos'"),
    ],
)
def test_refusals_happen_before_any_session(
    tmp_path: Path, case: str, reason: str, words: str
) -> None:
    kh = tmp_path / "known_hosts"
    kh.write_text("", encoding="utf-8")
    auth: SshAuth | None = SshAuth("netmon", password="pw")
    t = target("linux", kh, auth)
    if case == "no known_hosts configured":
        t = replace(t, auth=replace(auth, known_hosts=""))
    elif case == "known_hosts missing":
        t = replace(t, auth=replace(auth, known_hosts=str(tmp_path / "nope")))
    elif case == "no credential":
        t = replace(t, auth=None, auth_problem="credential set 'x' is missing in config.yaml")
    else:
        t = replace(t, device=replace(t.device, platform="junos"))
    fake = RecordingSshClient({})
    r = run(t, ProbeEnv(ssh=fake))
    assert (r.success, r.reason) == (False, reason) and words in r.detail
    assert fake.sessions == []


def test_only_a_connection_timeout_is_retried(tmp_path: Path) -> None:
    kh = tmp_path / "known_hosts"
    kh.write_text("", encoding="utf-8")
    fake = RecordingSshClient({"127.0.0.2": FakeDevice({}, fail="authentication")})
    auth = SshAuth("netmon", password="pw")
    r = run(target("linux", kh, auth, retries=2), ProbeEnv(ssh=fake))  # 127.0.0.1: black hole
    assert (r.reason, len(fake.sessions)) == ("timeout", 3)
    t = replace(target("linux", kh, auth, retries=2), device=device("linux", "127.0.0.2"))
    fake.sessions.clear()
    r = run(t, ProbeEnv(ssh=fake))
    assert (r.reason, len(fake.sessions)) == ("authentication", 1)


def test_ssh_is_registered_and_secrets_never_print() -> None:
    assert "ssh" in PROBES
    auth = SshAuth("netmon", private_key="-----BEGIN OPENSSH PRIVATE KEY-----", password="hunter2")
    assert "hunter2" not in repr(auth) and "BEGIN" not in repr(auth)
    assert "<secret>" in repr(auth) and "<secret>" in str(target("linux", "", auth))


def test_credentials_are_resolved_once_with_clear_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    good = tmp_path / "id"
    good.write_bytes(key.export_private_key())
    bad = tmp_path / "bad"
    bad.write_text("not a key", encoding="utf-8")
    monkeypatch.setenv("NETMON_TEST_SSH_PW", "pw")
    s = settings(
        credentials={
            "key": SshCredential("netmon", private_key=SecretRef(file=good)),
            "pw": SshCredential("netmon", password=SecretRef(env="NETMON_TEST_SSH_PW")),
            "bad": SshCredential("netmon", private_key=SecretRef(file=bad)),
            "gone": SshCredential("netmon", private_key=SecretRef(file=tmp_path / "gone")),
            "none": SshCredential("netmon"),
        }
    )
    got = resolve_ssh(s, ["key", "pw", "bad", "gone", "none", "missing"])
    assert got["key"].auth is not None and "PRIVATE KEY" in got["key"].auth.private_key
    assert got["pw"].auth == SshAuth("netmon", password="pw")
    assert "private key cannot be read" in got["bad"].problem and str(bad) in got["bad"].problem
    assert str(tmp_path / "gone") in got["gone"].problem
    assert "neither private_key nor password" in got["none"].problem
    assert "'missing' is missing" in got["missing"].problem


def test_no_code_path_passes_known_hosts_none() -> None:
    """asyncssh with known_hosts=None accepts any host key: no such call may exist."""
    offenders = []
    connects = 0
    for path in NETMON.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"known_hosts\s*=\s*None", text):
            offenders.append(f"{path}: text")
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call):
                continue
            words = {k.arg: k.value for k in node.keywords}
            value = words.get("known_hosts")
            if isinstance(value, ast.Constant) and value.value is None:
                offenders.append(f"{path}:{node.lineno}")
            name = ast.unparse(node.func)
            if name.endswith(("asyncssh.connect", "SSHClientConnectionOptions")):
                connects += 1
                if "known_hosts" not in words:
                    offenders.append(f"{path}:{node.lineno}: no known_hosts=")
    assert offenders == []
    assert connects >= 1  # the check looked at the real client
