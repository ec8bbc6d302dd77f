"""Tests for the accounts; run them with `python manage.py test`."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.test import TestCase, override_settings

from todos.models import Todo

PASSWORD = "correct horse battery"
LOGIN_ERROR = (
    "Please enter a correct username and password. "
    "Note that both fields may be case-sensitive."
)


def errors(response):
    return re.findall(r'<p class="error"[^>]*>(.*?)</p>', response.content.decode())


class AccountTests(TestCase):
    # Each test starts with no users and no todos, and a client that is not
    # logged in.

    def setUp(self):
        self.ada = get_user_model().objects.create_user("ada", password=PASSWORD)

    def log_in(self, username, password=PASSWORD, next_page=None):
        url = "/accounts/login/" + (f"?next={next_page}" if next_page else "")
        return self.client.post(url, {"username": username, "password": password})

    def sign_up(self, username, password, confirmation=None):
        data = {
            "username": username,
            "password1": password,
            "password2": password if confirmation is None else confirmation,
        }
        return self.client.post("/accounts/signup/", data)

    def test_anonymous_visitors_are_sent_to_the_login_page(self):
        self.assertRedirects(
            self.client.get("/active/"), "/accounts/login/?next=/active/"
        )
        response = self.client.post("/todos/", {"title": "x"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get("/accounts/").status_code, 302)
        self.assertEqual(Todo.objects.count(), 0)
        self.assertContains(self.client.get("/accounts/login/"), "Log in")

    def test_sign_up_stores_a_hash_and_logs_in(self):
        self.assertRedirects(self.sign_up("grace", PASSWORD), "/")
        self.assertContains(self.client.get("/accounts/"), "grace")
        user = get_user_model().objects.get(username="grace")
        self.assertNotIn(PASSWORD, user.password)
        self.assertTrue(user.password.startswith("pbkdf2_sha256$"))
        self.assertTrue(check_password(PASSWORD, user.password))

    def test_sign_up_refuses_taken_names_and_weak_passwords(self):
        response = self.sign_up("ADA", PASSWORD)
        self.assertContains(
            response, "A user with that username already exists.", status_code=400
        )
        for password, message in [
            ("short1x", "This password is too short. It must contain at least 8"),
            ("password123", "This password is too common."),
            ("8675309012", "This password is entirely numeric."),
            ("grace-hopper", "The password is too similar to the username."),
        ]:
            response = self.sign_up("grace-hopper", password)
            self.assertContains(response, message, status_code=400)
        response = self.sign_up("grace", PASSWORD, "something else entirely")
        self.assertContains(
            response, "The two password fields didn’t match.", status_code=400
        )

    def test_login_error_does_not_say_which_part_was_wrong(self):
        unknown_user = self.log_in("nobody", "wrong password")
        wrong_password = self.log_in("ada", "wrong password")
        self.assertContains(wrong_password, LOGIN_ERROR)
        self.assertEqual(errors(wrong_password), errors(unknown_user))

    def test_login_goes_to_next_only_inside_the_site(self):
        self.assertRedirects(self.log_in("ada", next_page="/active/"), "/active/")
        for attempt in ("//evil.example", "https://evil.example", "/\\evil.example"):
            self.assertRedirects(self.log_in("ada", next_page=attempt), "/")

    def test_logout_is_a_post_and_ends_the_session(self):
        self.client.force_login(self.ada)
        self.assertEqual(self.client.get("/accounts/logout/").status_code, 405)
        response = self.client.post("/accounts/logout/")
        self.assertRedirects(response, "/accounts/login/")
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_a_cookie_saved_before_logout_or_a_password_change_is_refused(self):
        self.log_in("ada")
        saved = self.client.cookies["sessionid"].value
        self.client.post("/accounts/logout/")
        self.client.cookies["sessionid"] = saved
        self.assertEqual(self.client.get("/accounts/").status_code, 302)
        self.log_in("ada")
        saved = self.client.cookies["sessionid"].value
        self.ada.set_password("another good password")
        self.ada.save()
        self.client.cookies["sessionid"] = saved
        self.assertEqual(self.client.get("/accounts/").status_code, 302)

    def test_look_alike_usernames_are_one_name(self):
        for name in ("ＡＤＡ", "Ada"):  # fullwidth letters
            response = self.sign_up(name, PASSWORD)
            self.assertContains(
                response, "A user with that username already exists.", status_code=400
            )
        self.assertEqual(self.sign_up("Élodie", PASSWORD).status_code, 302)
        response = self.sign_up("élodie", PASSWORD)
        self.assertContains(
            response, "A user with that username already exists.", status_code=400
        )

    @override_settings(BEHIND_PROXY=True)
    def test_behind_a_proxy_lockouts_key_on_the_address_it_reports(self):
        data = {"username": "ada", "password": "guess"}
        for n in range(5):
            forwarded = f"198.51.100.{n}, 203.0.113.7"
            self.client.post("/accounts/login/", data, HTTP_X_FORWARDED_FOR=forwarded)
        data["password"] = PASSWORD
        response = self.client.post(
            "/accounts/login/", data, HTTP_X_FORWARDED_FOR="203.0.113.7"
        )
        self.assertEqual(response.status_code, 429)
        response = self.client.post(
            "/accounts/login/", data, HTTP_X_FORWARDED_FOR="203.0.113.8"
        )
        self.assertEqual(response.status_code, 302)

    def test_each_user_sees_and_changes_only_their_own_todos(self):
        todo = Todo.objects.create(title="ada's", owner=self.ada)
        grace = get_user_model().objects.create_user("grace")
        self.client.force_login(grace)
        self.assertNotContains(self.client.get("/"), "ada&#x27;s")
        for action in ("toggle", "delete", "edit"):
            url = f"/todos/{todo.pk}/{action}/"
            response = self.client.post(url, {"title": "mine now"})
            self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.get(f"/todos/{todo.pk}/edit/").status_code, 404)
        self.client.post("/todos/toggle-all/")
        self.client.post("/todos/clear-completed/")
        todo.refresh_from_db()
        self.assertEqual((todo.title, todo.completed), ("ada's", False))

    def test_repeated_failed_logins_lock_the_username_out(self):
        for _ in range(4):
            self.assertContains(self.log_in("ada", "guess"), LOGIN_ERROR)
        self.assertEqual(self.log_in("ada", "guess").status_code, 429)
        # Even the right password waits now.
        self.assertEqual(self.log_in("ada").status_code, 429)

    def test_the_admin_lists_todos_with_their_owner(self):
        admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
        Todo.objects.create(title="ada's", owner=self.ada)
        self.client.force_login(admin)
        response = self.client.get("/admin/todos/todo/")
        self.assertContains(response, "column-owner")
        self.assertContains(response, "ada&#x27;s")
