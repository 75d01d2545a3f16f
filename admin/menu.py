"""The tables' menu, written once per role and page instead of on every request.

Flask-Admin's menu macro asks each of the ~20 entries whether the user may see it and builds its
URL on every page (~1.5 ms). What it shows depends only on the user's role and the page, so the
HTML its own macro writes is kept per (role, page) for the life of the app.
"""
from flask import current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup


def admin_menu(admin_view):
    role = current_user.role if current_user.is_authenticated else None
    written = current_app.extensions.setdefault("pv_admin_menu", {})
    key = (role, admin_view.endpoint, request.script_root)
    if key not in written:
        written[key] = Markup(render_template("admin/_menu.html", admin_view=admin_view))
    return written[key]


def init_app(app):
    app.add_template_global(admin_menu)
