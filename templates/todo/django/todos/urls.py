"""The todos app's URLs. Each `name` is what {% url %} and reverse() link to."""

from django.urls import path

from . import views

# The namespace: {% url 'todos:add' %} and reverse("todos:add").
app_name = "todos"

urlpatterns = [
    # One view, three URLs: the dict passes the filter's name to the view.
    path("", views.index, {"todo_filter": "all"}, name="all"),
    path("active/", views.index, {"todo_filter": "active"}, name="active"),
    path("completed/", views.index, {"todo_filter": "completed"}, name="completed"),
    path("todos/", views.add, name="add"),
    path("todos/<int:pk>/edit/", views.edit, name="edit"),
    path("todos/<int:pk>/toggle/", views.toggle, name="toggle"),
    path("todos/<int:pk>/delete/", views.delete, name="delete"),
    path("todos/toggle-all/", views.toggle_all, name="toggle_all"),
    path("todos/clear-completed/", views.clear_completed, name="clear_completed"),
]
