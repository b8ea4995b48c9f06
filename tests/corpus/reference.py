"""The independent reading: net-snmp's snmpbulkwalk of the same agent, parsed here.

Nothing of netmon is used: the walk is net-snmp's (`-Cr25`, `-ObentUx`: numeric OIDs, every
octet string in hex), the parser is the few lines below, and the decoding follows the MIBs'
own words (LLDP-MIB subtypes, IF-MIB columns). What netmon reads is compared with this.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from ipaddress import IPv4Address

Oid = tuple[int, ...]
Value = int | bytes | None  # None: "No Such ..." / an empty answer


def bulkwalk(port: int, community: str, column: str) -> tuple[dict[Oid, Value], str]:
    """(values by OID under `column`, net-snmp's complaint on stderr or "")."""
    done = subprocess.run(
        ["snmpbulkwalk", "-v2c", "-c", community, "-ObentUx", "-Cr25", "-t", "5", "-r", "2",
         f"127.0.0.1:{port}", column],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    return parse(done.stdout), done.stderr.strip()


def parse(text: str) -> dict[Oid, Value]:
    """`.1.3.6... = TYPE: value` lines; a Hex-STRING may go on over the next lines."""
    out: dict[Oid, Value] = {}
    key: Oid | None = None
    for line in text.splitlines():
        m = re.match(r"^\.([\d.]+) = (.*)$", line)
        if m:
            key = tuple(int(p) for p in m.group(1).split("."))
            out[key] = _value(m.group(2))
        elif key is not None and isinstance(out[key], bytes) and line.strip():
            out[key] = out[key] + bytes.fromhex(line)  # type: ignore[operator]
    return out


def _value(text: str) -> Value:
    if text == '""':
        return b""
    kind, _, body = text.partition(": ")
    if kind == "Hex-STRING":
        return bytes.fromhex(body)
    if kind in ("INTEGER", "Gauge32", "Counter32", "Counter64", "Unsigned32"):
        return int(re.sub(r"\D", "", body.split("(")[-1]) or "0")
    if kind == "STRING":  # -Ox prints printable strings in hex too; kept for safety
        return body.strip('"').encode()
    if text.isdigit():  # Timeticks under -Ot
        return int(text)
    return None  # No Such Object / Instance, OIDs, addresses: not used here


def rows(values: dict[Oid, Value], column: str) -> dict[Oid, Value]:
    """The rows under one column (net-snmp GETs the column itself when it has none: skipped)."""
    base = tuple(int(p) for p in column.split("."))
    return {k[len(base) :]: v for k, v in values.items() if k[: len(base)] == base != k}


def text(raw: bytes) -> str:
    """DisplayString as text: trailing NULs cut, not-UTF-8 bytes and control characters
    shown as \\xNN (what an operator should see; never U+FFFD)."""
    s = raw.rstrip(b"\0").decode("utf-8", "backslashreplace")
    return "".join(f"\\x{ord(c):02x}" if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in s)


def mac(raw: bytes) -> str:
    """An LLDP MAC-address id: six bytes, or (MikroTik, Nexus) the address written as text."""
    if len(raw) == 6:
        return ":".join(f"{b:02x}" for b in raw)
    t = raw.rstrip(b"\0").decode("ascii", "replace").lower()
    parts = re.split(r"[:\-]", t)
    if len(parts) == 6 and all(re.fullmatch(r"[0-9a-f]{1,2}", p) for p in parts):
        return ":".join(p.zfill(2) for p in parts)
    return text(raw)


def lldp_id(subtype: int, raw: bytes, mac_subtype: int, address_subtype: int) -> str:
    if subtype == mac_subtype:
        return mac(raw)
    if subtype == address_subtype and len(raw) == 5 and raw[0] == 1:
        return str(IPv4Address(raw[1:]))
    return text(raw)


IF_NAME, IF_DESCR = "1.3.6.1.2.1.31.1.1.1.1", "1.3.6.1.2.1.2.2.1.2"
IF_OPER, IF_ALIAS = "1.3.6.1.2.1.2.2.1.8", "1.3.6.1.2.1.31.1.1.1.18"
REM = "1.0.8802.1.1.2.1.4.1.1."
LOC_PORT = "1.0.8802.1.1.2.1.3.7.1."


@dataclass
class Reading:
    interfaces: dict[int, tuple[str, bool]] = field(default_factory=dict)  # ifIndex: name, up
    neighbours: list[tuple[str, str, str, str]] = field(default_factory=list)
    lldp_error: str = ""  # net-snmp could not walk lldpRemTable (and says why)


def read(port: int, community: str) -> Reading:
    """Every interface (index, name, oper status) and every LLDP row (local port, remote
    chassis id, port id, sysName) of one agent."""
    out = Reading()
    names_raw = rows(bulkwalk(port, community, IF_NAME)[0], IF_NAME)
    if not names_raw:  # no ifXTable: the name is ifDescr (IF-MIB: "a textual string ...")
        names_raw = rows(bulkwalk(port, community, IF_DESCR)[0], IF_DESCR)
    oper = rows(bulkwalk(port, community, IF_OPER)[0], IF_OPER)
    names: dict[int, str] = {}
    for (index,) in sorted({*names_raw, *oper}):
        raw = names_raw.get((index,))
        name = text(raw) if isinstance(raw, bytes) and raw.rstrip(b"\0") else f"ifIndex{index}"
        if name in names.values():  # two rows, one name: told apart by ifIndex
            name = f"{name} (ifIndex {index})"
        names[index] = name
        out.interfaces[index] = (name, oper.get((index,)) == 1)
    columns: dict[int, dict[Oid, Value]] = {}
    for col in (4, 5, 6, 7, 9):
        values, error = bulkwalk(port, community, f"{REM}{col}")
        if error:
            out.lldp_error = error
            return out
        columns[col] = rows(values, f"{REM}{col}")
    if not columns[5]:
        return out
    loc = {
        c: rows(bulkwalk(port, community, f"{LOC_PORT}{c}")[0], f"{LOC_PORT}{c}") for c in (2, 3, 4)
    }
    for index, chassis in columns[5].items():
        assert len(index) == 3, f"lldpRemTable index {index}: not timeMark.localPortNum.remIndex"
        row = {c: columns[c].get(index) for c in columns}
        out.neighbours.append(
            (
                _local(index[1], loc, names),
                lldp_id(row[4], chassis, 4, 5),  # type: ignore[arg-type]
                lldp_id(row[6], row[7] or b"", 3, 4),  # type: ignore[arg-type]
                text(row[9] or b""),  # type: ignore[arg-type]
            )
        )
    return out


def _local(port: int, loc: dict[int, dict[Oid, Value]], names: dict[int, str]) -> str:
    """LLDP-MIB: lldpLocPortTable names the port lldpRemLocalPortNum points at (by interface
    name, subtype 5, or a local number, 7, that these agents use for the ifIndex), else its
    description names it; else the number is the ifIndex (as on most agents)."""
    sub, pid, desc = (loc[c].get((port,)) for c in (2, 3, 4))
    known = set(names.values())
    if isinstance(pid, bytes):
        value = text(pid)
        if sub == 5 and value in known:
            return value
        if sub == 7 and value.isdigit() and int(value) in names:
            return names[int(value)]
        if isinstance(desc, bytes) and text(desc) in known:
            return text(desc)
    return names.get(port, f"lldpLocPortNum.{port}")
