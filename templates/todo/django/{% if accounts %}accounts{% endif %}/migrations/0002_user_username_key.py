import unicodedata

from django.db import migrations, models


def fill_username_keys(apps, schema_editor):
    # Existing users get theirs, made as in models.py. Two users whose names
    # differ only in case or width stop the migration here (a unique key):
    # rename one of them first.
    User = apps.get_model("accounts", "User")
    for user in User.objects.all():
        user.username_key = unicodedata.normalize("NFKC", user.username).casefold()
        user.save(update_fields=["username_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=models.TextField(editable=False, null=True),
        ),
        migrations.RunPython(fill_username_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.TextField(editable=False, unique=True),
        ),
    ]
