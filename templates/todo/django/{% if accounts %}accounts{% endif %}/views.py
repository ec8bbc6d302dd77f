"""The accounts app's views: sign up and the account page.

Logging in and out are Django's own LoginView and LogoutView (see urls.py).
"""

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import SignupForm


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            user = form.save()  # hashes the password (settings.PASSWORD_HASHERS)
            # Log the new user in. login() starts a fresh session; `backend`
            # names the one that checks passwords, as several are installed.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("todos:all")
        status = 400
    else:
        form = SignupForm()
        status = 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


@login_required
def account(request):
    return render(request, "accounts/account.html", {"user": request.user})
