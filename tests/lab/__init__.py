"""Tests of the lab (netmon/lab): real namespaces and daemons, marked `lab`."""
