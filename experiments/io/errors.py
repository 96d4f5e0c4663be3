"""The project's input and run errors, turned by the command into one line per problem (each
starting ``alliance: error:``) and exit code 2.

``ParameterError`` (raised by the model's parameter structure) and ``USER_ERRORS`` are
looked up on first use, so that importing this module does not import pydantic: commands
that only list things answer at once.
"""

import errno
from typing import Any


class InputError(ValueError):
    """Bad input from a file or the command line: the message names the file, the key,
    what was expected and what was found."""


class RunFailed(RuntimeError):
    """A run that raised or produced a non-finite outcome; carries its parameters and seed."""

    def __init__(self, message: str, params: dict | None = None, seed: int | None = None):
        super().__init__(message)
        self.params = params
        self.seed = seed


class ResourceError(RuntimeError):
    """The machine or the cluster failed the command (disk full, unwritable or too-long path,
    memory, a Dask scheduler that does not answer or workers that are all gone); the message
    says what, where, and what was kept."""


_HINTS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.ENAMETOOLONG: "a file name is too long (at most 255 bytes per name)",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "expected a file; found a folder",
    errno.EIO: "input/output error of the device",
}


def os_problem(exc: OSError, path: bool = True) -> str:
    """A short reading of an OSError: what went wrong and (with ``path``) on which path."""
    what = _HINTS.get(exc.errno or -1) or exc.strerror or str(exc) or type(exc).__name__
    where = exc.filename if path and exc.filename is not None else None
    return f"{what} ({where})" if where is not None else what

def __getattr__(name: str) -> Any:
    # ParameterError and USER_ERRORS = (InputError, ParameterError, RunFailed, ResourceError), on first use
    if name in ("ParameterError", "USER_ERRORS"):
        from simulation.params import ParameterError

        globals().update(ParameterError=ParameterError,
                         USER_ERRORS=(InputError, ParameterError, RunFailed, ResourceError))
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
