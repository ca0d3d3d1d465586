"""A terminal progress bar for the import commands, fed by a ``ProgressCallback``."""

import sys

from tqdm import tqdm

from steadyhand.jobs.services import ProgressCallback


class progress_bar:  # noqa: N801 — used like a function: `with progress_bar("Checking") as progress:`
    """A tqdm bar on stderr (hidden when stderr is not a terminal) fed by a progress callback."""

    def __init__(self, label: str) -> None:
        self._tqdm = tqdm(desc=label, unit="row", file=sys.stderr, disable=None, leave=False)

    def __enter__(self) -> ProgressCallback:
        def progress(done: int, total: int | None, message: str = "") -> None:
            if total is not None and self._tqdm.total != total:
                self._tqdm.total = total
            self._tqdm.update(done - self._tqdm.n)

        return progress

    def __exit__(self, *exc: object) -> None:
        self._tqdm.close()
