"""--shard I/N: a stable partition of the agencies, the same in every process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from netmon.errors import NetmonError
from netmon.poller import Shard, stable_hash

IDS = [f"ubnd-xa-{i}" for i in range(467)]


def test_every_agency_in_exactly_one_shard() -> None:
    shards = [Shard(i, 4) for i in range(4)]
    for agency in IDS:
        assert sum(s.owns_key(agency) for s in shards) == 1
    sizes = [sum(s.owns_key(a) for a in IDS) for s in shards]
    assert min(sizes) > 467 / 4 * 0.7  # roughly even


def test_assignment_is_pinned() -> None:
    """Changing the hash would move agencies between running instances: pin it."""
    assert stable_hash("so-tttt") == stable_hash("so-tttt")
    assert [Shard(i, 3).owns_key("so-tttt") for i in range(3)].count(True) == 1
    assert stable_hash("so-tttt") % 1000 == PINNED


PINNED = 995  # blake2b-64 of "so-tttt", mod 1000: computed once, must never change


@pytest.mark.parametrize("seed", ["0", "1", "random"])
def test_same_shards_in_another_process(seed: str) -> None:
    code = (
        "from netmon.poller import Shard\n"
        f"ids = {IDS[:50]!r}\n"
        "print([i for i in ids if Shard(1, 3).owns_key(i)])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
    ).stdout
    assert out.strip() == str([i for i in IDS[:50] if Shard(1, 3).owns_key(i)])


@pytest.mark.parametrize("text", ["3/3", "1", "a/b", "-1/2", "1/0"])
def test_bad_shard_is_refused(text: str) -> None:
    with pytest.raises(NetmonError, match="I/N"):
        Shard.parse(text)


def test_good_shard() -> None:
    assert Shard.parse(" 2/5 ") == Shard(2, 5) and str(Shard(2, 5)) == "2/5"


def test_shard_by_group_keeps_a_group_together_and_is_parsed() -> None:
    from netmon.model import Agency

    by_group = Shard.parse("1/4", "group")
    assert (by_group.index, by_group.count, by_group.by) == (1, 4, "group")
    a = [Agency(f"a{i}", f"A {i}", "commune", f"g{i % 5}") for i in range(50)]
    for g in {x.group for x in a}:
        owners = {
            i for i in range(4) for x in a if x.group == g and by_group.sibling(i).owns_agency(x)
        }
        assert len(owners) == 1  # every agency of a group on one shard
    with pytest.raises(NetmonError, match="--shard-by"):
        Shard.parse("1/4", "province")
