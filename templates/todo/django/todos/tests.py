"""Tests for the to-do list; run them with `python manage.py test`."""

from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape

from .models import Todo

# What every response must carry (the Flask version sends the same).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class TodoTests(TestCase):
    # self.client calls the project directly: no server needed. It posts forms
    # without a CSRF token; the acceptance tests of a running server check that
    # the token is required. Each test starts with an empty table.

    def titles(self):
        return list(Todo.objects.values_list("title", flat=True))

    def add(self, title, todo_filter="all"):
        return self.client.post(
            reverse("todos:add"), {"title": title, "filter": todo_filter}
        )

    def id_of(self, title):
        return Todo.objects.get(title=title).pk

    def post(self, name, title=None, todo_filter="all"):
        """Post a list-page form: `name` is the URL's name, `title` the todo's."""
        args = [self.id_of(title)] if title is not None else []
        return self.client.post(
            reverse(f"todos:{name}", args=args), {"filter": todo_filter}
        )

    def test_empty_list_invites_to_add(self):
        response = self.client.get("/")
        self.assertContains(response, "Nothing to do yet: add your first todo above.")
        self.assertTemplateUsed(response, "todos/index.html")
        self.assertNotContains(response, "todo-count")
        self.assertNotContains(response, "toggle-all")

    def test_add_saves_the_trimmed_title_and_redirects_back(self):
        response = self.add("  Buy milk  ", "active")
        self.assertRedirects(response, "/active/")
        self.assertEqual(self.titles(), ["Buy milk"])
        todo = Todo.objects.get()
        self.assertFalse(todo.completed)
        self.assertContains(self.client.get("/"), '<span class="title">Buy milk</span>')

    def test_an_unknown_filter_redirects_to_all(self):
        self.assertRedirects(self.add("one", "nonsense"), "/")

    def test_blank_and_long_titles_are_refused(self):
        self.assertContains(self.add("   "), "Enter a title.", status_code=400)
        self.add("kept")
        response = self.add("   ", "completed")
        self.assertContains(response, "Enter a title.</p>", status_code=400)
        # The list it came from is shown again.
        self.assertContains(
            response, 'href="/completed/" class="selected"', status_code=400
        )
        response = self.add("x" * 201)
        self.assertContains(
            response, "Keep the title to 200 characters or fewer.", status_code=400
        )
        self.assertContains(response, 'value="' + "x" * 201 + '"', status_code=400)
        self.assertEqual(self.titles(), ["kept"])
        self.assertEqual(self.add("x" * 200).status_code, 302)

    def test_toggle_and_the_counter(self):
        self.add("one")
        self.add("two")
        self.assertContains(self.client.get("/"), "<strong>2</strong> items left")
        one = self.id_of("one")
        self.assertRedirects(self.post("toggle", "one", "completed"), "/completed/")
        response = self.client.get("/")
        self.assertContains(response, "<strong>1</strong> item left")
        self.assertContains(response, f'class="todo completed" data-id="{one}"')
        self.post("toggle", "two")
        self.assertContains(self.client.get("/"), "<strong>0</strong> items left")
        self.post("toggle", "two")
        self.assertFalse(Todo.objects.get(title="two").completed)

    def test_toggle_all_completes_all_then_reopens_all(self):
        self.add("one")
        self.add("two")
        self.post("toggle", "one")
        self.assertContains(self.client.get("/"), "Mark all as complete")
        self.assertRedirects(self.post("toggle_all", todo_filter="active"), "/active/")
        response = self.client.get("/")
        self.assertContains(response, "<strong>0</strong> items left")
        self.assertContains(response, "Mark all as active")
        self.post("toggle_all")
        self.assertContains(self.client.get("/"), "<strong>2</strong> items left")

    def test_filters_show_their_todos_and_mark_the_current_one(self):
        self.add("still to do")
        self.add("done")
        self.post("toggle", "done")
        active = self.client.get("/active/")
        self.assertContains(active, "still to do")
        self.assertNotContains(active, "done</span>")
        self.assertContains(
            active, 'href="/active/" class="selected" aria-current="page"'
        )
        self.assertContains(active, "<strong>1</strong> item left")
        completed = self.client.get("/completed/")
        self.assertContains(completed, "done</span>")
        self.assertNotContains(completed, "still to do")
        self.assertContains(completed, 'href="/completed/" class="selected"')
        # The counter counts every active todo, whatever the filter.
        self.assertContains(completed, "<strong>1</strong> item left")
        self.assertContains(self.client.get("/"), 'href="/" class="selected"')

    def test_edit_applies_the_same_rules(self):
        self.add("old")
        url = reverse("todos:edit", args=[self.id_of("old")])
        response = self.client.get(url)
        self.assertTemplateUsed(response, "todos/edit.html")
        self.assertContains(response, 'value="old"')
        self.assertContains(response, "Back to the list")
        response = self.client.post(url, {"title": ""})
        self.assertContains(response, "Enter a title.</p>", status_code=400)
        response = self.client.post(url, {"title": "x" * 201})
        self.assertContains(
            response, "Keep the title to 200 characters or fewer.", status_code=400
        )
        self.assertEqual(self.titles(), ["old"])
        self.assertRedirects(self.client.post(url, {"title": " new "}), "/")
        self.assertEqual(self.titles(), ["new"])

    def test_delete_and_clear_completed(self):
        for title in ("a", "b", "c"):
            self.add(title)
        self.assertNotContains(self.client.get("/"), "Clear completed")
        self.post("delete", "a")
        self.post("toggle", "b")
        self.assertContains(self.client.get("/"), "Clear completed")
        self.assertRedirects(
            self.post("clear_completed", todo_filter="active"), "/active/"
        )
        self.assertEqual(self.titles(), ["c"])

    def test_unknown_todo_is_404_and_get_on_a_form_url_is_405(self):
        self.assertEqual(self.client.post("/todos/99/toggle/").status_code, 404)
        self.assertEqual(self.client.post("/todos/99/delete/").status_code, 404)
        self.assertEqual(self.client.get("/todos/99/edit/").status_code, 404)
        # However large the id: SQLite ids are 64-bit, 2**63 names no todo.
        for todo_id in (2**63 - 1, 2**63, 10**30):
            for action in ("edit", "toggle", "delete"):
                response = self.client.post(f"/todos/{todo_id}/{action}/")
                self.assertEqual(response.status_code, 404, (todo_id, action))
        for url in ("/todos/", "/todos/toggle-all/", "/todos/clear-completed/"):
            self.assertEqual(self.client.get(url).status_code, 405)

    def test_titles_are_shown_as_text(self):
        title = "<script>alert(\"hi\")</script> & 'quotes'"
        self.add(title)
        response = self.client.get("/")
        self.assertContains(response, escape(title))
        self.assertNotContains(response, "<script>")

    def add_many(self, count):
        """Add `count` todos at once, straight into the database."""
        Todo.objects.bulk_create(Todo(title=f"todo {n}") for n in range(count))

    def test_list_page_runs_the_same_queries_for_1_or_500_todos(self):
        self.add("first")
        # The counter's counts (which also give the number of pages), the todos.
        with self.assertNumQueries(2):
            self.client.get("/")
        self.add_many(499)
        with self.assertNumQueries(2):
            self.client.get("/?page=3")

    def test_the_list_shows_50_todos_a_page(self):
        self.add_many(120)
        first = self.client.get("/")
        self.assertContains(first, "data-id=", count=50)
        self.assertContains(first, "Page 1 of 3")
        self.assertContains(first, 'href="?page=2"')
        self.assertContains(first, 'href="?page=3"')
        self.assertNotContains(first, 'class="previous"')
        last = self.client.get("/?page=3")
        self.assertContains(last, "data-id=", count=20)
        self.assertContains(last, 'href="?page=1"')
        self.assertNotContains(last, 'class="next"')
        # The counter still counts every active todo, not only this page's.
        self.assertContains(last, "<strong>120</strong> items left")
        self.assertContains(last, 'name="page" value="3"')  # forms say which page

    def test_a_page_number_that_is_not_a_page_is_404(self):
        self.assertEqual(self.client.get("/?page=1").status_code, 200)  # no todos
        self.add_many(60)
        self.assertEqual(self.client.get("/?page=2").status_code, 200)
        for page in ("0", "-1", "3", "two", "1.5", "", "99999999999999999999"):
            with self.subTest(page=page):
                self.assertEqual(self.client.get(f"/?page={page}").status_code, 404)

    def test_a_change_goes_back_to_its_page_or_to_the_last_one(self):
        self.add_many(51)
        ids = list(Todo.objects.values_list("pk", flat=True))
        data = {"filter": "all", "page": "2"}
        response = self.client.post(reverse("todos:toggle", args=[ids[50]]), data)
        self.assertRedirects(response, "/?page=2")
        # Active has 49 todos left after this: one page, so back to page 1.
        data = {"filter": "active", "page": "2"}
        response = self.client.post(reverse("todos:toggle", args=[ids[49]]), data)
        self.assertRedirects(response, "/active/")
        data = {"filter": "all", "page": "9"}
        response = self.client.post(reverse("todos:delete", args=[ids[50]]), data)
        self.assertRedirects(response, "/")

    def test_a_post_without_the_csrf_token_is_refused(self):
        client = self.client_class(enforce_csrf_checks=True)
        response = client.post(
            reverse("todos:add"), {"title": "sneaky", "filter": "all"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.titles(), [])

    def test_the_admin_lists_todos(self):
        # Registered in todos/admin.py; the admin asks visitors to log in.
        response = self.client.get("/admin/todos/todo/")
        self.assertRedirects(response, "/admin/login/?next=/admin/todos/todo/")
        self.assertEqual(self.client.get("/admin/").status_code, 302)

    def test_stylesheet_is_served(self):
        response = self.client.get("/static/css/style.css")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/css"))

    def test_unknown_page_uses_the_site_layout(self):
        response = self.client.get("/no-such-page/")
        self.assertTemplateUsed(response, "404.html")
        self.assertContains(response, "Go to the list", status_code=404)

    def test_every_response_sends_the_security_headers(self):
        for path in ("/", "/no-such-page/"):
            response = self.client.get(path)
            for name, value in SECURITY_HEADERS.items():
                self.assertEqual(response[name], value, (path, name))

    def test_an_unknown_host_is_refused(self):
        response = self.client.get("/active", headers={"host": "evil.example"})
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("evil.example", response.get("Location", ""))

    def test_the_csrf_cookie_is_samesite_lax(self):
        response = self.client.get("/")
        self.assertEqual(response.cookies["csrftoken"]["samesite"], "Lax")

    def test_the_list_answers_get_only_and_405_is_in_the_site_layout(self):
        self.assertEqual(self.client.generic("TRACE", "/").status_code, 405)
        response = self.client.get("/todos/")
        self.assertIn("POST", response["Allow"])
        self.assertContains(response, "Go to the list", status_code=405)
        self.assertContains(response, "/static/css/style.css", status_code=405)
