"""The form that adds or edits a todo; the CSRF middleware checks its token."""

from django import forms

from .models import TITLE_MAX_LENGTH, Todo


class TodoForm(forms.ModelForm):
    # The model's CharField becomes a form CharField, which strips leading and
    # trailing whitespace before validating: "  " becomes "" and is refused.
    class Meta:
        model = Todo
        fields = ["title"]
        # The <input> attributes, on the list page and the edit page alike.
        widgets = {
            "title": forms.TextInput(
                attrs={"placeholder": "What needs to be done?", "autofocus": True}
            ),
        }
        error_messages = {
            "title": {
                "required": "Enter a title.",
                "max_length": f"Keep the title to {TITLE_MAX_LENGTH} characters or fewer.",
            },
        }
