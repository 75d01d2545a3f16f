"""Security headers on every response, and the per-request nonce that lets our scripts run.

The Content-Security-Policy allows scripts, styles, images and fonts from this site only;
an inline <script> runs only with the request's nonce (Flask-Admin receives it through
`Admin(csp_nonce_generator=csp_nonce)`, our templates through the `csp_nonce()` global).
No 'unsafe-inline' and no 'unsafe-eval'. Flask-Admin's few inline event handlers (delete,
bulk actions, filters, "add" on inline lists) are replaced in our copies of those macros
(templates/admin/..., which reach the originals as "flask_admin/admin/...") by data-*
attributes that static/csp.js handles; csp.js also parses x-editable's options with
JSON.parse instead of `new Function`.
"""
import secrets

from flask import g
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

# Bootstrap's CSS draws a few icons (select arrows, the menu button) as data: SVG images.
CSP = (
    "default-src 'none'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'; "
    "base-uri 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def csp_nonce():
    """This request's nonce (one per response, made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def set_headers(response):
    """Add the headers to any response: pages, static files, JSON, errors."""
    response.headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app):
    """Headers after every request; `csp_nonce()` in templates; Flask-Admin's own templates
    under the "flask_admin/" prefix for the macros we replace."""
    upstream = PrefixLoader({"flask_admin": PackageLoader("flask_admin", "templates/bootstrap4")})
    app.jinja_loader = ChoiceLoader([app.jinja_loader, upstream])
    app.add_template_global(csp_nonce)
    app.after_request(set_headers)
