"""Security headers: what every response tells the browser about this site.

The same headers, with the same values, as the Django version sends through
its SecurityMiddleware and settings. A few explicit lines, not an extension:
each header is one line a reader can look up, and nothing else changes.
"""

from flask import redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix

HEADERS = {
    # Load scripts, styles, images and forms from this site only (no inline
    # <script> or style="..."), and let no other site show it in a frame.
    "Content-Security-Policy": (
        "default-src 'self'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    # The same refusal of frames, for browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    # Trust the Content-Type; never guess that a file is a script.
    "X-Content-Type-Options": "nosniff",
    # Tell other sites nothing about which page linked to them.
    "Referrer-Policy": "same-origin",
    # A page of another site that opens this one gets no handle on it.
    "Cross-Origin-Opener-Policy": "same-origin",
}
A_YEAR = 365 * 24 * 60 * 60  # what the HSTS preload list asks for


def strict_transport_security(config):
    """The HSTS header: once seen over HTTPS, browsers use HTTPS only.

    Preload (a browser's built-in list) is hard to undo, so only when the
    owner asks for it, and then with the year it requires.
    """
    if config["SECURE_HSTS_PRELOAD"]:
        seconds = max(config["SECURE_HSTS_SECONDS"], A_YEAR)
        return f"max-age={seconds}; includeSubDomains; preload"
    return f"max-age={config['SECURE_HSTS_SECONDS']}; includeSubDomains"


def add_security_headers(app):
    """Send HEADERS on every response, and HSTS on every HTTPS one; behind
    a proxy, redirect plain HTTP to HTTPS."""
    if app.config["BEHIND_PROXY"]:
        # Only when a proxy in front says so (BEHIND_PROXY=1): otherwise any
        # client could claim HTTPS by sending the header itself.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)

        @app.before_request
        def redirect_to_https():
            # The proxy serves HTTPS: plain HTTP gets the same address over
            # HTTPS (301, as Django's SECURE_SSL_REDIRECT answers).
            if not request.is_secure:
                return redirect(request.url.replace("http://", "https://", 1), 301)
            return None

    hsts = strict_transport_security(app.config)

    @app.after_request
    def send_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response
