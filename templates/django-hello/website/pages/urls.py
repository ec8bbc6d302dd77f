"""The pages app's URLs. Each `name` is what {% url %} links to."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
]
