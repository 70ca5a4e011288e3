"""The dumps' SHA-256, in `sha256sum`'s format beside them (`sha256sum -c SHA256SUMS` checks a download): the
build takes them as it writes the dumps, and a server announces them in VoID without reading gigabytes."""

from __future__ import annotations

from pathlib import Path

CHECKSUMS = "SHA256SUMS"


def write(folder: Path, checksums: dict[str, str]) -> None:
    (folder / CHECKSUMS).write_text("".join(f"{digest}  {name}\n" for name, digest in sorted(checksums.items())))


def read(folder: Path) -> dict[str, str]:
    """File name -> SHA-256 (hex), as the build wrote them; none for a build that wrote none."""
    try:
        lines = (folder / CHECKSUMS).read_text().splitlines()
    except OSError:
        return {}
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines if "  " in line)}
