"""`python manage.py create_token USERNAME`: print a new API token."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.models import ApiToken


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (replacing any earlier one)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--revoke", action="store_true", help="Revoke the user's token instead."
        )

    def handle(self, *args, username, revoke, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(
                f"No user {username!r}: see `python manage.py createsuperuser`."
            ) from None
        if revoke:
            ApiToken.revoke(user)
            self.stdout.write(f"Revoked the token of {user.username!r}.")
        else:
            self.stdout.write(ApiToken.make(user))
