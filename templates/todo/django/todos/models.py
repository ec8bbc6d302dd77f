"""The database table of todos, as a Django model."""

from django.db import models

TITLE_MAX_LENGTH = 200


class Todo(models.Model):
    # Each attribute is a column; Django names the table "todos_todo" and adds
    # an `id` primary key. Change a field, then run
    # `python manage.py makemigrations` to write the migration.
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    completed = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]  # oldest first: a new todo goes at the end
        # An index on (completed, id) serves the Active and Completed lists
        # (filter by completed, in id order) and lets the counter count
        # without reading the whole table.
        indexes = [
            models.Index(fields=["completed", "id"], name="todo_completed_id_idx")
        ]

    def __str__(self):
        return self.title
