"""Progress of a dedup run, reported to a callback (the CLI draws it; the library never prints).

A run makes up to five passes, in order: ``lines`` (site boilerplate counts; only with
``boilerplate``), ``hash``, ``cluster``, ``write`` and ``index`` (only with an index).
The callback gets a :class:`Step` after every batch of the streaming passes and at the
end of every pass, batches an interrupted attempt finished included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """Where a dedup run is."""

    name: str  # the pass: lines, hash, cluster, write or index
    number: int  # its position among the run's passes, from 1
    passes: int  # how many passes this run makes
    documents: int  # documents the pass has finished
    total: int | None  # documents in the run, when known
    batches: int  # batches the pass has finished (0 for cluster and index)
    done: bool = False  # the pass has finished


OnStep = Callable[[Step], None]


class Steps:
    """Numbers the passes and counts documents and batches for an :data:`OnStep`."""

    def __init__(self, passes: list[str], total: int | None, callback: OnStep | None) -> None:
        self.passes, self.total, self.callback = passes, total, callback
        self.name, self.documents, self.batches = passes[0], 0, 0

    def start(self, name: str) -> None:
        """A pass begins."""
        self.name, self.documents, self.batches = name, 0, 0
        self._emit(False)

    def batch(self, rows: int) -> None:
        """A batch of ``rows`` documents of the current pass is done."""
        self.documents += rows
        self.batches += 1
        self._emit(False)

    def finish(self, documents: int) -> None:
        """The current pass is done: it covered ``documents`` (all of the run's)."""
        self.documents = documents
        if self.total is None:
            self.total = documents
        self._emit(True)

    def _emit(self, done: bool) -> None:
        if self.callback is None:
            return
        number = self.passes.index(self.name) + 1
        self.callback(
            Step(
                self.name, number, len(self.passes), self.documents, self.total, self.batches, done
            )
        )
