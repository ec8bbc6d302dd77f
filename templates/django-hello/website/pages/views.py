"""Views take a request and return a response, here a rendered template."""

from django.shortcuts import render


def home(request):
    return render(request, "pages/home.html")


def about(request):
    return render(request, "pages/about.html")
