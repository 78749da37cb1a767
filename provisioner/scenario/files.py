"""Local files a scenario names (a blob's `content_file`), read when it loads, relative to its folder."""

from __future__ import annotations

import hashlib
import pathlib

from provisioner.kinds.base import LocalFile
from provisioner.scenario.resources import Parsed
from provisioner.scenario.yamlsource import Path, Source

RELATIVE_HINT = "the path is relative to the folder of the scenario file"


def read_files(parsed: dict[str, Parsed], folder: pathlib.Path, source: Source) -> dict[str, str]:
    """Reads every file attribute into the attribute its kind names (unless that one is set, which is
    an error reported already); returns the SHA-256 of each file read by `resource.attribute`."""
    digests = {}
    for name, resource in parsed.items():
        spec = resource.spec
        for attribute, rule in resource.kind.files.items():
            written = getattr(spec, attribute, None)
            if spec is None or not isinstance(written, str) or getattr(spec, rule.into) is not None:
                continue  # not set, or set together with `into` (reported already)
            text = _read(written, folder, rule, source, ("resources", name, attribute))
            if text is not None:
                spec = spec.model_copy(update={rule.into: text})
                digests[f"{name}.{attribute}"] = hashlib.sha256(text.encode()).hexdigest()
        resource.spec = spec
    return digests


def _read(written: str, folder: pathlib.Path, rule: LocalFile, source: Source, at: Path) -> str | None:
    """The text of the file, or None after reporting why it cannot be used."""
    if pathlib.Path(written).is_absolute():
        source.error(at, f"'{written}' must be a path relative to the scenario's folder")
        return None
    try:
        with (folder / written).open("rb") as file:
            data = file.read(rule.max_bytes + 1)
    except (OSError, ValueError) as exc:  # ValueError: a path with a NUL character
        reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
        source.error(at, f"cannot read '{written}': {reason}", RELATIVE_HINT)
        return None
    if len(data) > rule.max_bytes:
        source.error(at, f"'{written}' is larger than {rule.max_bytes // 1024} KiB")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        source.error(at, f"'{written}' is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})")
        return None
