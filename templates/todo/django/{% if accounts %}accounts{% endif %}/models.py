"""The users who sign up, as a Django model."""

import unicodedata

from django.contrib.auth.models import AbstractUser
from django.db import models


def username_key(username):
    # Two usernames are the same if their keys are: "Ada", "ADA", "ａｄａ",
    # "Élodie" and "élodie". NFKC turns look-alikes into one form (as Django
    # does with every username); casefold() folds case in every script.
    return unicodedata.normalize("NFKC", username).casefold()


class User(AbstractUser):
    # Django's own user (username, hashed password, names, email, staff and
    # superuser flags), in a model of our own: settings.AUTH_USER_MODEL points
    # here from the first migration, as Django advises for a new project, so
    # fields can be added later without starting the database again.

    # Set from the username on every save: one user per key.
    username_key = models.TextField(unique=True, editable=False)

    def save(self, *args, **kwargs):
        self.username_key = username_key(self.username)
        super().save(*args, **kwargs)
