"""The users who sign up, as a Django model."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    # Django's own user (username, hashed password, names, email, staff and
    # superuser flags), in a model of our own: settings.AUTH_USER_MODEL points
    # here from the first migration, as Django advises for a new project, so
    # fields can be added later without starting the database again.
    pass
