"""`pip install .` in a new virtualenv gives a working `netmon`, and the wheel holds only netmon."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (found,) = out.glob("netmon-*.whl")
    return found


def test_wheel_holds_only_netmon(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"netmon", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    assert "netmon/py.typed" in names
    # the map works offline: its page and the vendored library ship inside the wheel
    from netmon.export.webmap import ASSETS

    assert {f"netmon/export/web/{name}" for name, _ in ASSETS.values()} <= set(names)
    assert not any(n.startswith(("tests/", "bench/", "inventory/")) for n in names)


@pytest.mark.slow
def test_fresh_venv_install_gives_working_cli(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    out = subprocess.run(
        [str(venv / "bin" / "netmon"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "validate" in out.stdout
