"""The project's input and run errors, turned by the command into one line per problem (each
starting ``alliance: error:``) and exit code 2."""

import errno

from simulation.params import ParameterError


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


USER_ERRORS = (InputError, ParameterError, RunFailed, ResourceError)

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
