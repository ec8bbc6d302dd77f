"""The sign-up and log-in forms; Flask-WTF adds their CSRF token.

Their fields, rules and messages are those of Django's UserCreationForm and
AuthenticationForm, so both versions of the app answer alike.
"""

from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length, Regexp, ValidationError

from ..extensions import db
from ..forms import Form
from .models import USERNAME_MAX_LENGTH, User, normalize_username, username_key
from .passwords import HELP_TEXTS, password_problems

REQUIRED = "This field is required."
USERNAME_TAKEN = "A user with that username already exists."
# Shown under the sign-up fields, as Django's UserCreationForm shows them.
USERNAME_HELP = (
    f"Required. {USERNAME_MAX_LENGTH} characters or fewer. "
    "Letters, digits and @/./+/-/_ only."
)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def normalize(value):
    return normalize_username(value) if isinstance(value, str) else value


class SignupForm(Form):
    # Each id is Django's for the same field: both versions' pages match.
    username = StringField(
        "Username",
        id="id_username",
        description=USERNAME_HELP,
        filters=[strip, normalize],
        validators=[
            InputRequired(REQUIRED),
            Regexp(
                r"^[\w.@+-]+\Z",
                message="Enter a valid username. This value may contain only "
                "letters, numbers, and @/./+/-/_ characters.",
            ),
            Length(
                max=USERNAME_MAX_LENGTH,
                message="Ensure this value has at most %(max)d characters "
                "(it has %(length)d).",
            ),
        ],
    )
    password1 = PasswordField(
        "Password",
        id="id_password1",
        description=HELP_TEXTS,
        validators=[InputRequired(REQUIRED)],
    )
    password2 = PasswordField(
        "Password confirmation",
        id="id_password2",
        description="Enter the same password as before, for verification.",
        validators=[InputRequired(REQUIRED)],
    )

    # WTForms runs a validate_<field> method after that field's validators.
    def validate_username(self, field):
        # "Ada", "ADA" and "ａｄａ" would be too easy to mistake for each other.
        same = User.username_key == username_key(field.data)
        if db.session.scalar(db.select(User.id).where(same)) is not None:
            raise ValidationError(USERNAME_TAKEN)

    def validate_password2(self, field):
        if field.data != self.password1.data:
            raise ValidationError("The two password fields didn’t match.")
        # Every rule the password breaks adds its own message under the field.
        field.errors.extend(password_problems(field.data, self.username.data or ""))


class LoginForm(Form):
    # No rules beyond "required": a wrong name gets the same answer as a
    # wrong password (see views.login).
    username = StringField(
        "Username",
        id="id_username",
        filters=[strip, normalize],
        validators=[InputRequired(REQUIRED)],
        render_kw={"maxlength": USERNAME_MAX_LENGTH},  # as Django's
    )
    password = PasswordField(
        "Password", id="id_password", validators=[InputRequired(REQUIRED)]
    )
