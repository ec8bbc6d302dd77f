"""The base of every form in the app: what Django's forms do for any field.

- A field is read from the posted form's text only (request.form). FlaskForm
  would also read an uploaded file or a JSON body into it; sent in place of
  text, those leave the field empty, and its "required" message answers.
- Text holding a NUL character is refused, before any other check (some ask
  the database, and PostgreSQL cannot store a NUL).
- A refused value is shown back cut to the field's maxlength, however long
  the posted one was.
"""

from flask import request
from flask_wtf import FlaskForm

NULL_CHARACTERS = "Null characters are not allowed."  # Django's words


class Form(FlaskForm):
    def __init__(self, formdata=None, **kwargs):
        if formdata is None and request.method == "POST":
            formdata = request.form
        super().__init__(formdata=formdata, **kwargs)

    def validate(self, extra_validators=None):
        with_null = [field for field in self if "\x00" in str(field.data or "")]
        for field in self:
            field.errors = [NULL_CHARACTERS] if field in with_null else []
        valid = not with_null and super().validate(extra_validators)
        for field in self:
            limit = field.flags.maxlength or (field.render_kw or {}).get("maxlength")
            if limit and isinstance(field.data, str):
                field.data = field.data[:limit]
        return valid
