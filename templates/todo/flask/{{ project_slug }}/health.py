"""/health/: whether the app is up and can read its database.

Platforms (render.yaml, fly.toml) and the Docker image's HEALTHCHECK ask it
every few seconds: 200 {"status": "ok"}, or 503 {"status": "unavailable"}
when the database cannot be queried, so the platform stops sending visitors.
"""

from flask import request
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .todos.models import Todo

NO_STORE = {"Cache-Control": "no-store"}  # always a fresh answer, never a cached one


def add_health_check(app):
    """Answer /health/ before any other part of the app runs.

    A before_request function, not a route: it answers before Flask checks
    the Host header (platforms ask by an address of their own, not always one
    of TRUSTED_HOSTS) and before the redirect to HTTPS (they ask over plain
    HTTP). The answer names no host and sets no cookie, so that is safe.
    """

    @app.before_request
    def health_check():
        if request.path != "/health/":
            return None  # every other request carries on as usual
        try:
            # One row of the todos table: the database answers, and the
            # migrations have created the table.
            db.session.execute(db.select(Todo.id).limit(1))
        except SQLAlchemyError:
            db.session.rollback()
            return {"status": "unavailable"}, 503, NO_STORE
        return {"status": "ok"}, 200, NO_STORE
