"""The project's URLs: every request is matched here first."""

from django.contrib import admin
from django.shortcuts import render
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("todos.urls")),  # everything else goes to the todos app
]


# Django renders 400.html and 500.html without the request, so without `site`
# for the layout; these views render them like every other page. (404.html and
# 403_csrf.html get the request already; 405 is in middleware.py.)
def bad_request(request, exception):
    return render(request, "400.html", status=400)


def server_error(request):
    return render(request, "500.html", status=500)


handler400 = bad_request
handler500 = server_error
