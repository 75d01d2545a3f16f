"""Login, logout and « Mon compte » forms."""
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from workflows.password_policy import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problem

from .base import Form

PASSWORD_HINT = (f"Au moins {MIN_PASSWORD_LENGTH} caractères, pas un mot de passe courant : "
                 "une phrase de quatre mots ou plus est facile à retenir.")


class StrongPassword:
    """The project's password rule (workflows.password_policy) as a WTForms validator.

    The account's e-mail is taken from the form's `email` field when it has one,
    else from `email_of(form)`.
    """

    def __init__(self, email_of=None):
        self.email_of = email_of

    def __call__(self, form, field):
        if not field.data:
            return  # DataRequired / Optional decide whether it may be empty
        email = self.email_of(form) if self.email_of else getattr(getattr(form, "email", None), "data", None)
        problem = password_problem(field.data, email)
        if problem:
            raise ValidationError(problem)


def _current_password():
    return PasswordField("Mot de passe actuel",
                         validators=[DataRequired("Indiquez votre mot de passe actuel."),
                                     Length(max=MAX_PASSWORD_LENGTH)])


class LoginForm(Form):
    """E-mail and password."""

    email = EmailField("Adresse e-mail", validators=[DataRequired("Indiquez votre adresse e-mail."),
                                                     Length(max=254)])
    password = PasswordField("Mot de passe", validators=[DataRequired("Indiquez votre mot de passe."),
                                                         Length(max=MAX_PASSWORD_LENGTH)])


class LogoutForm(Form):
    """Only the CSRF token: logging out is a POST."""


class ChangePasswordForm(Form):
    """A new password, confirmed by the current one."""

    current_password = _current_password()
    new_password = PasswordField("Nouveau mot de passe", description=PASSWORD_HINT, validators=[
        DataRequired("Indiquez le nouveau mot de passe."), StrongPassword(lambda form: form.account_email)])
    confirm = PasswordField("Confirmez le nouveau mot de passe", validators=[
        DataRequired("Confirmez le nouveau mot de passe."),
        EqualTo("new_password", "Les deux saisies du nouveau mot de passe sont différentes.")])

    def __init__(self, *args, account_email=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class ChangeEmailForm(Form):
    """A new login e-mail, confirmed by the current password."""

    email = EmailField("Nouvelle adresse e-mail", validators=[
        DataRequired("Indiquez la nouvelle adresse e-mail."), Length(max=254)])
    current_password = _current_password()
