"""Parts of the admin pages written once per role and page instead of on every request.

Flask-Admin's menu macro asks each of the ~20 entries whether the user may see it and builds its
URL on every page (~1.5 ms); the stylesheet and script tags build a dozen static URLs. What they
write depends only on the user's role, the page and the script root, so a template writes
`{{ once("name", super) }}` (or any block: `self.name`) and the HTML is kept for the life of the
app. The request's CSP nonce is put back into the kept HTML on each use.
"""
from flask import current_app, request
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from .security import csp_nonce

NONCE = "\x00nonce\x00"


@pass_context
def once(context, name, render):
    """The HTML `render()` writes, rendered the first time for this role, page and script root."""
    view = context.get("admin_view")
    role = current_user.role if current_user.is_authenticated else None
    key = (name, role, getattr(view, "endpoint", None), request.script_root)
    kept = current_app.extensions.setdefault("pv_page_parts", {})
    if key not in kept:
        kept[key] = str(render()).replace(csp_nonce(), NONCE)
    return Markup(kept[key].replace(NONCE, csp_nonce()))


def init_app(app):
    app.add_template_global(once)
