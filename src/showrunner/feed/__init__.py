"""The RSS feed every podcast app reads (`showrunner feed`), and its validator (`validate`)."""

from .publish import FeedResult, publish_feed
from .spec import ENCLOSURE_TYPES
from .validate import Finding, Report, validate_feed_bytes, validate_feed_file

__all__ = ["ENCLOSURE_TYPES", "FeedResult", "Finding", "Report", "publish_feed", "validate_feed_bytes",
           "validate_feed_file"]
