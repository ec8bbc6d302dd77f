"""Helpers the tests share that are not tests themselves: a page probe run in a
fresh interpreter, the plain-gunicorn server of the security and browser
tests, the two-release template history, and the slug deny-list builder."""
