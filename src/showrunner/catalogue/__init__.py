"""The back catalogue: `showrunner import` brings an existing show's feed in as episode
folders, every guid, date and enclosure kept."""

from .download import DownloadLimits, progress_line
from .stage import ImportOptions, ImportResult, import_feed

__all__ = ["DownloadLimits", "ImportOptions", "ImportResult", "import_feed",
           "progress_line"]
