"""The password rules, the same as Django's four default validators.

Each rule returns its message when the password breaks it, None otherwise;
forms.py shows every message, on sign-up and in `flask create-user`.
"""

import gzip
import re
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

MIN_LENGTH = 8
MAX_SIMILARITY = 0.7
# What the sign-up page says about the rules, in Django's words and order.
HELP_TEXTS = [
    "Your password can’t be too similar to your other personal information.",
    f"Your password must contain at least {MIN_LENGTH} characters.",
    "Your password can’t be a commonly used password.",
    "Your password can’t be entirely numeric.",
]
# The 20,000 most common passwords: the list Django ships (BSD licence).
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")


@cache
def common_passwords():
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines)


def too_similar(password, username):
    # Compare with the username and each of its parts ("ada.l" -> "ada", "l").
    password = password.lower()
    username = username.lower()
    for part in [*re.split(r"\W+", username), username]:
        if part and SequenceMatcher(a=password, b=part).quick_ratio() >= MAX_SIMILARITY:
            return "The password is too similar to the username."
    return None


def too_short(password):
    if len(password) < MIN_LENGTH:
        return (
            "This password is too short. "
            f"It must contain at least {MIN_LENGTH} characters."
        )
    return None


def too_common(password):
    if password.lower().strip() in common_passwords():
        return "This password is too common."
    return None


def entirely_numeric(password):
    if password.isdigit():
        return "This password is entirely numeric."
    return None


def password_problems(password, username):
    """Every rule the password breaks, in Django's order, as messages."""
    problems = [
        too_similar(password, username),
        too_short(password),
        too_common(password),
        entirely_numeric(password),
    ]
    return [problem for problem in problems if problem]
