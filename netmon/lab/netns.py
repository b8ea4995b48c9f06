"""Network namespaces bound to files under the state folder, and the processes inside them.

`ip netns add` would write /run/netns; the lab binds each namespace to a file in its own `ns/`
folder instead (`unshare --net=FILE`), which is itself a private bind mount so the bindings
never propagate into other mount namespaces.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from netmon.errors import LabError

COMMAND_TIMEOUT_S = 60.0
ZOMBIE_WAIT_S = 1.0


def run(
    cmd: Sequence[str],
    *,
    stdin: str | None = None,
    timeout: float = COMMAND_TIMEOUT_S,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> str:
    """Run a command to completion; a failure becomes a LabError quoting its stderr."""
    try:
        done = subprocess.run(
            list(cmd),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"{cmd[0]} did not finish within {timeout:.0f} s: {' '.join(cmd)}") from exc
    except FileNotFoundError as exc:
        raise LabError(f"{cmd[0]} is not installed (needed by the lab)") from exc
    if done.returncode != 0:
        raise LabError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def parallel(jobs: Iterable[Sequence[str]], workers: int, timeout: float = 30.0) -> None:
    """Run independent commands with bounded concurrency; the first failure is raised."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(lambda cmd: run(cmd, timeout=timeout), list(jobs)):
            pass


def mounts_under(root: Path) -> list[Path]:
    """Mount points at or below `root`, deepest first (the order to unmount them)."""
    found: list[Path] = []
    prefix = str(root.absolute())
    with Path("/proc/self/mountinfo").open(encoding="utf-8") as fh:
        for line in fh:
            point = _unescape(line.split()[4])
            if point == prefix or point.startswith(prefix + "/"):
                found.append(Path(point))
    return sorted(set(found), key=lambda p: len(p.parts), reverse=True)


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def ensure_private_dir(path: Path) -> None:
    """Make `path` a private bind mount of itself (idempotent)."""
    path.mkdir(parents=True, exist_ok=True)
    if path.absolute() not in mounts_under(path):
        run(["mount", "--bind", str(path), str(path)])
    run(["mount", "--make-private", str(path)])


def nsfs_mounts() -> list[Path]:
    """Every namespace file bound in this mount namespace (this lab's and any other's)."""
    found: list[Path] = []
    with Path("/proc/self/mountinfo").open(encoding="utf-8") as fh:
        for line in fh:
            fields = line.split()
            # Optional fields vary in number; the filesystem type follows the "-" separator.
            if fields[fields.index("-") + 1] == "nsfs":
                found.append(Path(_unescape(fields[4])))
    return found


def create_mount_template(file: Path, etc: Path, ns_dir: Path) -> None:
    """A mount namespace bound to `file`, for device nodes to copy theirs from.

    A new mount namespace copies the whole mount table of its parent. The host's holds one
    namespace file per node of this lab (and of any other lab up on the machine): ~500-1000
    entries, which every `unshare --mount`, `mount` and `umount` of every node walked, and
    copies that pinned those namespaces (of other labs too) until the node went away. The
    template holds none of them, and has the lab's /etc/passwd and /etc/group bound already:
    a node only binds its own /run (one `mount` process instead of four mount/umount).
    """
    file.touch()
    script = (
        'set -e; mount --bind "$1" /etc/passwd; mount --bind "$2" /etc/group; '
        'umount --lazy "$3"; shift 3; '
        # Other labs' namespace files: best effort, they are not ours to fail on.
        '[ $# -eq 0 ] || umount --lazy "$@" 2>/dev/null || true'
    )
    others = [p for p in nsfs_mounts() if ns_dir.absolute() not in p.parents]
    run(
        [
            *("unshare", f"--mount={file}", "--propagation", "private", "sh", "-c", script, "sh"),
            *(str(etc / "passwd"), str(etc / "group"), str(ns_dir.absolute())),
            *map(str, others),
        ]
    )


def create_netns(files: Sequence[Path], workers: int) -> None:
    """One persistent network namespace per file (the file is created empty first)."""
    for f in files:
        f.touch()
    parallel((["unshare", f"--net={f}", "true"] for f in files), workers)


def inode(path: Path) -> int:
    """The namespace inode a bound namespace file (or /proc/PID/ns/net) stands for."""
    return Path(path).stat().st_ino


def processes_in(inodes: set[int]) -> dict[int, int]:
    """Every process whose network namespace is one of `inodes`: pid -> namespace inode."""
    out: dict[int, int] = {}
    me = os.getpid()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            ino = Path(f"/proc/{entry.name}/ns/net").stat().st_ino
        except OSError:
            continue  # gone, or a kernel thread
        if ino in inodes:
            out[int(entry.name)] = ino
    return out


def signal_all(pids: Iterable[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def kill_namespaces(inodes: set[int], deadline_s: float = 8.0) -> int:
    """SIGKILL every process in the namespaces and wait (bounded) until none is left.

    Daemons are orphans whose parent is PID 1: a killed one stays a zombie until PID 1
    reaps it. Zombies hold no namespace, memory or socket; wait a little for them to leave
    /proc (bounded: some container inits reap only every few seconds).
    """
    killed: set[int] = set()
    end = time.monotonic() + deadline_s
    while pids := processes_in(inodes):
        if time.monotonic() > end:
            raise LabError(f"processes still alive in the lab after {deadline_s} s: {sorted(pids)}")
        signal_all(pids, signal.SIGKILL)
        killed.update(pids)
        time.sleep(0.02)
    reaped_by = time.monotonic() + ZOMBIE_WAIT_S
    while any(Path(f"/proc/{pid}").exists() for pid in killed) and time.monotonic() < reaped_by:
        time.sleep(0.02)
    return len(killed)


def umount_all(points: Sequence[Path]) -> None:
    """Unmount (lazily: nothing may keep a lab mount busy) in batches of one process each."""
    for i in range(0, len(points), 200):
        run(["umount", "--lazy", *map(str, points[i : i + 200])])


def wait_listening(udp_port: int, proc: subprocess.Popen[bytes]) -> None:
    """Wait (at most 5 s) until `proc` itself has a socket bound to `udp_port`.

    /proc/PID/net/udp lists the whole namespace (and the host's, before nsenter has
    switched): the socket must also be one of the process's own file descriptors.
    """
    needle = f":{udp_port:04X}"
    end = time.monotonic() + 5.0
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise LabError(f"the relay exited ({proc.returncode}) before listening")
        with contextlib.suppress(OSError):
            own = {str(f.readlink()) for f in Path(f"/proc/{proc.pid}/fd").iterdir()}
            for line in Path(f"/proc/{proc.pid}/net/udp").read_text("ascii").splitlines()[1:]:
                cols = line.split()
                if cols[1].endswith(needle) and f"socket:[{cols[9]}]" in own:
                    return
        time.sleep(0.02)
    raise LabError(f"the relay did not listen on udp {udp_port} within 5 s")
