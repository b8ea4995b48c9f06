"""The cache of checked inventory files (netmon/inventory/cache.py): the same problems cold and
warm, only changed files read again, and nothing loaded from an entry it cannot trust."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest

from netmon.gen.inventory import national, write
from netmon.inventory import check_inventory
from netmon.inventory.cache import InventoryCache
from netmon.inventory.place import Placer
from netmon.inventory.split import PositionElsewhere

DATA = Path(__file__).parent.parent / "data"
CREDENTIALS = ("lab-snmp-v2c", "lab-snmp-v3", "lab-ssh")
CORPUS = [*sorted((DATA / "invalid").glob("*.yaml")), DATA / "base.yaml", DATA / "valid"]


def _folder_of_two(tmp_path: Path) -> Path:
    """base.yaml split in two files: the inventory section and the rest."""
    folder = tmp_path / "inv"
    folder.mkdir()
    text = (DATA / "base.yaml").read_text()
    cut = text.index("\nlevels:")
    (folder / "a.yaml").write_text(text[: cut + 1])
    (folder / "b.yaml").write_text(text[cut + 1 :])
    return folder


def _files(place: Path) -> list[Path]:
    return sorted(p for p in place.iterdir() if not p.name.startswith("folder-"))


def _drop_results(place: Path) -> None:
    for result in place.glob("folder-*"):
        result.unlink()


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_same_problems_cold_and_warm(path: Path, tmp_path: Path) -> None:
    place = tmp_path / "cache" / "inventory"
    cold = check_inventory(path, CREDENTIALS)
    cache = InventoryCache(place)
    filling = check_inventory(path, CREDENTIALS, cache)
    assert (cache.hits, cache.result_hits) == (0, 0)
    warm_cache = InventoryCache(place)
    warm = check_inventory(path, CREDENTIALS, warm_cache)  # the folder's result
    assert warm_cache.result_hits == 1
    _drop_results(place)
    files_cache = InventoryCache(place)
    from_files = check_inventory(path, CREDENTIALS, files_cache)  # each file's
    assert (files_cache.misses, files_cache.result_hits) == (0, 0)
    assert cold[1] == filling[1] == warm[1] == from_files[1]
    assert cold[0] == filling[0] == warm[0] == from_files[0]


def test_a_cache_without_models_stores_files_only_and_reads_a_stored_model(
    tmp_path: Path,
) -> None:
    """models=False (`netmon validate`): the files' entries are stored, no folder's result;
    one stored by another run (a report) is read; the results are the same."""
    folder = _folder_of_two(tmp_path)
    place = tmp_path / "cache" / "inventory"
    cold = check_inventory(folder)
    for _ in range(2):
        files_only = InventoryCache(place, models=False)
        assert check_inventory(folder, cache=files_only) == cold
        assert files_only.result_hits == 0
    assert list(place.glob("folder-*")) == [] and len(_files(place)) == 2
    assert files_only.hits == 2  # the second run took both files from the cache
    assert check_inventory(folder, cache=InventoryCache(place)) == cold  # stores the model
    reader = InventoryCache(place, models=False)
    assert check_inventory(folder, cache=reader) == cold
    assert reader.result_hits == 1


def test_credential_sets_are_part_of_the_folder_key(tmp_path: Path) -> None:
    place = tmp_path / "cache" / "inventory"
    bad = DATA / "invalid" / "unknown-credential.yaml"
    for names in (CREDENTIALS, None, CREDENTIALS[:1], CREDENTIALS):
        assert check_inventory(bad, names, InventoryCache(place)) == check_inventory(bad, names)


def test_problems_name_the_file_as_given_now(tmp_path: Path) -> None:
    cache = InventoryCache(tmp_path / "cache" / "inventory")
    bad = DATA / "invalid" / "unknown-key.yaml"
    check_inventory(bad, None, cache)
    moved = tmp_path / "moved.yaml"
    shutil.copy(bad, moved)
    _, problems = check_inventory(moved, None, cache)
    assert (cache.hits, cache.result_hits) == (1, 0)
    assert problems == check_inventory(moved, None)[1]
    assert {p.file for p in problems} == {str(moved)}


def test_only_the_edited_file_is_read_again(tmp_path: Path) -> None:
    folder = _folder_of_two(tmp_path)
    place = tmp_path / "cache" / "inventory"
    check_inventory(folder, CREDENTIALS, InventoryCache(place))
    edited = folder / "b.yaml"
    edited.write_text(edited.read_text().replace("parent:", "parnet:", 1))
    cache = InventoryCache(place)
    inv, problems = check_inventory(folder, CREDENTIALS, cache)
    assert (cache.hits, cache.misses, cache.result_hits) == (1, 1, 0)
    assert inv is None
    assert problems == check_inventory(folder, CREDENTIALS)[1]
    assert any("unknown key 'parnet'" in p.message for p in problems)
    assert len(list(place.glob("folder-*"))) == 1  # the folder's older result is gone


def test_folder_wide_problems_are_found_warm(tmp_path: Path) -> None:
    folder = _folder_of_two(tmp_path)
    shutil.copy(folder / "a.yaml", folder / "c.yaml")  # a second inventory: section
    place = tmp_path / "cache" / "inventory"
    cold = check_inventory(folder, CREDENTIALS)[1]
    check_inventory(folder, CREDENTIALS, InventoryCache(place))
    _drop_results(place)
    cache = InventoryCache(place)
    assert check_inventory(folder, CREDENTIALS, cache)[1] == cold
    assert (cache.misses, cache.result_hits) == (0, 0)
    assert any("second 'inventory:' section" in p.message for p in cold)


def test_folders_are_private(tmp_path: Path) -> None:
    place = tmp_path / "cache" / "netmon" / "inventory"
    check_inventory(DATA / "base.yaml", None, InventoryCache(place))
    for folder in (place, place.parent):
        assert folder.stat().st_mode & 0o777 == 0o700
    for entry in place.iterdir():
        assert entry.stat().st_mode & 0o777 == 0o600


def test_corrupt_entries_are_ignored_and_rewritten(tmp_path: Path) -> None:
    folder = _folder_of_two(tmp_path)
    place = tmp_path / "cache" / "inventory"
    cold = check_inventory(folder, CREDENTIALS)
    check_inventory(folder, CREDENTIALS, InventoryCache(place))
    first, second, result = *_files(place), next(place.glob("folder-*"))
    first.write_bytes(b"not a pickle")
    second.write_bytes(second.read_bytes()[:100])  # truncated
    result.write_bytes(result.read_bytes()[:-10])
    cache = InventoryCache(place)
    assert check_inventory(folder, CREDENTIALS, cache) == cold
    assert (cache.misses, cache.result_hits) == (2, 0)
    again = InventoryCache(place)
    assert check_inventory(folder, CREDENTIALS, again) == cold
    assert again.result_hits == 1
    _drop_results(place)
    files = InventoryCache(place)
    assert check_inventory(folder, CREDENTIALS, files) == cold
    assert files.hits == 2


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


def test_an_entry_naming_any_other_class_is_not_loaded(tmp_path: Path) -> None:
    place = tmp_path / "cache" / "inventory"
    check_inventory(DATA / "base.yaml", None, InventoryCache(place))
    for entry in place.iterdir():
        entry.write_bytes(pickle.dumps(("netmon-inventory-cache/1", entry.name, _Boom(), [])))
    cache = InventoryCache(place)
    check_inventory(DATA / "base.yaml", None, cache)
    assert (cache.misses, cache.result_hits) == (1, 0)
    assert not (Path.cwd() / "pwned").exists()


@pytest.mark.parametrize("what", ["entry", "folder"])
def test_an_entry_others_may_write_is_not_trusted(tmp_path: Path, what: str) -> None:
    place = tmp_path / "cache" / "inventory"
    check_inventory(DATA / "base.yaml", None, InventoryCache(place))
    if what == "entry":
        for entry in place.iterdir():
            entry.chmod(0o666)
    else:
        place.chmod(0o777)
    cache = InventoryCache(place)
    assert check_inventory(DATA / "base.yaml", None, cache) == check_inventory(DATA / "base.yaml")
    assert (cache.hits, cache.result_hits) == (0, 0)


def test_a_symlinked_entry_is_not_followed(tmp_path: Path) -> None:
    place = tmp_path / "cache" / "inventory"
    check_inventory(DATA / "base.yaml", None, InventoryCache(place))
    for i, entry in enumerate(place.iterdir()):
        real = tmp_path / f"elsewhere-{i}"
        entry.rename(real)
        entry.symlink_to(real)
    cache = InventoryCache(place)
    check_inventory(DATA / "base.yaml", None, cache)
    assert (cache.hits, cache.result_hits) == (0, 0)


def test_no_cache_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NETMON_NO_CACHE", raising=False)
    assert InventoryCache.default() is not None
    assert InventoryCache.default(no_cache=True) is None
    monkeypatch.setenv("NETMON_NO_CACHE", "1")
    assert InventoryCache.default() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")
    monkeypatch.setenv("NETMON_NO_CACHE", "0")
    cache = InventoryCache.default()
    assert cache is not None
    assert cache.folder == Path.home() / ".cache" / "netmon" / "inventory"


def _national_with_a_warning(tmp_path: Path) -> tuple[Path, Path]:
    """A small national inventory whose province-02.yaml has an agency cut off (its CPE's link
    dropped): a warning, and the inventory valid."""
    folder = tmp_path / "national"
    write(national(provinces=3, per_province=30, pops=2), folder)
    edited = folder / "province-02.yaml"
    lines = edited.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("  - {id: p02-pop1--cpe-p02-001,")]
    assert len(kept) == len(lines) - 1
    edited.write_text("".join(kept), encoding="utf-8")
    return folder, edited


@pytest.mark.parametrize("split", [False, True])
def test_a_warning_from_a_warm_cache_is_placed_by_reading_its_file_alone(
    tmp_path: Path, split: bool
) -> None:
    # A valid inventory may carry a warning for months: each run used to read every file again
    # to place it (2.1 s a validate at national size, against 0.7 s without the warning).
    folder, edited = _national_with_a_warning(tmp_path)
    place = tmp_path / "cache" / "inventory"
    cold = check_inventory(folder, CREDENTIALS, split=False)
    assert [p.severity for p in cold[1]] == ["warning"] and cold[1][0].file == str(edited)
    check_inventory(folder, CREDENTIALS, InventoryCache(place))
    _drop_results(place)
    cache, keep = InventoryCache(place), list[Any]()
    warm = check_inventory(folder, CREDENTIALS, cache, split=split, keep=keep)
    assert (cache.misses, cache.result_hits) == (0, 0)  # every file's data plain, from the cache
    assert warm == cold
    assert keep[0].placer.files_read == (str(edited),)


def test_a_problem_that_cannot_be_placed_so_is_placed_by_reading_the_folder_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _ = _national_with_a_warning(tmp_path)
    place = tmp_path / "cache" / "inventory"
    cold = check_inventory(folder, CREDENTIALS, split=False)
    check_inventory(folder, CREDENTIALS, InventoryCache(place))
    _drop_results(place)

    def unplaced(self: Placer, file: str, data: Any) -> Any:
        raise PositionElsewhere

    monkeypatch.setattr(Placer, "placed", unplaced)
    keep = list[Any]()
    assert check_inventory(folder, CREDENTIALS, InventoryCache(place), keep=keep) == cold
    assert not keep[0].elsewhere  # every file read again here, with its positions
