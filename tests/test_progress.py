"""Progress of a run's phases: milestone lines for logs and redirected stderr."""

from __future__ import annotations

from pipelines.progress import phase


def test_lines_while_running_and_at_the_end(capsys):
    logged: list[str] = []
    with phase("extract", 3, "documents", log=logged.append, stderr=True, every=0) as advance:
        for _ in range(3):
            advance(1)
    printed = capsys.readouterr().err.splitlines()
    assert printed[:3] == logged[:3] == [f"extract: {n}/3 documents (0 s)" for n in (1, 2, 3)]
    assert printed[3].startswith("extract: 3 documents in ") and printed[3].endswith(" s")
    assert logged == printed  # Dagster's log gets the same milestones


def test_quiet_unless_asked(capsys):
    with phase("publish", None) as advance:
        advance(10)
    assert capsys.readouterr().err == ""


def test_a_phase_without_counts(capsys):
    logged: list[str] = []
    with phase("picture", None, log=logged.append):
        pass
    assert len(logged) == 1 and logged[0].startswith("picture: in ")
