"""The password rule, in one place: account creation (CLI, tables) and « Mon compte » all call it.

A password is accepted when it has at least 12 characters (at most 1024), is
not in the common-password lists of `workflows/data/` (see its README for their
provenance), is not the account's e-mail, and uses at least 5 different
characters. Lists are compared after folding case and accents and on a few
variants, so "Soleil 2024 !", "s0leil" or "mot-de-passe" count as common.
"""
import gzip
import string
import unicodedata
from functools import cache
from pathlib import Path

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MIN_DISTINCT_CHARACTERS = 5
DATA = Path(__file__).resolve().parent / "data"

TOO_SHORT = f"Mot de passe trop court : {MIN_PASSWORD_LENGTH} caractères au minimum."
TOO_LONG = f"Mot de passe trop long : {MAX_PASSWORD_LENGTH} caractères au maximum."
TOO_COMMON = ("Ce mot de passe est trop courant ou trop facile à deviner : choisissez-en un autre, "
              "par exemple une phrase de quatre mots ou plus.")
LIKE_EMAIL = "Le mot de passe ne doit pas reprendre votre adresse e-mail."

_SEPARATORS = str.maketrans("", "", string.whitespace + "-_.")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s",
                       "!": "i"})
_DECORATION = string.digits + string.punctuation + string.whitespace


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _compact(text):
    return _fold(text).translate(_SEPARATORS)


@cache
def common_passwords():
    """Both lists, folded and compacted like the passwords they are compared with."""
    with gzip.open(DATA / "common-passwords.txt.gz", "rt", encoding="utf-8") as f:
        words = {_compact(line.strip()) for line in f}
    with open(DATA / "common-passwords-fr.txt", encoding="utf-8") as f:
        words |= {_compact(line.strip()) for line in f if not line.startswith("#")}
    words.discard("")
    return frozenset(words)


def _variants(password):
    """The password and the common ways of dressing up a weak one."""
    compact = _compact(password)
    core = compact.strip(_DECORATION)  # "soleil2024!" -> "soleil"
    out = {compact, compact.translate(_LEET)}
    if len(core) >= 3:
        out |= {core, core.translate(_LEET)}
        for size in range(3, len(core) // 2 + 1):  # "soleilsoleil" -> "soleil"
            if len(core) % size == 0 and core[:size] * (len(core) // size) == core:
                out.add(core[:size])
    return out


def password_problem(password, email=None):
    """The French reason a password is refused, or None when it is acceptable."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_PASSWORD_LENGTH:
        return TOO_LONG
    if len(set(password.casefold())) < MIN_DISTINCT_CHARACTERS:
        return TOO_COMMON
    variants = _variants(password)
    if email:
        folded = _fold(email.strip())
        local = _compact(folded.partition("@")[0])
        if folded in variants or (len(local) >= 3 and local in variants):
            return LIKE_EMAIL
    if variants & common_passwords():
        return TOO_COMMON
    return None
