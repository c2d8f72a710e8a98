"""The models workreview trains and ships (``statement_classifier/`` and its training config).

Installed as the package ``workreview.models`` so that a wheel carries them; code finds them with
``importlib.resources.files("workreview.models")``.
"""
