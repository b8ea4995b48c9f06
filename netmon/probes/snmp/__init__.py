"""The SNMP probe (probe.py) and its wire: the seam (client.py), netmon's own BER codec and USM
(ber.py, usm.py, wire.py), pysnmp behind the same seam (pysnmp_client.py), the MIB columns read
(mib.py), table walks (walk.py), the in-flight window (window.py) and the recording fake
(fake.py). Nothing is imported here, so importing the seam does not pull in the probe."""
