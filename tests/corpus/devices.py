"""The conformance corpus: which recordings of snmpsim-data, from which vendor, as what platform.

At least 15 devices from at least 6 vendors, with the known troublemakers (FIELD-NOTES):
the two huge interface tables (H3C 1,317 rows, Ruijie M18000 3,271), Ruijie N18010 (no
ifXTable, an lldpRemTable whose OIDs do not increase), Cisco Nexus (NUL-padded port ids, MAC
port ids written as text), H3C E528 (LLDP rows without lldpStatsRemTablesLastChangeTime),
HPE ProCurve (two interfaces named lo0), H3C and Ruijie names with spaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Recording:
    path: str  # in snmpsim-data's data folder, without .snmprec[.bz2]
    vendor: str
    platform: str  # as the inventory would name it

    @property
    def community(self) -> str:  # snmpsim: the data file's name without extension
        return Path(self.path).name


CORPUS = (
    Recording("network/switch/cisco-c3560", "Cisco", "cisco_ios"),
    Recording("network/switch/cisco-c3750", "Cisco", "cisco_ios"),
    Recording("network/switch/cisco-n5000", "Cisco", "cisco_nxos"),
    Recording("network/switch/cisco-n5000-uk9", "Cisco", "cisco_nxos"),
    Recording("network/router/huawei-s5720", "Huawei", "huawei_vrp"),
    Recording("network/switch/huawei-s12704", "Huawei", "huawei_vrp"),
    Recording("network/switch/h3c-e528-1", "H3C", "hp_comware"),
    Recording("network/switch/h3c-e528-2", "H3C", "hp_comware"),
    Recording("network/switch/h3c-comware-7-1-075", "H3C", "hp_comware"),
    Recording("network/switch/h3c-comware-lsq1wcmd0-2509p61", "H3C", "hp_comware"),
    Recording("network/switch/hpe-procurve-516733-b21", "HPE", "hp_procurve"),
    Recording("network/switch/ruijie-s5750-24gt12sfp", "Ruijie", "ruijie_os"),
    Recording("network/wifi/ruijie-m18000", "Ruijie", "ruijie_os"),
    Recording("network/router/ruijie-n18010", "Ruijie", "ruijie_os"),
    Recording("network/router/juniper-mx960-12-3r6-6", "Juniper", "juniper_junos"),
    Recording("network/router/juniper-mx960-13-3r9-13", "Juniper", "juniper_junos"),
    Recording("network/switch/zte-zrx10", "ZTE", "zte_zxros"),
    Recording("network/switch/zte-zxr10-5250", "ZTE", "zte_zxros"),
    Recording("cloud/arista-dcs-7150s-52-cl", "Arista", "arista_eos"),
    Recording("network/switch/brocade-icx6430-24", "Brocade", "other"),
    Recording("network/switch/dlink-des3200", "D-Link", "other"),
    Recording("network/switch/bdcom-s5612", "BDCOM", "other"),
    Recording("network/switch/maipu-sm4200-16gef8ge-ac", "Maipu", "other"),
)
HUGE = ("h3c-comware-lsq1wcmd0-2509p61", "ruijie-m18000")
