"""The users in Django's admin site, at /admin/."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User

# Django's own user admin: lists, search, password changes, permissions.
admin.site.register(User, UserAdmin)
