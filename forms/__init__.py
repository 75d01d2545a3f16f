"""WTForms forms for people who are not power users (login, referents' quick updates)."""
