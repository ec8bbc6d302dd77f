"""The form that adds or edits a todo; Flask-WTF adds its CSRF token, and
..forms.Form what every form of the app checks."""

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..forms import Form
from .models import TITLE_MAX_LENGTH


def strip(value):
    return value.strip() if isinstance(value, str) else value


class TodoForm(Form):
    # Filters run before validators: "  " becomes "" and is refused.
    title = StringField(
        "Title",
        id="id_title",  # Django's id for it: both versions' pages match
        filters=[strip],
        validators=[
            DataRequired("Enter a title."),
            Length(
                max=TITLE_MAX_LENGTH,
                message=f"Keep the title to {TITLE_MAX_LENGTH} characters or fewer.",
            ),
        ],
    )
