"""Flask-Admin's and WTForms' French strings, looked up without the request context each time.

flask_babel finds a domain's translations through the request context and the locale selector on
every call: ~50 strings a list page, ~5% of its time. The app speaks French only (the locale
selector always answers "fr") and flask_babel already keeps each domain's catalogue for the life of
the process, so the catalogue it returns the first time is the one it would return every time.
"""
from babel.support import Translations
from flask_admin import babel as admin_babel

_DOMAINS = (admin_babel.domain, admin_babel.wtforms_domain)


def _read_once(domain):
    look_up = domain.get_translations

    def get_translations():
        found = domain.__dict__.get("pv_translations")
        if found is None:
            found = look_up()
            if isinstance(found, Translations):  # not the empty catalogue of "no request"
                domain.pv_translations = found
        return found

    get_translations.pv_read_once = True
    return get_translations


def init_app(app):
    """Called with the app's Babel set to French only."""
    for domain in _DOMAINS:
        if not getattr(domain.get_translations, "pv_read_once", False):
            domain.get_translations = _read_once(domain)
