"""Base form: CSRF tied to the session (the same mechanism the tables use)."""
from flask_admin.form import SecureForm


class Form(SecureForm):
    """Every form of the project: CSRF-protected, French messages."""

    class Meta:
        locales = ("fr_FR", "fr")
