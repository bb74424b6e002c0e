"""What a run tells the user: the counts of a run and the progress line."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Summary:
    inputs: int = 0
    records: int = 0
    errors: int = 0
    skipped: int = 0  # taken from an interrupted run's finished shards (--resume)
    warnings: Counter = field(default_factory=Counter)

    def add(self, is_error: bool, warning_codes: Iterable[str] = ()) -> None:
        """Count one document's outcome."""
        self.inputs += 1
        if is_error:
            self.errors += 1
        else:
            self.records += 1
            self.warnings.update(warning_codes)

    def line(self) -> str:
        warn = ", ".join(f"{c} x{n}" for c, n in sorted(self.warnings.items())) or "none"
        resumed = f" ({self.skipped} from the interrupted run)" if self.skipped else ""
        return f"{self.inputs} documents: {self.records} records, {self.errors} errors{resumed}; warnings: {warn}"


class ProgressReporter:
    """A one-line bar on a terminal, plain log lines every ``interval`` seconds otherwise."""

    def __init__(self, stream=None, interval: float = 10.0) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.interval = 0.2 if self.tty else interval

    def __call__(self, summary: Summary, final: bool) -> None:
        now = time.monotonic()
        if not final and now - self.last < self.interval:
            return
        self.last = now
        rate = summary.inputs / max(now - self.start, 1e-9)
        text = f"{summary.inputs} documents, {rate:.1f} docs/s, {summary.errors} errors"
        if summary.skipped:
            text += f", {summary.skipped} resumed"
        if self.tty:
            self.stream.write("\r\033[K" + text + ("\n" if final else ""))
        elif not final:
            self.stream.write(f"claimx: progress: {text}\n")
        self.stream.flush()
