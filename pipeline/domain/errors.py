"""One exception hierarchy: every error a user can cause carries its exit code.

The CLI maps `KkwnaError` to one line on stderr and `exit_code`; anything else is an
internal error (exit 70, traceback with --verbose). Messages are in Indonesian.
"""

from __future__ import annotations

USAGE = 2  # click's own code for bad usage
INTERNAL = 70  # EX_SOFTWARE


class KkwnaError(Exception):
    """A problem the user can fix; str() is one line in Indonesian."""

    exit_code = 1


class UserError(KkwnaError):
    """A bad argument or a request that cannot be done (unknown case, wrong step ...)."""


class ConfigError(KkwnaError):
    """kkwna.toml is missing or has bad values; str() is one line per problem naming the key."""
