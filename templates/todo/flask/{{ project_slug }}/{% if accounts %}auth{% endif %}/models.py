"""The users who sign up, and their failed log-ins, as SQLAlchemy models."""

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..todos.models import Todo

USERNAME_MAX_LENGTH = 150


class User(UserMixin, db.Model):
    # UserMixin gives what Flask-Login asks of a user: is_authenticated,
    # get_id() and the like. Flask-SQLAlchemy names the table "user".
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH), unique=True)
    # Never the password itself: a salted, slow hash of it (see set_password).
    password_hash: Mapped[str] = mapped_column(String(255))
    # The user's todos. Write-only: `user.todos.select()` is a query of them
    # alone, which the views refine; nothing loads the whole list by accident.
    todos: WriteOnlyMapped[Todo] = relationship(passive_deletes=True)

    def set_password(self, password):
        # Werkzeug's recommended hasher (scrypt), with a random salt.
        self.password_hash = generate_password_hash(password)

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
