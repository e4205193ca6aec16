"""The saved-model folder: the library's own model file plus a JSON sidecar.

::

    <path>/
      <model_file>        the fitted model in the library's own format (model.ubj, model.txt ...)
      mlcore-model.json   what that file does not hold: parameters, classes, feature names

Nothing is pickled: loading a folder runs no code from it. A plugin describes its layout
once and writes and reads with it::

    FOLDER = ModelFolder(
        format="mlcore-xgboost-model", model_file="model.ubj", distribution="mlcore-xgboost"
    )
    FOLDER.write(path, bytes(booster.save_raw("ubj")), {"params": ..., **fitted})
    metadata, raw = FOLDER.read(path, model_class=cls.__name__)

The sidecar is serialized first, then both files are written in full under temporary names
before either is renamed into place: a save that fails (a value JSON cannot hold, a full
disk, an interrupt) leaves no partial file, and an earlier save in the folder intact.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np

__all__ = ["SIDECAR", "ModelFolder", "classes_from_metadata", "classes_metadata"]

#: The sidecar's file name in every model folder.
SIDECAR = "mlcore-model.json"


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} {value!r} cannot be written as JSON")


def _stage(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file next to ``path``; return its path."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def _write_together(files: Mapping[Path, bytes]) -> None:
    """Write every file under a temporary name, then rename them all into place."""
    staged: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            staged[path] = _stage(path, data)
        for path, temporary in staged.items():
            os.replace(temporary, path)
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)  # what was renamed is gone already


@attrs.frozen
class ModelFolder:
    """How one plugin lays out a saved model: its format name and its model file's name.

    :param format: the sidecar's ``format`` (``"mlcore-xgboost-model"``); :meth:`read`
        refuses folders of another format.
    :param model_file: the name of the file holding the library's own bytes
        (``"model.ubj"``, ``"model.txt"``).
    :param distribution: the plugin that writes the folders, named in the message that
        asks to upgrade it.
    :param format_version: bumped when the sidecar changes incompatibly; :meth:`read`
        refuses newer versions.
    """

    format: str
    model_file: str
    distribution: str
    format_version: int = 1

    def write(
        self, path: str | os.PathLike[str], model: bytes, metadata: Mapping[str, Any]
    ) -> None:
        """Write ``model`` (the library's bytes) and ``metadata`` (the sidecar) into the folder.

        ``metadata`` must be JSON (numpy scalars and arrays are converted); the sidecar also
        records ``format`` and ``format_version``. The folder is created when missing.
        """
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise FileExistsError(
                f"{folder} is a file; save() writes a folder ({self.model_file} and "
                f"{SIDECAR}): pass a folder path"
            )
        try:
            sidecar = json.dumps(
                {"format": self.format, "format_version": self.format_version, **metadata},
                indent=2,
                default=_json_default,
            )
        except TypeError as error:
            raise TypeError(
                f"cannot save the model: {error}; parameters (params included) must be JSON values"
            ) from error
        folder.mkdir(parents=True, exist_ok=True)
        _write_together({folder / self.model_file: model, folder / SIDECAR: sidecar.encode()})

    def read(
        self, path: str | os.PathLike[str], *, model_class: str | None = None
    ) -> tuple[dict[str, Any], bytes]:
        """The sidecar's content and the model file's bytes, after checking the format.

        With ``model_class``, the sidecar's ``model_class`` must be that name (a folder
        written by a regressor is not loaded as a classifier).
        """
        folder = Path(path)
        sidecar = folder / SIDECAR
        if not sidecar.is_file():
            raise FileNotFoundError(
                f"{folder} is not a model folder written by save(): it has no {SIDECAR}"
            )
        metadata: dict[str, Any] = json.loads(sidecar.read_text(encoding="utf-8"))
        if metadata.get("format") != self.format:
            raise ValueError(
                f"{sidecar} describes a {metadata.get('format')!r} model, not "
                f"{self.format!r}: load it with the plugin that wrote it"
            )
        version = metadata.get("format_version")
        if not isinstance(version, int) or version > self.format_version:
            raise ValueError(
                f"{sidecar} has format_version {version!r}; this {self.distribution} reads "
                f"versions up to {self.format_version}: upgrade {self.distribution}"
            )
        stored = metadata.get("model_class")
        if model_class is not None and stored != model_class:
            raise TypeError(
                f"{os.fspath(path)} holds a {stored}, not a {model_class}: load it with "
                f"{stored}.load()"
            )
        model_path = folder / self.model_file
        if not model_path.is_file():
            raise FileNotFoundError(f"{folder} has {SIDECAR} but no {self.model_file}")
        return metadata, model_path.read_bytes()


def classes_metadata(classes: np.ndarray) -> dict[str, Any]:
    """A classifier's ``classes_`` as sidecar entries: ``classes`` and ``classes_dtype``.

    The dtype is kept (``<i8``, ``<U4``) so that :func:`classes_from_metadata` gives back
    an equal array of the same dtype; object arrays (mixed Python values) keep their values.
    """
    return {
        "classes": classes.tolist(),
        "classes_dtype": classes.dtype.str if classes.dtype.kind != "O" else None,
    }


def classes_from_metadata(metadata: Mapping[str, Any]) -> np.ndarray:
    """The ``classes_`` array that :func:`classes_metadata` wrote."""
    dtype = metadata.get("classes_dtype")
    if dtype is None:
        classes = np.empty(len(metadata["classes"]), dtype=object)
        classes[:] = metadata["classes"]
        return classes
    return np.asarray(metadata["classes"], dtype=np.dtype(dtype))
