"""Local files a scenario names (a blob's `content_file`), read when it loads, relative to its folder."""

from __future__ import annotations

import hashlib
import pathlib
from dataclasses import dataclass

from provisioner.kinds.base import LocalFile
from provisioner.scenario.reading import TooLarge, Unreadable, read_limited
from provisioner.scenario.resources import Parsed
from provisioner.scenario.yamlsource import Path, Source

RELATIVE_HINT = "the path is relative to the folder of the scenario file"
OUTSIDE_HINT = "move the file into that folder, or pass --allow-outside-files to read it"


def read_files(
    parsed: dict[str, Parsed], folder: pathlib.Path, source: Source, *, allow_outside: bool = False
) -> dict[str, str]:
    """Reads every file attribute into the attribute its kind names (unless that one is set, which is
    an error reported already); returns the SHA-256 of each file read by `resource.attribute`.

    A file outside `folder` (links resolved) is refused unless `allow_outside`."""
    digests = {}
    for name, resource in parsed.items():
        spec = resource.spec
        for attribute, rule in resource.kind.files.items():
            written = getattr(spec, attribute, None)
            if spec is None or not isinstance(written, str) or getattr(spec, rule.into) is not None:
                continue  # not set, or set together with `into` (reported already)
            at = ("resources", name, attribute)
            text = _read(written, folder, rule, _Place(source, at, allow_outside))
            if text is not None:
                spec = spec.model_copy(update={rule.into: text})
                digests[f"{name}.{attribute}"] = hashlib.sha256(text.encode()).hexdigest()
        resource.spec = spec
    return digests


@dataclass(frozen=True)
class _Place:
    """Where the attribute naming the file stands, and whether files outside the folder may be read."""

    source: Source
    at: Path
    allow_outside: bool

    def error(self, message: str, hint: str | None = None) -> None:
        self.source.error(self.at, message, hint)


def _read(written: str, folder: pathlib.Path, rule: LocalFile, place: _Place) -> str | None:
    """The text of the file, or None after reporting why it cannot be used."""
    if pathlib.Path(written).is_absolute():
        place.error(f"'{written}' must be a path relative to the scenario's folder")
        return None
    path = folder / written
    if not place.allow_outside and not _inside(path, folder):
        place.error(f"'{written}' is outside the scenario's folder", OUTSIDE_HINT)
        return None
    try:
        data = read_limited(path, rule.max_bytes)
    except TooLarge as exc:
        place.error(f"'{written}' is {exc.reason}")
        return None
    except Unreadable as exc:
        place.error(f"cannot read '{written}': {exc.reason}", RELATIVE_HINT)
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        place.error(f"'{written}' is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})")
        return None


def _inside(path: pathlib.Path, folder: pathlib.Path) -> bool:
    """Whether `path`, with `..` and links resolved, is in `folder` (a missing file is judged by its name)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError, RuntimeError):  # a NUL character, a link loop: reading reports it
        return True
