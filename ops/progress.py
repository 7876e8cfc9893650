"""A rich progress bar for long work over events, with the rate in events per second."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from .output import err


class EventsPerSecond(ProgressColumn):
    """The task's speed, as events per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} events/s")


@contextmanager
def events_progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """Show a bar on stderr while the body runs; yield the callback told the count so far."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        EventsPerSecond(),
        TimeElapsedColumn(),
        console=err,
        transient=not err.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=max(total, 1))

        def told(done: int) -> None:
            bar.update(task, completed=done, total=max(total, done, 1))

        yield told
        bar.update(task, completed=bar.tasks[0].total)
