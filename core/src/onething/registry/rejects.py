"""The rejects file of an import (``--rejects``): each bad row with its original columns plus
``reason`` (CSV), or as JSON Lines; renamed into place only when the import succeeds."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..outfiles import atomic_write, escape_row
from .parsing import COLUMNS


class Rejects:
    """The rejects file: the original columns plus ``reason`` (CSV), or JSON Lines."""

    def __init__(self, path: Path, header: list[str] | None, *, force: bool, protected: list):
        self.path = path
        self.jsonl = path.suffix.lower() in (".jsonl", ".ndjson")
        # Renamed into place only when the import succeeds: a failed one leaves no file.
        self._file = atomic_write(path, option="--rejects", force=force, protected=protected)
        self.fh = self._file.__enter__()
        self.header = [*(header or COLUMNS), "reason"] if not self.jsonl else None
        if self.header is not None:
            self.writer = csv.writer(self.fh)
            self.writer.writerow(self.header)

    def write(self, raw: Mapping[str, Any], reason: str) -> None:
        if self.jsonl:
            row = {k: v for k, v in raw.items() if k != "__error__"}
            self.fh.write(json.dumps({**row, "reason": reason}, ensure_ascii=False) + "\n")
            return
        assert self.header is not None

        def text(v: Any) -> str:
            if v is None:
                return ""
            if isinstance(v, dict | list):
                return json.dumps(v, ensure_ascii=False)
            return str(v)

        self.writer.writerow(escape_row([text(raw.get(c)) for c in self.header[:-1]] + [reason]))

    def close(self, error: BaseException | None) -> None:
        if error is None:
            self._file.__exit__(None, None, None)
        else:
            self._file.__exit__(type(error), error, error.__traceback__)
