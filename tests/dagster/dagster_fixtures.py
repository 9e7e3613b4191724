"""Helpers for the Dagster tests: small hand-written articles (each reports dated events,
so every partition shows up in the timeline) and helpers around a seeds folder."""

from __future__ import annotations

from pathlib import Path

import pytest

PLACES = ["四川宜宾市珙县", "云南大理州漾濞县", "青海玛多县", "甘肃积石山县", "新疆阿克陶县",
          "河北唐山市", "西藏定日县", "台湾花莲县"]


def postgres_unreachable(url: str | None) -> str | None:
    """Why the PostgreSQL server of the `scale` tests cannot be used, or None when it can."""
    if not url:
        return "TIMELINE_TEST_PG_URL is not set (source .ci/services to start PostgreSQL)"
    try:
        import psycopg2

        psycopg2.connect(url.replace("+psycopg2", ""), connect_timeout=3).close()
    except Exception as exc:  # any failure to connect means: skip, with the reason
        return f"PostgreSQL at {url} is not reachable: {exc}"
    return None


def article(i: int, day: int = 11) -> str:
    """Article number i in the seeds' header format: an earthquake and a press conference."""
    place = PLACES[i % len(PLACES)]
    month = 1 + i % 12
    return (
        f"{place}发生地震\n\n"
        f"來源:中国新闻网 時間:2021-{month:02d}-{day + 1:02d} 09:00:00 編輯:李华\n"
        f"{month}月{day}日晚，{place}发生{4 + i % 3}.{i % 10}级地震，当地政府于次日召开新闻发布会。\n"
    )


def write_article(seeds: Path, name: str, i: int, day: int = 11) -> Path:
    path = seeds / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article(i, day), encoding="utf-8")
    return path


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def timeline_defs(settings=None, executor=None):
    """The project's definitions with test settings (and optionally another executor).

    pipelines.definitions reads TIMELINE_SEEDS/TIMELINE_DB once at import; tests build the
    same assets, job, sensor and schedule around their own folders.
    """
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.defs.executors import executor_from_env, io_manager_from_env
    from pipelines.defs.resources import TimelineSettings

    return dg.Definitions(
        assets=list(defs.assets or []),
        jobs=list(defs.jobs or []),
        sensors=list(defs.sensors or []),
        schedules=list(defs.schedules or []),
        resources={"settings": settings or TimelineSettings.from_env(),
                   "io_manager": io_manager_from_env()},
        executor=executor or executor_from_env(),
    )


def ingest_job_from_env():
    """For dg.reconstructable: step processes rebuild the job from TIMELINE_* variables."""
    return timeline_defs().resolve_job_def("ingest_seed_files")


def project_instance_overrides() -> dict:
    """The project's dagster.yaml, as overrides for a test instance."""
    import yaml

    return yaml.safe_load((Path(__file__).resolve().parents[2] / "dagster.yaml").read_text())
