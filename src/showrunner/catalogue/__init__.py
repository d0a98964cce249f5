"""The back catalogue: `showrunner import` brings an existing show's feed in as episode
folders, every guid, date and enclosure kept; `catalogue build` runs every stage for many
episodes on Ray workers (an optional extra), then the feed once."""

from .build import CatalogueResult, Cluster, EpisodeOutcome, build_catalogue
from .download import DownloadLimits, progress_line
from .progress import catalogue_progress
from .stage import ImportOptions, ImportResult, import_feed

__all__ = ["CatalogueResult", "Cluster", "DownloadLimits", "EpisodeOutcome", "ImportOptions",
           "ImportResult", "build_catalogue", "catalogue_progress", "import_feed",
           "progress_line"]
