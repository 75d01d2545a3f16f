"""French error pages that show nothing but the message below: never the exception's text,
a traceback or SQL (the details go to the server log only, which Flask writes for a 500)."""
from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Requête invalide",
          "La page a peut-être expiré. Rechargez-la puis réessayez."),
    403: ("Accès refusé",
          "Cette page ou cette donnée n'est pas accessible avec votre compte."),
    404: ("Page introuvable",
          "Page ou enregistrement introuvable : il a pu être supprimé, ou il ne fait pas partie "
          "des données accessibles avec votre compte."),
    405: ("Méthode non autorisée",
          "Cette adresse ne s'utilise pas ainsi : revenez à la page précédente et utilisez "
          "ses boutons."),
    429: ("Trop de tentatives",
          "Trop de demandes en peu de temps. Patientez quelques minutes puis réessayez."),
    500: ("Erreur interne",
          "Le serveur a rencontré une erreur. Rechargez la page pour voir ce qui a été "
          "enregistré, puis réessayez ; si l'erreur persiste, prévenez l'équipe de coordination."),
}
# Headers of the exception worth keeping: Allow (405) and Retry-After (429).
KEPT_HEADERS = ("Allow", "Retry-After")


def error_response(exc):
    """The page (or, for a script's request, the short text or JSON) for an HTTP error."""
    code = exc.code if isinstance(exc, HTTPException) and exc.code in MESSAGES else 500
    title, message = MESSAGES[code]
    headers = [(k, v) for k, v in exc.get_headers() if k in KEPT_HEADERS] \
        if isinstance(exc, HTTPException) else []
    requested_with = request.headers.get("X-Requested-With", "")
    if requested_with == "fetch":  # the board's drag-and-drop reads {"message": ...}
        return jsonify(message=f"{title} : {message}"), code, headers
    if requested_with:  # x-editable shows the response text in the cell's popup
        return f"{title} : {message}", code, [*headers, ("Content-Type", "text/plain; charset=utf-8")]
    return render_template("errors/error.html", code=code, title=title, message=message), code, headers


def init_app(app):
    for code in MESSAGES:
        app.register_error_handler(code, error_response)
