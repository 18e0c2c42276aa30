"""The package version and the commit it runs from."""

import os

__version__ = "0.1.0"


def git_commit(path=None):
    """The commit a run is trained with: `$KVC_GIT_COMMIT` if set (a run from
    a source snapshot), else `git rev-parse HEAD` of the checkout at `path`
    (default: the package's), else None."""
    import subprocess

    if os.environ.get("KVC_GIT_COMMIT"):
        return os.environ["KVC_GIT_COMMIT"]
    path = path or os.path.dirname(os.path.abspath(__file__))
    try:
        done = subprocess.run(
            ["git", "-C", path, "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None
