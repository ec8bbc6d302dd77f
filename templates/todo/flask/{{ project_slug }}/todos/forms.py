"""The form that adds or edits a todo; Flask-WTF adds its CSRF token, and
..forms.Form what every form of the app checks."""

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..forms import Form
from .models import TITLE_MAX_LENGTH

# Why a title is refused: written once, for every form (and schema) to use.
TITLE_REQUIRED = "Enter a title."
TITLE_TOO_LONG = f"Keep the title to {TITLE_MAX_LENGTH} characters or fewer."


def strip(value):
    return value.strip() if isinstance(value, str) else value


class TodoForm(Form):
    # Filters run before validators: "  " becomes "" and is refused.
    title = StringField(
        "Title",
        id="id_title",  # Django's id for it: both versions' pages match
        filters=[strip],
        validators=[
            DataRequired(TITLE_REQUIRED),
            Length(max=TITLE_MAX_LENGTH, message=TITLE_TOO_LONG),
        ],
    )
