"""SSH into lab nodes from the noc: host keys verified against the lab's known_hosts."""

from __future__ import annotations

import pytest

from lab.labtools import LiveLab

pytestmark = pytest.mark.lab


def ssh(lab: LiveLab, address: str, known_hosts: str, *cmd: str) -> tuple[int, str, str]:
    done = lab.noc(
        "ssh",
        "-i",
        str(lab.state_dir / "ssh" / "id_ed25519"),
        "-o",
        f"UserKnownHostsFile={known_hosts}",
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=5",
        f"netmon@{address}",
        *cmd,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def test_every_node_answers_ssh_with_a_verified_host_key(lab: LiveLab) -> None:
    known = str(lab.state_dir / "ssh" / "known_hosts")
    for node in lab.status["nodes"]:
        if node["role"] == "noc":
            continue
        rc, out, err = ssh(lab, node["mgmt"], known, "hostname; id -un")
        assert rc == 0, err
        assert out.split() == [node["name"], "netmon"]


def test_lldpcli_works_over_ssh_like_on_a_device(lab: LiveLab) -> None:
    core = next(n for n in lab.status["nodes"] if n["name"] == "core-1")
    rc, out, err = ssh(
        lab,
        core["mgmt"],
        str(lab.state_dir / "ssh" / "known_hosts"),
        "lldpcli -f keyvalue show neighbors",
    )
    assert rc == 0, err
    assert "core-2" in out


def test_an_unknown_host_key_is_refused(lab: LiveLab, tmp_path: object) -> None:
    known = (lab.state_dir / "ssh" / "known_hosts").read_text(encoding="utf-8").splitlines()
    nodes = {n["mgmt"]: n for n in lab.status["nodes"]}
    a, b = (line.split() for line in known[:2])
    # known_hosts that pins node A's address to node B's key: A's real key is then unknown.
    wrong = lab.state_dir.parent / "wrong_known_hosts"
    wrong.write_text(f"{a[0]} {b[1]} {b[2]}\n", encoding="utf-8")
    rc, out, err = ssh(lab, a[0], str(wrong), "hostname")
    assert rc != 0 and nodes[a[0]]["name"] not in out
    assert "host key" in err.lower()
    empty = lab.state_dir.parent / "empty_known_hosts"
    empty.write_text("", encoding="utf-8")
    rc, out, err = ssh(lab, a[0], str(empty), "hostname")
    assert rc != 0 and "host key verification failed" in err.lower()
