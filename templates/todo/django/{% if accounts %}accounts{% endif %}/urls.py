"""The accounts app's URLs, under /accounts/ (see the project's urls.py).

The names are Django's usual ones, without a namespace: settings.LOGIN_URL is
"login", and {% url 'logout' %} finds the log-out form's address.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm

urlpatterns = [
    path("", views.account, name="account"),
    path("signup/", views.signup, name="signup"),
    # Django's views: LoginView checks the form, rotates the session and
    # follows `next` only within this site; LogoutView accepts only a POST.
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            # LoginView gives its page a `site` of its own (the host name),
            # which hides the layout's; extra_context gives ours back.
            extra_context={"site": settings.SITE},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
