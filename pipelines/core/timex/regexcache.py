"""The compiled regexes of the tagger's and the events engine's tables, kept on disk
between processes (one file per data folder).

The atom alternation and the scan are large (~12k chars, ~400 character classes of CJK
chars, each of which costs `re` a 64K-entry bitmap); Python compiles them, and the tables'
other patterns, in ~0.06 s at the start of every process: near a tenth of a `timeline
extract` of a thousand articles. `re` has no public way to keep a
compiled pattern, so this keeps what its compiler produces for each pattern (the SRE
program: flags, a list of ints, the group names) in a JSON file, and builds the pattern
object from it with `_sre.compile`, the call `re.compile` itself ends with; SRE checks a
program before it accepts one. Patterns the tables derive by parsing every row (the scan,
the guarded alternation; ~20 ms more) are kept too, keyed by all they are derived from.
The events tables compile ~240 patterns (the blocks of every trigger: ~0.5-1 s, paid by
the parent of an extraction pool before it can fork). The file is keyed by the Python build and holds only the patterns of the last load;
another Python, a damaged file or an unwritable folder falls back to compiling, so the
cache only ever changes how fast the tables load.
"""

from __future__ import annotations

import _sre
import json
import os
import re
import re._compiler as _sre_compile
import re._parser as _sre_parse
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

from pipelines.atomicfile import write_bytes_atomically

# What a stored program depends on besides its pattern: the interpreter and its SRE.
_BUILD = [sys.version, _sre.MAGIC, _sre.CODESIZE]


def default_folder() -> Path | None:
    """$TIMELINE_CACHE_DIR, else $XDG_CACHE_HOME/zh-news-timeline, else
    ~/.cache/zh-news-timeline; None without a home (then every process compiles)."""
    if folder := os.environ.get("TIMELINE_CACHE_DIR"):
        return Path(folder)
    if base := os.environ.get("XDG_CACHE_HOME"):
        return Path(base) / "zh-news-timeline"
    try:
        return Path.home() / ".cache" / "zh-news-timeline"
    except RuntimeError:  # no HOME and no password entry
        return None


def _program(pattern: str) -> tuple[re.Pattern, list]:
    """Compile as `re.compile(pattern)` does, keeping the program it builds."""
    parsed = _sre_parse.parse(pattern, 0)
    code = [int(op) for op in _sre_compile._code(parsed, 0)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    program = [parsed.state.flags, code, parsed.state.groups - 1, groupindex, indexgroup]
    return _build(pattern, program), program


def _build(pattern: str, program: list) -> re.Pattern:
    flags, code, groups, groupindex, indexgroup = program
    return _sre.compile(pattern, flags, code, groups, groupindex, tuple(indexgroup))


class RegexCache:
    """Compiles patterns from the programs a file holds, recording new ones; `save` writes
    the programs of exactly the patterns compiled through it."""

    def __init__(self, file: Path | None) -> None:
        self.file = file
        self._stored, self._stored_derived = self._read()
        self._used: dict[str, list] = {}
        self._used_derived: dict[str, str] = {}
        self._compiled: dict[str, re.Pattern] = {}

    def _read(self) -> tuple[dict[str, list], dict[str, str]]:
        if self.file is None:
            return {}, {}
        try:
            data = json.loads(self.file.read_bytes())
            if data["build"] != _BUILD:
                return {}, {}
            derived = data["derived"]
            if not all(isinstance(k, str) and isinstance(v, str) for k, v in derived.items()):
                return {}, {}
            return {entry[0]: entry[1] for entry in data["programs"]}, derived
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return {}, {}  # none yet, another build's, or damaged: compile afresh

    def stored_patterns(self) -> set[str]:
        """The patterns whose programs the file held when this cache was opened."""
        return set(self._stored)

    def compile(self, pattern: str) -> re.Pattern:
        # One object per pattern, as re.compile's own cache gives: the events tables ask for
        # the same blocks pattern for hundreds of triggers.
        compiled = self._compiled.get(pattern)
        if compiled is None:
            compiled = self._compiled[pattern] = self._compile(pattern)
        return compiled

    def _compile(self, pattern: str) -> re.Pattern:
        program = self._stored.get(pattern)
        if program is not None:
            try:
                rx = _build(pattern, program)
            except (TypeError, ValueError, RuntimeError, OverflowError):
                pass  # not a program this SRE accepts: compile afresh
            else:
                self._used[pattern] = program
                return rx
        try:
            rx, program = _program(pattern)
        except (AttributeError, TypeError, ValueError):  # another Python's re internals
            return re.compile(pattern)
        self._used[pattern] = program
        return rx

    def derived(self, inputs: str, make_text: Callable[[], str]) -> str:
        """The text `make_text` builds from `inputs` (all it depends on); when the file holds
        it for the same inputs, not built."""
        key = "derived\x00" + inputs
        text = self._stored_derived.get(key)
        if text is None:
            text = make_text()
        self._used_derived[key] = text
        return text

    def compile_derived(self, inputs: str, make_pattern: Callable[[], str]) -> re.Pattern:
        """The pattern `make_pattern` builds from `inputs` (all it depends on), compiled;
        when the file holds it for the same inputs, neither built nor compiled."""
        return self.compile(self.derived(inputs, make_pattern))

    def save(self) -> None:
        """Write the file when what was compiled differs from what it holds."""
        if self.file is None or (self._used.keys() == self._stored.keys() and
                                 self._used_derived == self._stored_derived):
            return
        data = {"build": _BUILD, "programs": [[p, prog] for p, prog in self._used.items()],
                "derived": self._used_derived}
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomically(self.file, json.dumps(data).encode(), durable=False)
        except OSError:
            pass  # a read-only home: every process compiles, nothing else changes


def cache_file(data: Path, folder: Path | None = None) -> Path | None:
    """The cache of one data folder: projects with other tables keep their own."""
    folder = folder or default_folder()
    if folder is None:
        return None
    digest = zlib.crc32(str(Path(data).resolve()).encode())
    return folder / f"regex-{digest:08x}.json"
