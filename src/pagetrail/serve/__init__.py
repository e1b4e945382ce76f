"""``pagetrail serve``: a local, read-only web app over an archive and its catalog.

``store`` opens the archive for reading, ``app`` is the Flask application (pages, timeline,
comparison), ``exports`` the feeds and downloads, ``security`` the CSP, read-only and token rules,
``replay`` the pywb the command runs beside the app. See docs/serve.md.
"""

from pagetrail.serve.app import ServeConfig, create_app
from pagetrail.serve.store import Store

__all__ = ["ServeConfig", "Store", "create_app"]
