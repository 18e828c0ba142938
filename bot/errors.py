"""Errors the person who caused them should see, in words that say what to fix."""


class UserError(Exception):
    """Bad input or a request that cannot be done now; str() is shown to the person as is."""
