"""The kinds of place a show deploys to; a new kind is a new `Target` subclass, listed here."""

from __future__ import annotations

from ...errors import ConfigError
from ...layout import SHOW_FILE
from ...model import Show
from .base import Remote, Sent, Target
from .folder import FolderTarget
from .rsync import RsyncTarget
from .s3 import S3Target

TARGETS: dict[str, type[Target]] = {kind.kind: kind for kind in (S3Target, RsyncTarget,
                                                                   FolderTarget)}


def target_for(show: Show) -> Target:
    """The target show.yaml's `deploy:` section names."""
    if show.deploy is None:
        raise ConfigError("show.yaml has no 'deploy:' section", path=show.root / SHOW_FILE,
                          hint="add one, e.g. 'deploy: {folder: /var/www/show}', or s3: or "
                               "rsync: (see 'showrunner deploy --help')")
    return TARGETS[show.deploy.kind].from_settings(show.deploy, show)


__all__ = ["TARGETS", "FolderTarget", "Remote", "RsyncTarget", "S3Target", "Sent", "Target",
           "target_for"]
