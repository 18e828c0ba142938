"""Errors the person who caused them should see, in words that say what to fix."""

from __future__ import annotations

import os
from pathlib import Path


class PlatformError(Exception):
    """A chat platform could not be started or reached; str() says what and what to do."""


class UserError(Exception):
    """Bad input or a request that cannot be done now; str() is shown to the person as is."""


def file_problem(action: str, path: str | os.PathLike, problem: OSError) -> str:
    """One line naming the file and why it could not be used, e.g. for `export -o`.

    A bare strerror ("No such file or directory") does not say which file, nor that it is
    the folder that is missing.
    """
    path = Path(path)
    if isinstance(problem, FileNotFoundError) and not path.parent.is_dir():
        reason = f"the folder {path.parent} does not exist"
    elif isinstance(problem, FileNotFoundError):
        reason = "no such file"
    elif isinstance(problem, PermissionError):
        reason = "permission denied"
    elif isinstance(problem, IsADirectoryError):
        reason = "it is a folder, not a file"
    else:
        reason = problem.strerror or str(problem)
    return f"could not {action} {path}: {reason}."
