"""The accounts app's views: sign up and the account page.

Logging in and out are Django's own LoginView and LogoutView (see urls.py).
"""

import ipaddress

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import SignupForm


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            try:
                user = form.save()  # hashes the password (PASSWORD_HASHERS)
            except IntegrityError:
                # Someone took the name between the form's check and now.
                form.add_error("username", form.username_taken())
            else:
                # Log the new user in. login() starts a fresh session;
                # `backend` names the one that checks passwords, as several
                # are installed.
                backend = "django.contrib.auth.backends.ModelBackend"
                login(request, user, backend=backend)
                return redirect("todos:all")
        status = 400
    else:
        form = SignupForm()
        status = 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


@login_required
def account(request):
    return render(request, "accounts/account.html", {"user": request.user})


def client_address(request):
    """The address a log-in comes from: django-axes counts failures per
    address (settings.AXES_CLIENT_IP_CALLABLE).

    Behind a proxy (settings.BEHIND_PROXY) every request comes from the proxy,
    which adds the address it saw to X-Forwarded-For: the last entry is that
    one, the others are whatever the visitor sent. Without the switch the
    header counts for nothing, and neither does anything that is not an address.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        try:
            address = str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return address
