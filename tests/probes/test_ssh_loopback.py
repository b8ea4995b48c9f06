"""The SSH probe against loopback SSH servers that behave like Cisco IOS and Huawei VRP devices
(sshdevice.py), with the real asyncssh client: prompt, echo and paging, hostile output (garbage,
truncated, 10 MB, ANSI escapes, a prompt that never returns), host keys, authentication, and the
poller's concurrency cap counted on the servers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import asyncssh
import pytest
from poller.fleet import fleet, settings

from netmon.config import SecretRef, SshCredential
from netmon.model import CredentialRefs, ProbeResult
from netmon.poller.cycle import Poller
from netmon.probes import ProbeEnv
from netmon.probes.ssh.client import Output, SshAuth
from netmon.probes.ssh.platforms import PLATFORMS
from netmon.probes.ssh.probe import SshSettings, probe
from probes.sshdevice import SHELL_PERSONAS, DeviceServer, Hostile, Persona, cisco, huawei, linux
from probes.test_ssh_probe import HOST, LINUX, PW_ENV, target


class Loop:
    """One device server on 127.0.0.1 with its known_hosts and a client key it accepts."""

    def __init__(self, tmp_path: Path, server: DeviceServer) -> None:
        self.tmp = tmp_path
        self.server = server
        self.key = asyncssh.generate_private_key("ssh-ed25519")
        server.client_key = self.key
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.known_hosts = tmp_path / "known_hosts"

    def auth(self) -> SshAuth:
        return SshAuth("netmon", private_key=self.key.export_private_key().decode())

    def probe(self, platform: str, auth: SshAuth | None = None, **kw: object) -> ProbeResult:
        async def go() -> ProbeResult:
            port = await self.server.start()
            if not self.known_hosts.exists():
                self.known_hosts.write_text(self.server.known_hosts(), encoding="utf-8")
            try:
                t = target(platform, self.known_hosts, auth or self.auth(), port, **kw)
                return await probe(t, ProbeEnv())
            finally:
                await self.server.close()

        return asyncio.run(go())


PERSONAS = {"cisco_ios": cisco, "huawei_vrp": huawei, **SHELL_PERSONAS}
NAMES = {
    "cisco_ios": "Router",
    "huawei_vrp": "HUAWEI",
    "cisco_nxos": "nx-core-1",
    "juniper_junos": "mx960-1",
    "hp_comware": "H3C-S5560",
    "hp_procurve": "HP-2920-48G",
}


@pytest.mark.parametrize("platform", list(PERSONAS))
@pytest.mark.parametrize("ignore_paging_off", [False, True])
def test_a_vendor_device_over_an_interactive_shell(
    tmp_path: Path, platform: str, ignore_paging_off: bool
) -> None:
    persona = PERSONAS[platform]()
    server = DeviceServer(persona, ignore_paging_off=ignore_paging_off)
    r = Loop(tmp_path, server).probe(platform)
    assert r.success, r.detail
    want_if, want_n = [], []
    for c in PLATFORMS[platform].commands:
        parsed = c.parse(Output(c.text, persona.outputs[c.text]))
        want_if += parsed.interfaces
        want_n += parsed.neighbours
    # the pager (answered with a space when paging stays on) left nothing in the output
    assert list(r.interfaces) == want_if and list(r.neighbours) == want_n
    assert r.sys_name == NAMES[platform] and r.lldp_read
    shell = PLATFORMS[platform].shell
    assert shell is not None
    # paging off first, then each command once, in one session ("exit" may race the close)
    assert server.commands[:5] == [*shell.paging_off, *persona.outputs][:5]
    assert [c for c in server.commands if c != shell.exit] == [*shell.paging_off, *persona.outputs]
    assert server.connections == 1
    # paging off was obeyed, or (a device that ignores it) its pager was answered every time
    assert (server.pages > 0) == ignore_paging_off


@pytest.mark.parametrize(
    ("hostile", "reason", "words"),
    [
        ("garbage", "parse_error", "no interface in the output"),
        ("truncated", "malformed_reply", "output truncated"),
        ("huge", "malformed_reply", "larger than"),
        ("noprompt", "timeout", "waiting for the prompt after 'show interfaces'"),
    ],
)
def test_hostile_shell_output_is_a_reported_failure(
    tmp_path: Path, hostile: Hostile, reason: str, words: str
) -> None:
    server = DeviceServer(cisco(), hostile={"show interfaces": hostile})
    r = Loop(tmp_path, server).probe("cisco_ios", timeout_s=2.0)
    # "timeout" is the probe's own timeout: the cycle deadline ("deadline") never had to act
    assert (r.success, r.reason) == (False, reason), r.detail
    assert words in r.detail
    print(f"{hostile}: {r.reason} after {r.duration_s:.2f} s: {r.detail[:100]}")


def test_ansi_escapes_change_nothing(tmp_path: Path) -> None:
    clean = Loop(tmp_path / "a", DeviceServer(cisco())).probe("cisco_ios")
    coloured = Loop(
        tmp_path / "b", DeviceServer(cisco(), hostile={"show interfaces": "ansi"})
    ).probe("cisco_ios")
    assert coloured.success and coloured.interfaces == clean.interfaces
    assert len(coloured.interfaces) == 9


@pytest.mark.parametrize(
    ("hostile", "reason"),
    [("huge", "malformed_reply"), ("truncated", "malformed_reply"), ("noprompt", "timeout")],
)
def test_hostile_exec_output_is_a_reported_failure(
    tmp_path: Path, hostile: Hostile, reason: str
) -> None:
    persona = linux(**LINUX)
    server = DeviceServer(persona)
    ok = Loop(tmp_path / "ok", server).probe("linux")
    assert ok.success and ok.neighbours and ok.interfaces, ok.detail
    assert (ok.sys_name, ok.uptime_s) == ("cpe-so-tttt", 11188.16)
    assert server.commands == list(LINUX)  # one exec channel each, in order
    server = DeviceServer(persona, hostile={"ip -j -s link": hostile})
    r = Loop(tmp_path, server).probe("linux", timeout_s=2.0)
    assert (r.success, r.reason) == (False, reason), r.detail


def test_unknown_and_changed_host_keys_are_refused(tmp_path: Path) -> None:
    for case in ("unknown", "changed"):
        server = DeviceServer(cisco())
        loop = Loop(tmp_path / case, server)
        other = asyncssh.generate_private_key("ssh-ed25519")
        if case == "unknown":  # known_hosts knows another host only
            public = other.export_public_key().decode().split()[:2]
            loop.known_hosts.write_text(f"[127.0.0.9]:22 {' '.join(public)}\n", encoding="utf-8")
        else:  # this host, another key: the device was replaced, or someone is in between
            server.port = 0
            loop.known_hosts.write_text("", encoding="utf-8")

            async def pin(
                s: DeviceServer = server, key: asyncssh.SSHKey = other, kh: Path = loop.known_hosts
            ) -> None:
                await s.start()
                kh.write_text(s.known_hosts(key), encoding="utf-8")
                await s.close()

            asyncio.run(pin())
        r = loop.probe("cisco_ios")
        assert (r.success, r.reason) == (False, "host_key"), r.detail
        assert ("unknown" if case == "unknown" else "does not match") in r.detail
        assert server.connections == 0  # never logged in


def test_wrong_key_or_password_is_authentication(tmp_path: Path) -> None:
    wrong_key = SshAuth(
        "netmon",
        private_key=asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode(),
    )
    r = Loop(tmp_path / "k", DeviceServer(cisco())).probe("cisco_ios", auth=wrong_key)
    assert r.reason == "authentication" and "'netmon' was refused" in r.detail
    server = DeviceServer(cisco(), password="right")
    loop = Loop(tmp_path / "p", server)
    server.client_key = None
    bad = loop.probe("cisco_ios", auth=SshAuth("netmon", password="wrong"))
    assert bad.reason == "authentication"
    good = loop.probe("cisco_ios", auth=SshAuth("netmon", password="right"))
    assert good.success, good.detail


def test_fifty_devices_never_exceed_the_ssh_concurrency_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cap = 5
    addresses = [f"127.0.0.{i}" for i in range(10, 60)]
    inv = fleet(addresses)
    devices = tuple(
        replace(d, platform="cisco_ios", probes=("ssh",), credentials=CredentialRefs(ssh="dev"))
        if d.role == "cpe"
        else d
        for d in inv.devices
    )
    inv = replace(inv, devices=devices)
    monkeypatch.setenv(PW_ENV, "pw")
    server = DeviceServer(cisco(), password="pw", delay_s=0.05)
    known = tmp_path / "known_hosts"

    async def go() -> tuple[ProbeResult, ...]:
        port = await server.start(tuple(addresses))
        known.write_text(server.known_hosts(), encoding="utf-8")
        s = settings(
            deadline_s=120.0,
            interval_s=300.0,
            probes={"ssh": SshSettings(20.0, 0, concurrency=cap)},
            ssh_known_hosts=known,
            credentials={
                "dev": SshCredential("netmon", password=SecretRef(env="NETMON_TEST_SSH_PW"))
            },
        )
        poller = Poller(inv, s, ports={"ssh": port})
        try:
            return (await poller.cycle()).results
        finally:
            await poller.aclose()
            await server.close()

    results = asyncio.run(go())
    assert len(results) == 50
    assert [r.detail for r in results if not r.success] == []
    assert server.connections == 50
    assert 2 <= server.max_active <= cap
    print(f"50 devices, cap {cap}: at most {server.max_active} sessions at once on the servers")


def test_a_silent_server_times_out_and_a_closed_port_is_refused(tmp_path: Path) -> None:
    """A listener that never sends its banner is a frozen sshd seen from the wire (the kernel
    accepts, the daemon never answers); the probe's own timeout ends it."""
    kh = tmp_path / "known_hosts"
    kh.write_text("", encoding="utf-8")
    auth = SshAuth("netmon", password="pw")

    async def go() -> tuple[ProbeResult, ProbeResult]:
        server = await asyncio.start_server(lambda r, w: None, HOST, 0)
        port = server.sockets[0].getsockname()[1]
        silent = await probe(target("cisco_ios", kh, auth, port, timeout_s=1.0), ProbeEnv())
        server.close()
        await server.wait_closed()
        closed = await probe(target("cisco_ios", kh, auth, port, timeout_s=1.0), ProbeEnv())
        return silent, closed

    silent, closed = asyncio.run(go())
    assert (silent.reason, closed.reason) == ("timeout", "refused"), (silent, closed)
    assert "connecting to 127.0.0.1" in silent.detail
    print(f"silent server: {silent.reason} after {silent.duration_s:.2f} s")


@pytest.mark.parametrize(
    ("persona", "platform", "shows"),
    [
        (linux, "cisco_ios", "a Unix shell (platform linux)"),
        # prompts alike are named together: <HUAWEI> may be VRP or Comware
        (huawei, "cisco_ios", "platform hp_comware or huawei_vrp"),
        (cisco, "huawei_vrp", "platform cisco_ios or cisco_nxos or arista_eos or zte_zxros"),
    ],
    ids=["linux-as-ios", "vrp-as-ios", "ios-as-vrp"],
)
def test_another_platforms_prompt_fails_at_once(
    tmp_path: Path, persona: Callable[[], Persona], platform: str, shows: str
) -> None:
    """The inventory names the wrong platform: the probe says so instead of waiting out its
    timeout for a prompt the device will never show (the lab's Linux nodes named as IOS took
    the whole 5 s each)."""
    server = DeviceServer(persona())
    r = Loop(tmp_path, server).probe(platform, timeout_s=20.0)
    assert (r.success, r.reason) == (False, "error"), r.detail
    assert f"the prompt of {shows}, not of this platform" in r.detail
    assert "check the device's platform in the inventory" in r.detail
