"""JSON reports: the view's data, UTF-8 (Vietnamese names stay readable), stable key order."""

from __future__ import annotations

import json

from netmon.export.report.views import View, view_data
from netmon.model.snapshot import Snapshot


def render(snapshot: Snapshot, view: View, page: str | None = None) -> str:
    return json.dumps(view_data(snapshot, view), ensure_ascii=False, indent=2) + "\n"
