"""The sign-up form: Django's own, for our user model.

UserCreationForm checks that the username is free and runs the password
validators in settings.AUTH_PASSWORD_VALIDATORS; the log-in form is Django's
AuthenticationForm, used as it is by LoginView (see urls.py).
"""

from django.contrib.auth.forms import UserCreationForm

from .models import User


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
