"""``monitor demo``: a simulated newsroom that edits its stories, watched by a throwaway database.

``newsroom`` serves the stories on a timer (with ``layouts`` and
``stories``); ``runner`` wires it to the real service: scheduler, web UI,
alerts. Nothing here is used by the rest of the package.
"""
