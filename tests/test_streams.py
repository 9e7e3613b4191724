"""Output arrives whole when stdout sits on the raw file (PYTHONUNBUFFERED, -u): a raw write
to a pipe that a signal interrupts takes only part of what it is given."""

from __future__ import annotations

import io
import pickle
import sys
from datetime import date

import duckdb
import pytest

from pipelines.publish.background import draw_requested
from pipelines.store.timeline_query import TimelineQuery, write_timeline_csv
from pipelines.streams import WholeWrites, whole_stdout


class InterruptedPipe(io.RawIOBase):
    """A raw file each of whose writes takes at most `most` bytes, as a pipe's write does
    when a signal (a stop and continue, a profiler attaching) interrupts it."""

    def __init__(self, most: int = 1000) -> None:
        self.most = most
        self.received = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        taken = bytes(data[: self.most])
        self.received += taken
        return len(taken)


def _unbuffered_stdout(monkeypatch) -> InterruptedPipe:
    """sys.stdout as PYTHONUNBUFFERED makes it (text written through to the raw file), over a
    pipe that takes part of each write, then mended by `whole_stdout` as a process starts.
    Called in the test's body: pytest sets its own sys.stdout again between a fixture and
    the test."""
    pipe = InterruptedPipe()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(pipe, encoding="utf-8", write_through=True))
    whole_stdout()
    return pipe


def test_a_raw_stdout_alone_loses_what_its_write_did_not_take() -> None:
    """The failure the mend exists for, as the standard library has it."""
    text = io.TextIOWrapper(InterruptedPipe(), encoding="utf-8", write_through=True)
    text.write("字" * 1000)
    text.flush()
    assert len(text.buffer.received) == 1000


def test_text_and_bytes_to_a_mended_stdout_arrive_whole_and_at_once(monkeypatch) -> None:
    unbuffered_stdout = _unbuffered_stdout(monkeypatch)
    print("字" * 100_000)
    assert len(unbuffered_stdout.received) == 300_001  # nothing held back in a buffer
    sys.stdout.buffer.write(b"a" * 250_000)
    assert bytes(unbuffered_stdout.received) == "字".encode() * 100_000 + b"\n" + b"a" * 250_000


def test_a_buffered_stdout_is_left_as_it_is(monkeypatch) -> None:
    buffered = io.TextIOWrapper(io.BufferedWriter(InterruptedPipe()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", buffered)
    whole_stdout()
    assert sys.stdout is buffered


def test_the_cli_mends_stdout_before_any_command(monkeypatch) -> None:
    import pipelines.cli as cli

    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(InterruptedPipe(), encoding="utf-8", write_through=True))
    monkeypatch.setattr(cli, "app", lambda: None)
    monkeypatch.setattr(cli, "_register_optional_commands", lambda: None)
    cli.main()
    assert isinstance(sys.stdout.buffer, WholeWrites)


@pytest.mark.parametrize("request_", [TimelineQuery(), TimelineQuery(limit=2)], ids=["duckdb-writer", "csv-writer"])
def test_a_csv_export_to_a_mended_stdout_is_whole(request_, monkeypatch) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE timeline AS SELECT DATE '2020-01-01' + i::INTEGER AS earliest, "
                "DATE '2020-01-01' + i::INTEGER AS latest, 'day' AS granularity, 'explicit' AS date_basis, "
                "'meeting' AS event_type, repeat('召開會議', 40) || i AS headline, '成都' AS place, "
                "['筠連縣'] AS actors, 1::BIGINT AS num_sources, 'reported' AS modality, "
                "repeat('證據', 60) AS evidence, 'e' || i AS event_id FROM range(400) t(i)")
    whole = io.BytesIO()
    write_timeline_csv(con, request_, whole)
    unbuffered_stdout = _unbuffered_stdout(monkeypatch)
    write_timeline_csv(con, request_, sys.stdout.buffer)
    assert len(whole.getvalue()) > 10_000 or request_.limit
    assert bytes(unbuffered_stdout.received) == whole.getvalue()


def test_the_pictures_helper_writes_its_whole_png_to_a_mended_stdout(monkeypatch) -> None:
    rows = [{"earliest": date(2020, 5, 1), "latest": None, "event_type": "meeting", "event_label": "會議",
             "headline": "筠連縣召開會議", "date_basis": "explicit", "granularity": "day",
             "sources": ["筠連縣人民政府"]}]
    unbuffered_stdout = _unbuffered_stdout(monkeypatch)
    draw_requested(io.BytesIO(pickle.dumps((rows, 1, ["筠連縣人民政府"]))), sys.stdout.buffer)
    png, _ = pickle.loads(bytes(unbuffered_stdout.received))
    assert png.startswith(b"\x89PNG") and len(png) > 4096


def test_the_pictures_helper_draws_nothing_when_the_run_stopped_first() -> None:
    out = io.BytesIO()
    draw_requested(io.BytesIO(b""), out)
    assert out.getvalue() == b""
