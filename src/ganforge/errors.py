"""The project's own errors: each one becomes a single clear line and exit code 2 in the CLI."""


def cut(text: str, limit: int = 120) -> str:
    """`text` as an error message may quote it: at most `limit` characters, then "..."."""
    return text if len(text) <= limit else text[:limit] + "..."


class GanforgeError(Exception):
    """Base class: a problem with the user's input, files or settings (not a bug)."""


class ConfigError(GanforgeError):
    """An unknown preset, an unknown key or a value of the wrong type."""


class DataError(GanforgeError):
    """A data set that cannot be found, or a file that is corrupt or truncated."""


class MissingFolder(DataError):
    """A folder or archive data set whose path does not exist (moved, renamed, deleted)."""


class CheckpointError(GanforgeError):
    """A checkpoint that is missing, altered, or from another model or version."""


class DivergenceError(GanforgeError):
    """Training produced NaN or Inf (in a loss or in the weights) and was stopped."""


class DiskFullError(GanforgeError):
    """A write failed for want of space (ENOSPC) or quota (EDQUOT); the old file is kept."""


class OutputError(GanforgeError):
    """An output path that cannot be written: not a regular file (a device, a link, a folder),
    under a file, or in a folder that cannot be created or written in."""


class RankError(ConfigError):
    """Under torchrun, a problem of this process's own (its LOCAL_RANK, say) that the writer
    (RANK 0) may not share: said by the process that meets it, whatever its rank."""
