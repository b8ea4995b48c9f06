"""The SSH probe (probe.py) and its wire: the seam (client.py), asyncssh behind it
(asyncssh_client.py, shell.py for interactive CLIs), the recording fake (fake.py), platforms as
data (platforms.py) and the parsers of their outputs (parse.py for Linux, vendor.py and
textfsm_fsm.py for Cisco and Huawei through ntc-templates, text.py for what they share).
Nothing is imported here, so importing the seam does not pull in the probe."""
