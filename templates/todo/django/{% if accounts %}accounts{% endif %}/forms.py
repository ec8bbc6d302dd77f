"""The sign-up and log-in forms: Django's own, for our user model.

UserCreationForm checks that the username is free and runs the password
validators in settings.AUTH_PASSWORD_VALIDATORS; AuthenticationForm is what
LoginView uses (see urls.py). Both show a refused username back cut to its
maxlength (todos.forms.TextInput).
"""

from django.contrib.auth.forms import (
    AuthenticationForm,
    UserCreationForm,
    UsernameField,
)

from todos.forms import TextInput

from .models import User, username_key


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        widgets = {"username": TextInput}

    def clean_username(self):
        # "Ada", "ADA" and "ａｄａ" would be too easy to mistake for each other.
        # (Django's own check folds case only, and on SQLite only A to Z.)
        username = self.cleaned_data["username"]
        if User.objects.filter(username_key=username_key(username)).exists():
            raise self.username_taken()
        return username

    def username_taken(self):
        # "A user with that username already exists.", the model's message.
        return self.instance.unique_error_message(User, ["username"])


class LoginForm(AuthenticationForm):
    username = UsernameField(widget=TextInput(attrs={"autofocus": True}))
