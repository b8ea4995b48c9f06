"""Label values in words, for the alerts' annotations: never a raw English label value in the
Vietnamese text ("mất kết nối", not "down"; "thiết bị", not "device").

`say(label, WORDS)` writes a Go template Prometheus renders
(`{{ if eq $labels.cause_state "down" }}mất kết nối{{ else if ... }}...{{ end }}`);
`when(label, value, then, otherwise)` chooses a phrase. `expand` renders the same templates in
Python for the promtool test cases, and promtool compares the two renderings, so a template
this module cannot render the way Prometheus does fails `promtool test rules`.

The words, chosen with the NOC's usage: a backbone link is a "tuyến trục", the ring a "mạch
vòng", an access link an "đường truy nhập"; an agency or a device "mất kết nối", a PoP that
answers but has no path left "bị cô lập"; a dashboard is a "bảng giám sát".
"""

from __future__ import annotations

import re

CAUSE_KIND = {"device": "thiết bị", "link": "đường truyền"}
CAUSE_KIND_EN = {"device": "device", "link": "link"}
CAUSE_STATE = {"down": "mất kết nối", "isolated": "bị cô lập"}
LINK_KIND = {"ring": "mạch vòng", "aggregation": "tuyến tập trung", "access": "đường truy nhập"}
DRIFT_KIND = {
    "missing": "thiếu cáp so với khai báo",
    "undeclared": "có cáp chưa khai báo",
    "wrong_port": "cáp cắm sai cổng",
    "unknown_neighbour": "thiết bị lạ không có trong danh mục",
}
AUTH_REASON = {
    "authentication": "sai thông tin xác thực",
    "host_key": "khóa máy chủ SSH không khớp với known_hosts",
    "not_in_time_window": "phản hồi SNMPv3 nằm ngoài cửa sổ thời gian",
}
LOADED_FILE = {
    "config": "tệp cấu hình config.yaml",
    "inventory": "danh mục cơ quan và thiết bị (thư mục inventory/)",
}


def lab(name: str) -> str:
    return "{{ $labels." + name + " }}"


def say(label: str, words: dict[str, str]) -> str:
    """The label's value in words; a value not in `words` is shown as it is."""
    out = ""
    for i, (value, text) in enumerate(words.items()):
        out += "{{ " + ("if" if i == 0 else "else if") + f' eq $labels.{label} "{value}" }}}}{text}'
    return out + "{{ else }}" + lab(label) + "{{ end }}"


def when(label: str, value: str, then: str, otherwise: str) -> str:
    return f'{{{{ if eq $labels.{label} "{value}" }}}}{then}{{{{ else }}}}{otherwise}{{{{ end }}}}'


_TOKEN = re.compile(r"\{\{ (.*?) \}\}")
_COND = re.compile(r'(?:else )?if eq \$labels\.(\w+) "([^"]*)"$')


def expand(template: str, labels: dict[str, str]) -> str:
    """Render the template forms above (and plain `{{ $labels.x }}`) as Prometheus does."""
    parts = _TOKEN.split(template)  # text, action, text, action, ...
    out, _ = _block(parts, 0, labels)
    if "{{" in out:
        raise ValueError(f"template form the test generator cannot expand: {template!r}")
    return out


def _block(parts: list[str], i: int, labels: dict[str, str]) -> tuple[str, int]:
    """Render from parts[i] up to an else/end at this level; returns (text, index of it)."""
    out = ""
    while i < len(parts):
        if i % 2 == 0:
            out += parts[i]
            i += 1
            continue
        action = parts[i]
        if action.startswith("$labels."):
            out += labels.get(action.removeprefix("$labels."), "")
            i += 1
        elif action.startswith("if "):
            text, i = _if(parts, i, labels)
            out += text
        elif action in ("end", "else") or action.startswith("else if"):
            return out, i
        else:
            raise ValueError(f"template action the test generator cannot expand: {action!r}")
    return out, i


def _if(parts: list[str], i: int, labels: dict[str, str]) -> tuple[str, int]:
    """An if / else if / else / end chain starting at parts[i]."""
    chosen: str | None = None
    while True:
        action = parts[i]
        body, j = _block(parts, i + 1, labels)
        if action == "else":
            hit = True
        else:
            m = _COND.match(action)
            if not m:
                raise ValueError(f"condition the test generator cannot expand: {action!r}")
            hit = labels.get(m[1], "") == m[2]
        if chosen is None and hit:
            chosen = body
        if parts[j] == "end":
            return chosen or "", j + 1
        i = j
