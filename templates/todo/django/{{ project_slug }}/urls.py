"""The project's URLs: every request is matched here first."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("todos.urls")),  # everything else goes to the todos app
]
