"""Offline OCDS 1.1 validation with libcoveocds, for the tests.

No PyPI package installs the OCDS 1.1 schema as package data, and libcoveocds downloads the
standard at run time unless it is given ``standard_zip``. So the tests build that ZIP, in
memory, from the source distributions of three OCDS packages on PyPI, which ship the
standard's schema files among their test fixtures:

* ``ocdsmerge==0.8.0``: ``tests/fixtures/release-schema-1__1__4.json`` (the release schema);
* ``ocdskit==1.7.0``: ``tests/fixtures/release-package-schema.json`` (the 1.1 release package);
* ``ocdsextensionregistry==0.7.0``:
  ``tests/fixtures/versioned-release-validation-schema.json``.

The closed codelists are written from the ``enum`` of the release schema. The sdists are
looked for in ``$PES_OCDS_SDIST_DIR`` (default ``~/.cache/pes-ocds``); get them once with::

    pip download --no-deps --no-binary :all: -d ~/.cache/pes-ocds \\
        ocdsmerge==0.8.0 ocdskit==1.7.0 ocdsextensionregistry==0.7.0

Where they are missing the OCDS validation tests are skipped with that message. Nothing is
committed to the repository and nothing is fetched while the tests run.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import os
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

TAG = "1__1__5"
SOURCES = {
    "release-schema.json": (
        "ocdsmerge-0.8.0.tar.gz",
        "tests/fixtures/release-schema-1__1__4.json",
    ),
    "release-package-schema.json": (
        "ocdskit-1.7.0.tar.gz",
        "tests/fixtures/release-package-schema.json",
    ),
    "versioned-release-validation-schema.json": (
        "ocdsextensionregistry-0.7.0.tar.gz",
        "tests/fixtures/versioned-release-validation-schema.json",
    ),
}
HOW = (
    "pip download --no-deps --no-binary :all: -d ~/.cache/pes-ocds "
    "ocdsmerge==0.8.0 ocdskit==1.7.0 ocdsextensionregistry==0.7.0"
)


def sdist_dir() -> Path:
    return Path(os.environ.get("PES_OCDS_SDIST_DIR", "~/.cache/pes-ocds")).expanduser()


def _member(archive: Path, suffix: str) -> bytes:
    with tarfile.open(archive) as tar:
        for info in tar.getmembers():
            if info.name.endswith(suffix):
                handle = tar.extractfile(info)
                if handle is not None:
                    return handle.read()
    raise FileNotFoundError(f"{suffix} not in {archive}")


@functools.cache
def schema_files() -> dict[str, bytes] | None:
    folder = sdist_dir()
    try:
        return {name: _member(folder / sdist, path) for name, (sdist, path) in SOURCES.items()}
    except (FileNotFoundError, tarfile.TarError):
        return None


def require_schema() -> dict[str, bytes]:
    files = schema_files()
    if files is None:
        pytest.skip(f"the OCDS schema sdists are not in {sdist_dir()}: {HOW}")
    return files


def release_schema() -> dict[str, Any]:
    return json.loads(require_schema()["release-schema.json"])


def _closed_codelists(schema: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "codelist" in node and node.get("openCodelist") is False:
                enum = node.get("enum") or (node.get("items") or {}).get("enum") or []
                out.setdefault(node["codelist"], set()).update(v for v in enum if v is not None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return out


@functools.cache
def standard_zip() -> bytes:
    files = require_schema()
    buffer = io.BytesIO()
    root = f"standard-{TAG}/"
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(root, "")
        for name, data in files.items():
            archive.writestr(f"{root}schema/{name}", data)
        for name, codes in _closed_codelists(json.loads(files["release-schema.json"])).items():
            archive.writestr(
                f"{root}schema/codelists/{name}", "Code\n" + "\n".join(sorted(codes)) + "\n"
            )
    return buffer.getvalue()


def validate_release_package(package: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """libcoveocds's report on a release package. The ``extensions`` are left out: their
    schemas cannot be fetched offline, so their fields are reported as additional fields."""
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    data = copy.deepcopy(package)
    data.pop("extensions", None)
    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = standard_zip()
    config.config["schema_version_choices"] = {
        "1.1": ("1.1", "https://standard.open-contracting.org/1.1/en/", TAG)
    }
    return ocds_json_output(str(tmp_path), json_data=data, lib_cove_ocds_config=config)
