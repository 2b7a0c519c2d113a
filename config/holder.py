"""The configuration in force, swapped whole on a reload; a bad reload keeps the last good one."""

from __future__ import annotations

import logging
from pathlib import Path

from config.loader import ConfigError, LoadedConfig, load_config

log = logging.getLogger(__name__)


class ConfigHolder:
    """Holds the last configuration that validated."""

    def __init__(self, directory: Path, config: LoadedConfig) -> None:
        self.directory = directory
        self.current = config

    @classmethod
    def load(cls, directory: Path) -> ConfigHolder:
        """Load and validate; raises ConfigError listing every mistake."""
        return cls(directory, load_config(directory))

    def reload(self) -> list[str]:
        """Re-read the directory; on mistakes keep the current config and return them."""
        try:
            self.current = load_config(self.directory)
        except ConfigError as exc:
            problems = [str(problem) for problem in exc.problems]
            # Each line names a file, a place and the mistake; no contents of the files.
            for problem in problems:
                log.error("%s", problem)
            log.error("configuration reload refused, keeping version %s", self.current.version)
            return problems
        log.info("configuration reloaded, version %s", self.current.version)
        return []
