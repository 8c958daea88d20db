"""The review web app (Starlette, Jinja2 pages with JSON twins); see :func:`create_app`."""

from infoops.review.web.app import ServeConfig, create_app

__all__ = ["ServeConfig", "create_app"]
