"""The form that adds or edits a todo; the CSRF middleware checks its token."""

from django import forms

from .models import TITLE_MAX_LENGTH, Todo


class TextInput(forms.TextInput):
    """A text input that shows back at most its maxlength characters (the
    accounts forms use it too). Django's shows a refused value back whole: a
    title of megabytes would go back whole."""

    def format_value(self, value):
        value = super().format_value(value)
        limit = self.attrs.get("maxlength")
        return value[: int(limit)] if value and limit else value


class TodoForm(forms.ModelForm):
    # The model's CharField becomes a form CharField, which strips leading and
    # trailing whitespace before validating: "  " becomes "" and is refused.
    class Meta:
        model = Todo
        fields = ["title"]
        # The <input> attributes, on the list page and the edit page alike.
        widgets = {
            "title": TextInput(
                attrs={"placeholder": "What needs to be done?", "autofocus": True}
            ),
        }
        error_messages = {
            "title": {
                "required": "Enter a title.",
                "max_length": f"Keep the title to {TITLE_MAX_LENGTH} characters or fewer.",
            },
        }
