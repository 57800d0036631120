"""The browser UI, JSON API and Atom feeds (``monitor serve``).

``create_app`` builds the FastAPI app over an open store; ``serve`` runs it
beside the scheduler in the same event loop. Nothing below ``web`` imports
it: it sits on top of the service functions (``watchlist``, ``review``,
``checker``) and the store's read queries.
"""

from monitor.web.app import create_app
from monitor.web.server import serve

__all__ = ["create_app", "serve"]
