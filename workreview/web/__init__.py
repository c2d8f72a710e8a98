"""The reviewers' workbench: a FastAPI app over one dataset folder (see ``app.create_app``)."""
