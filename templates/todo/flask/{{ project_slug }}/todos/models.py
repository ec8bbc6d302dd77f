"""The database table of todos, as a SQLAlchemy model."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

TITLE_MAX_LENGTH = 200


class Todo(db.Model):
    # Each attribute is a column; Flask-SQLAlchemy names the table "todo".
    # Change a column, then run `flask db migrate` to write the migration.
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    completed: Mapped[bool] = mapped_column(default=False)

    # An index on (completed, id) serves the Active and Completed lists (filter
    # by completed, in id order) and lets the counter count without reading
    # the whole table.
    __table_args__ = (db.Index("todo_completed_id_idx", "completed", "id"),)

    def __repr__(self):
        return f"<Todo {self.id}: {self.title!r}>"
