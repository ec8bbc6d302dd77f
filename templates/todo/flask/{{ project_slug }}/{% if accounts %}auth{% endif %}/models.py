"""The users who sign up, and their failed log-ins, as SQLAlchemy models."""

import secrets
import unicodedata
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import (
    Mapped,
    WriteOnlyMapped,
    mapped_column,
    relationship,
    validates,
)
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..todos.models import Todo

USERNAME_MAX_LENGTH = 150


def normalize_username(username):
    # As Django does: NFKC turns look-alikes into one form ("ａｄａ" is "ada",
    # the Kelvin sign "K" is "K").
    return unicodedata.normalize("NFKC", username)


def username_key(username):
    # Two usernames are the same if their keys are: "Ada", "ADA", "Élodie"
    # and "élodie" (casefold() folds case in every script, lower() does not).
    return normalize_username(username).casefold()


def new_session_token():
    return secrets.token_hex(32)


class User(UserMixin, db.Model):
    # UserMixin gives what Flask-Login asks of a user: is_authenticated,
    # get_id() and the like. Flask-SQLAlchemy names the table "user".
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH), unique=True)
    # Set with the username (set_username_key): one user per key.
    username_key: Mapped[str] = mapped_column(Text, unique=True)
    # Never the password itself: a salted, slow hash of it (see set_password).
    password_hash: Mapped[str] = mapped_column(String(255))
    # The user's todos. Write-only: `user.todos.select()` is a query of them
    # alone, which the views refine; nothing loads the whole list by accident.
    todos: WriteOnlyMapped[Todo] = relationship(passive_deletes=True)
    # What the session cookie holds instead of the id (get_id): a new one,
    # made at log-out and at every password change, ends every session that
    # holds the old one, even a copy of the cookie saved before. Flask-Login
    # calls this an alternative token (its docs, "Alternative Tokens").
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_session_token
    )

    @validates("username")
    def set_username_key(self, field, username):
        self.username_key = username_key(username)
        return username

    def get_id(self):
        return self.session_token

    def set_password(self, password):
        # Werkzeug's recommended hasher (scrypt), with a random salt.
        self.password_hash = generate_password_hash(password)
        self.session_token = new_session_token()  # log out everywhere

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def __repr__(self):
        return f"<User {self.id}: {self.username!r}>"


class FailedLogin(db.Model):
    # One row per refused log-in, so that every worker process sees them all:
    # views.py locks a username out of an address after too many (see LOCKOUT).
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH), index=True)
    ip_address: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: datetime.now(UTC)
    )
