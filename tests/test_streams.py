"""Bytes written to stdout arrive whole when stdout is the raw file (PYTHONUNBUFFERED, -u):
a raw write to a pipe that a signal interrupts takes only part of what it is given."""

from __future__ import annotations

import io
import pickle
from datetime import date

import pytest

from pipelines.publish.background import draw_requested
from pipelines.store.timeline_query import TimelineQuery, write_timeline_csv
from pipelines.streams import whole_writes


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


def test_a_raw_file_alone_loses_what_its_write_did_not_take() -> None:
    """The failure the writer exists for, as the standard library has it."""
    pipe = InterruptedPipe()
    pipe.write(b"x" * 5000)
    text = io.TextIOWrapper(InterruptedPipe(), encoding="utf-8", write_through=True)
    text.write("字" * 1000)
    text.flush()
    assert len(pipe.received) == len(text.detach().received) == 1000


def test_bytes_and_text_through_whole_writes_arrive_whole_and_the_file_stays_open() -> None:
    pipe = InterruptedPipe()
    with whole_writes(pipe) as out:
        out.write(b"a" * 250_000)
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        text.write("字" * 100_000)
        text.detach()
    assert bytes(pipe.received) == b"a" * 250_000 + "字".encode() * 100_000
    assert not pipe.closed


def test_a_buffered_stream_is_written_as_it_is() -> None:
    out = io.BytesIO()
    with whole_writes(out) as same:
        assert same is out
        same.write(b"abc")
    assert out.getvalue() == b"abc"


@pytest.mark.parametrize("request_", [TimelineQuery(), TimelineQuery(limit=2)], ids=["duckdb-writer", "csv-writer"])
def test_a_csv_export_to_a_raw_stdout_is_whole(request_) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE timeline AS SELECT DATE '2020-01-01' + i::INTEGER AS earliest, "
                "DATE '2020-01-01' + i::INTEGER AS latest, 'day' AS granularity, 'explicit' AS date_basis, "
                "'meeting' AS event_type, repeat('召開會議', 40) || i AS headline, '成都' AS place, "
                "['筠連縣'] AS actors, 1::BIGINT AS num_sources, 'reported' AS modality, "
                "repeat('證據', 60) AS evidence, 'e' || i AS event_id FROM range(400) t(i)")
    whole = io.BytesIO()
    write_timeline_csv(con, request_, whole)
    pipe = InterruptedPipe()
    with whole_writes(pipe) as out:
        write_timeline_csv(con, request_, out)
    assert len(whole.getvalue()) > 10_000 or request_.limit
    assert bytes(pipe.received) == whole.getvalue()


def test_the_pictures_helper_writes_its_whole_png_to_a_raw_stdout() -> None:
    rows = [{"earliest": date(2020, 5, 1), "latest": None, "event_type": "meeting",
             "event_label": "會議", "headline": "筠連縣召開會議", "date_basis": "explicit", "granularity": "day",
             "sources": ["筠連縣人民政府"]}]
    pipe = InterruptedPipe(most=4096)
    draw_requested(io.BytesIO(pickle.dumps((rows, 1, ["筠連縣人民政府"]))), pipe)
    png, _ = pickle.loads(bytes(pipe.received))
    assert png.startswith(b"\x89PNG") and len(png) > 4096
