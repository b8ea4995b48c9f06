# The two commands a newcomer needs:  make demo   and   make test
# Both create .venv and install what they need (Debian packages too, when run as root).

VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.deps-installed
# Real daemons and tools the lab, the integration tests and the demo run: bird2 routes the
# in-band lab; chromium and its driver for the map's browser tests (tests/export/test_map_browser.py)
# and the availability report's test (screenshot, A4 PDF).
DEBIAN_PACKAGES := snmpd snmp lldpd openssh-server openssh-client prometheus prometheus-alertmanager \
                   prometheus-snmp-exporter graphviz fonts-dejavu-core fping iproute2 nftables procps \
                   chromium chromium-driver bird2

.PHONY: demo test lint typecheck unit install debian-packages bench clean

# The main job, as root: a live replica of the 467-agency network, netmon, Prometheus and
# Alertmanager, a scripted PoP outage and its recovery, then everything removed (2-3 minutes;
# Ctrl-C tears down). Not root: says why and what to run instead. Options: DEMO_ARGS=--keep
demo: install
	$(VENV)/bin/netmon demo $(DEMO_ARGS)

# The whole suite in two runs of pytest, both always run (the exit status is the first failure):
# the tests that need no lab on both cores (pytest-xdist; a file's tests stay together on one
# worker, in order: no two files share a fixed address or port), then the lab tests alone, one
# after another: they bring up network namespaces with real daemons and wait on their clocks.
# `.venv/bin/pytest` alone runs it all in one process.
test: install lint typecheck
	@status=0; \
	$(VENV)/bin/pytest -m "not lab" -n 2 --dist loadfile || status=$$?; \
	$(VENV)/bin/pytest -m lab || { s=$$?; [ $$status -ne 0 ] || status=$$s; }; \
	exit $$status

lint: install
	$(VENV)/bin/ruff check netmon tests bench
	$(VENV)/bin/ruff format --check netmon tests bench

typecheck: install
	$(VENV)/bin/mypy

# Installs the package itself (not editable: tests run against what a user would install).
install: $(STAMP) debian-packages
	$(PY) -m pip install -q --no-deps --force-reinstall . >/dev/null

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q '.[test]'
	touch $@

debian-packages:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	else echo "not root: skipping Debian packages ($(DEBIAN_PACKAGES)); lab tests will be skipped"; fi

bench: install
	$(PY) bench/validate.py

clean:
	rm -rf $(VENV) build *.egg-info
