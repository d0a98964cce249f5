"""Deploy: public/ -> S3-compatible storage, a server over SSH (rsync) or a local folder,
sending only what changed, the feed last (`showrunner deploy`)."""

from .files import LocalFile
from .plan import Plan
from .stage import DeployResult, deploy_show
from .targets import TARGETS, FolderTarget, Remote, RsyncTarget, S3Target, Target

__all__ = ["TARGETS", "DeployResult", "FolderTarget", "LocalFile", "Plan", "Remote",
           "RsyncTarget", "S3Target", "Target", "deploy_show"]
