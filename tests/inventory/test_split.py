"""A large inventory read on two cores (inventory/split.py): the same inventory and the same
problems, at the same places, as one process reading it all; and a child that fails, hangs
or is not wanted changes nothing but the time."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from netmon.errors import InventoryError
from netmon.gen.inventory import national, write
from netmon.inventory import cache as cache_module
from netmon.inventory import check_inventory, fork, load_then, split
from netmon.inventory import load as load_module
from netmon.inventory.cache import InventoryCache
from netmon.inventory.fork import Forked
from netmon.inventory.load import read_folder
from netmon.inventory.split import worth_splitting


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "inv"
    write(national(provinces=3, per_province=30, pops=2), out)
    return out


def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the children started from here on."""
    pids: list[int] = []
    start = Forked.start.__func__  # type: ignore[attr-defined]

    def counted(
        cls: type[Forked], work: Callable[[], Any], then: Callable[[], object] | None = None
    ) -> Forked | None:
        child = start(cls, work, then)
        if child is not None:
            pids.append(child._pid)
        return child

    monkeypatch.setattr(Forked, "start", classmethod(counted))
    return pids


def both(folder: Path, names: tuple[str, ...] | None = None) -> tuple[Any, Any]:
    one = check_inventory(folder, names, split=False)
    two = check_inventory(folder, names, split=True)
    return one, two


def rendered(problems: list[Any]) -> list[str]:
    return [p.render() for p in problems]


def test_a_clean_inventory_is_the_same_read_on_two_cores(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pids = forks(monkeypatch)
    (inv1, problems1), (inv2, problems2) = both(folder)
    assert problems1 == problems2 == []
    assert inv1 is not None and inv1 == inv2
    assert len(pids) == 2  # one child read files, one checked the references
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # ended and reaped: no zombie left behind
    raw = read_folder(folder, None, None, split=True)
    assert raw.elsewhere and raw.elsewhere < set(raw.read)  # both processes read files


def _append(text: str) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return edit


def _replace(old: str, new: str) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def _drop(start: str) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith(start)]
        assert len(kept) == len(lines) - 1
        path.write_text("".join(kept), encoding="utf-8")

    return edit


# Each an edit to one province file: problems from the file's own check, from joining the
# files, from the reference checks (link ends, devices, interfaces), and warnings.
EDITS: dict[str, Callable[[Path], None]] = {
    "unknown device in a link": _replace("b: {device: cpe-", "b: {device: zz-cpe-"),
    "unknown interface": _replace("interface: wan0}", "interface: wan9}"),
    "device group defined twice": _append("device_groups:\n  cpe-cisco: {platform: linux}\n"),
    "second inventory section": _append("inventory:\n  name: again\n"),
    "unknown key": _replace("- {id: ", "- {idd: x, id: "),
    "duplicate agency": _replace("- {id: p02-a0002,", "- {id: p02-a0001,"),
    "agency cut off (a warning)": _drop("  - {id: p02-pop1--cpe-p02-001,"),
}


# Which files the child reads (indexes in name order; 0 is network.yaml): the provinces, or
# only the national file.
LAYOUTS = {"provinces elsewhere": (0,), "network.yaml elsewhere": (1, 2, 3)}


def laid_out(monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    here = LAYOUTS[layout]

    def fixed(sizes: list[int]) -> tuple[list[int], list[int]]:
        return list(here), [i for i in range(len(sizes)) if i not in here]

    monkeypatch.setattr(split, "shares", fixed)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("edit", EDITS)
def test_problems_are_the_same_and_in_the_same_places(
    folder: Path, edit: str, layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    EDITS[edit](folder / "province-02.yaml")
    laid_out(monkeypatch, layout)
    (inv1, problems1), (inv2, problems2) = both(folder)
    assert problems1, edit  # the edit is a problem
    assert rendered(problems2) == rendered(problems1)
    assert inv1 == inv2


@pytest.mark.parametrize("layout", LAYOUTS)
def test_credential_problems_are_the_same(
    folder: Path, layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    laid_out(monkeypatch, layout)
    (inv1, problems1), (inv2, problems2) = both(folder, ("lab-ssh",))
    assert any("unknown credential set" in p.message for p in problems1)
    assert rendered(problems2) == rendered(problems1) and inv1 == inv2 is None


def test_the_files_are_shared_by_size() -> None:
    here, there = split.shares([100, 1000, 1000, 1000, 10])
    assert sorted(here + there) == [0, 1, 2, 3, 4]
    assert here and there
    assert (
        abs(
            sum([100, 1000, 1000, 1000, 10][i] for i in here)
            - split.CHILD_WEIGHT * sum([100, 1000, 1000, 1000, 10][i] for i in there)
        )
        <= 1000
    )


def test_a_child_that_fails_changes_nothing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = check_inventory(folder, split=False)

    def broken(*_: object) -> Any:
        raise RuntimeError("only ever raised in a child")

    pids = forks(monkeypatch)
    monkeypatch.setattr(split, "plain", broken)  # the reading child
    monkeypatch.setattr(load_module, "_problems_elsewhere", broken)  # the checking child
    started = time.monotonic()
    assert check_inventory(folder, split=True) == expected
    assert time.monotonic() - started < 30  # not the children's deadline (120 s each)
    assert len(pids) == 2
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # ended and reaped


def test_a_child_that_hangs_is_killed_and_its_share_read_here(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = check_inventory(folder, split=False)

    def hangs(value: Any) -> Any:
        time.sleep(60)
        return value

    pids = forks(monkeypatch)
    monkeypatch.setattr(split, "plain", hangs)
    monkeypatch.setattr(fork, "CHILD_SECONDS", 0.5)
    started = time.monotonic()
    assert check_inventory(folder, split=True) == expected
    assert time.monotonic() - started < 30
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)


def test_the_cache_counts_the_childs_files(folder: Path, tmp_path: Path) -> None:
    cache = InventoryCache(tmp_path / "cache")
    assert check_inventory(folder, cache=cache, split=True)[0] is not None
    assert (cache.hits, cache.misses) == (0, 4)
    (folder / "province-02.yaml").write_text(
        (folder / "province-02.yaml").read_text(encoding="utf-8") + "# edited\n", encoding="utf-8"
    )
    again = InventoryCache(tmp_path / "cache")
    inv, problems = check_inventory(folder, cache=again, split=True)
    assert (again.hits, again.misses) == (3, 1)
    assert (inv, problems) == check_inventory(folder, split=False)


def test_when_a_second_process_is_used() -> None:
    assert not worth_splitting(split.SPLIT_BYTES - 1, None)
    assert worth_splitting(split.SPLIT_BYTES, None)
    assert not worth_splitting(10**9, False)
    assert worth_splitting(1, True)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # a fork copies one thread: never automatically while another runs
        assert not worth_splitting(10**9, None)
    finally:
        stop.set()
        other.join()


def test_the_child_leaves_signals_and_buffered_output_alone(folder: Path) -> None:
    """Output this process has buffered is written once (the child ends without flushing it),
    and the child's signals are the defaults."""
    code = (
        "import signal, sys\n"
        "from pathlib import Path\n"
        "from netmon.inventory import check_inventory\n"
        "from netmon.inventory.split import Forked\n"
        "sys.stdout.write('before ')\n"
        "inv, problems = check_inventory(Path(sys.argv[1]), split=True)\n"
        "child = Forked.start(lambda: signal.getsignal(signal.SIGINT) == signal.SIG_DFL)\n"
        "print(child.result(), inv is not None, problems)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=True
    )
    assert out.stdout == "before True True []\n"
    assert out.stderr == ""


def test_background_writes_are_whole_before_the_next_read_and_at_exit(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-shot command's cache (background=True): the entries are written by children while
    the caller goes on; the next read of the cache, here or in a new process, finds them."""
    pids = forks(monkeypatch)
    monkeypatch.setattr(cache_module, "can_fork", lambda: True)
    first = InventoryCache(tmp_path / "cache", background=True)
    expected = check_inventory(folder, cache=first, split=True)
    assert len(pids) == 3  # reader (writes its files after replying), checker, writer
    assert first._queued == []
    again = InventoryCache(tmp_path / "cache")
    assert check_inventory(folder, cache=again, split=True) == expected
    assert again.result_hits == 1  # get_result waited for the writer
    assert len(pids) == 3  # nothing read: no child
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # all ended and reaped
    # In a new process: it waits for its writer before it exits.
    cache = tmp_path / "cache2"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from netmon.inventory import check_inventory\n"
        "from netmon.inventory.cache import InventoryCache\n"
        "c = InventoryCache(Path(sys.argv[2]), background=True)\n"
        "check_inventory(Path(sys.argv[1]), cache=c, split=True)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(folder), str(cache)], check=True)
    later = InventoryCache(cache)
    assert check_inventory(folder, cache=later) == expected
    assert later.result_hits == 1


def test_a_writer_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def hangs(*_: object) -> bool:
        time.sleep(60)
        return True

    pids = forks(monkeypatch)
    monkeypatch.setattr(cache_module, "can_fork", lambda: True)
    monkeypatch.setattr(fork, "CHILD_SECONDS", 0.5)
    cache = InventoryCache(tmp_path / "cache", background=True)
    monkeypatch.setattr(cache, "_write_all", hangs)
    cache.put("k", "f.yaml", [], None)
    cache.write_queued()
    started = time.monotonic()
    fork.wait_all()
    assert time.monotonic() - started < 30
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)


def test_an_interrupted_load_leaves_no_child(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (or a bug) in this process while a child works: the child is stopped and reaped,
    not left reading for nobody."""
    parent = os.getpid()
    read_one = load_module._read_one

    def interrupted(*args: Any) -> Any:
        if os.getpid() == parent:
            raise KeyboardInterrupt
        return read_one(*args)

    pids = forks(monkeypatch)
    monkeypatch.setattr(load_module, "_read_one", interrupted)
    with pytest.raises(KeyboardInterrupt):
        check_inventory(folder, split=True)
    assert len(pids) == 1
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)


def test_load_then_makes_what_then_makes_of_the_inventory(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Split, then() begins after the model is built and before the checks' child has
    replied (their wait is spent on it); in one process, after the checks."""
    expected = check_inventory(folder, split=False)[0]
    order: list[str] = []
    result = Forked.result

    def recorded(self: Forked) -> Any:
        order.append("a child replied")
        return result(self)

    def then(inventory: Any) -> tuple[str, Any]:
        order.append("then")
        return "made of", inventory

    pids = forks(monkeypatch)
    monkeypatch.setattr(Forked, "result", recorded)
    assert load_then(folder, then, split=False) == ("made of", expected)
    assert order == ["then"] and pids == []
    order.clear()
    assert load_then(folder, then, split=True) == ("made of", expected)
    assert order == ["a child replied", "then", "a child replied"]  # reader, then(), checker
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # ended and reaped


def test_what_then_makes_of_a_refused_inventory_is_dropped(folder: Path) -> None:
    """Split, then() meets an inventory not yet checked: whatever it makes or raises, the
    checks' problems are what the caller gets, as from load_inventory."""
    EDITS["unknown device in a link"](folder / "province-02.yaml")
    problems = check_inventory(folder, split=False)[1]
    calls: list[Any] = []

    def then(inventory: Any) -> None:
        calls.append(inventory)
        raise KeyError("what a broken inventory can make an analysis raise")

    for two in (False, True):
        with pytest.raises(InventoryError) as refused:
            load_then(folder, then, split=two)
        assert rendered(refused.value.problems) == rendered(problems)
    assert len(calls) == 1  # split only: in one process the checks come first


@pytest.mark.parametrize("two", [False, True])
def test_then_failing_on_a_clean_inventory_fails_the_load(folder: Path, two: bool) -> None:
    with pytest.raises(ZeroDivisionError):
        load_then(folder, lambda inventory: 1 / 0, split=two)


def test_an_interrupted_then_leaves_no_child(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(inventory: Any) -> None:
        raise KeyboardInterrupt

    pids = forks(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        load_then(folder, interrupted, split=True)
    assert len(pids) == 2
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # the checker stopped and reaped, not left checking for nobody


def test_files_the_cache_has_are_read_here_and_only_parsing_is_shared(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child costs more than reading a cached entry: with one file edited there is nothing
    to share (the checker alone forks); with two, the child parses one of them."""
    check_inventory(folder, cache=InventoryCache(tmp_path / "cache"), split=True)
    for edited, children in (
        (["province-02.yaml"], 1),
        (["province-02.yaml", "province-03.yaml"], 2),
    ):
        for name in edited:
            _append("# edited\n")(folder / name)
        expected = check_inventory(folder, split=False)
        pids = forks(monkeypatch)
        cache = InventoryCache(tmp_path / "cache")
        assert check_inventory(folder, cache=cache, split=True) == expected
        # One file to parse: the checker alone; two: a reader too.
        assert (cache.hits, cache.misses, len(pids)) == (4 - len(edited), len(edited), children)


def test_the_checker_stores_a_clean_model_and_a_refused_one_is_stored_here(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """load_then, split: the checking child, which has the model, writes it to the cache once
    it has replied (this process queues no result); a folder it refuses is stored here, its
    problems as they were found."""
    queued: list[Any] = []
    put_result = InventoryCache.put_result

    def recorded(self: InventoryCache, *args: Any) -> None:
        queued.append(args)
        put_result(self, *args)

    monkeypatch.setattr(InventoryCache, "put_result", recorded)
    expected = check_inventory(folder, split=False)[0]
    cache = InventoryCache(tmp_path / "cache", background=True)
    assert load_then(folder, lambda inventory: inventory, cache=cache, split=True) == expected
    assert queued == []
    fork.wait_all()
    again = InventoryCache(tmp_path / "cache")
    assert load_then(folder, lambda inventory: inventory, cache=again, split=True) == expected
    assert again.result_hits == 1
    EDITS["unknown device in a link"](folder / "province-02.yaml")
    problems = check_inventory(folder, split=False)[1]
    for _ in range(2):  # found, then taken from the cache
        refused = InventoryCache(tmp_path / "cache", background=True)
        with pytest.raises(InventoryError) as caught:
            load_then(folder, lambda inventory: inventory, cache=refused, split=True)
        assert rendered(caught.value.problems) == rendered(problems)
        fork.wait_all()
    assert len(queued) == 1 and refused.result_hits == 1


def test_a_model_with_warnings_is_stored_with_them(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """load_then, split: the checking child stores a model with an agency cut off too, with
    its warning placed as check_inventory places it; this process queues no result."""
    EDITS["agency cut off (a warning)"](folder / "province-02.yaml")
    expected = check_inventory(folder, split=False)
    assert [p.severity for p in expected[1]] == ["warning"]
    write_result = InventoryCache.write_result
    marker = tmp_path / "the child stored a model"

    def marked(self: InventoryCache, *args: Any) -> None:
        marker.touch()  # the child is another process: it leaves a file
        write_result(self, *args)

    monkeypatch.setattr(InventoryCache, "write_result", marked)
    monkeypatch.setattr(InventoryCache, "put_result", _refused)
    cache = InventoryCache(tmp_path / "cache", background=True)
    assert load_then(folder, lambda inventory: inventory, cache=cache, split=True) == expected[0]
    fork.wait_all()
    assert marker.exists()
    monkeypatch.undo()
    again = InventoryCache(tmp_path / "cache")
    assert check_inventory(folder, cache=again) == expected
    assert again.result_hits == 1


def _refused(self: InventoryCache, *args: Any) -> None:
    raise AssertionError("this process stored a result the checking child stores")


def test_the_checker_writes_the_files_read_here_and_no_writer_is_forked(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """validate's cache (background, no model): the entries of the files this process read
    are written by the checking child once it has replied, so no third process is forked;
    the next run finds every file's entry."""
    pids = forks(monkeypatch)
    monkeypatch.setattr(cache_module, "can_fork", lambda: True)
    cache = InventoryCache(tmp_path / "cache", background=True, models=False)
    expected = check_inventory(folder, cache=cache, split=True)
    assert len(pids) == 2  # the reader (its own files) and the checker (this process's)
    assert cache._queued == []
    fork.wait_all()
    again = InventoryCache(tmp_path / "cache", models=False)
    assert check_inventory(folder, cache=again, split=False) == expected
    files = len(list(folder.glob("*.yaml")))
    assert (again.hits, again.misses) == (files, 0)
