"""The board: campaigns by step; moving a card fires the transition (drag-and-drop or buttons)."""
import datetime as dt

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from jinja2.utils import htmlsafe_json_dumps

from forms.campaign import MoveCampaignForm
from models import Campaign
from workflows.board import board_columns
from workflows.campaign import TransitionError, fire
from workflows.definition import STATE_LABELS
from workflows.graph import graph_svg_data

from .auth import safe_next


class BoardView(BaseView):
    """Kanban of campaigns; referents see and move their own group's card only."""

    def is_accessible(self):
        return current_user.is_authenticated and current_user.role in ("coordination", "referent", "observer")

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    @property
    def can_move(self):
        return current_user.role in ("coordination", "referent")

    def _scope(self):
        return current_user.group_id if current_user.role == "referent" else None

    @expose("/")
    def index(self):
        columns = board_columns(dt.date.today(), group_id=self._scope())
        # What a card's moves become in the page (its data-moves JSON, its dropdown's options),
        # written once for each distinct list of moves: a few for 480 cards.
        written = {}
        for column in columns:
            for card in column["cards"]:
                moves = card["moves"]
                if id(moves) not in written:
                    written[id(moves)] = (htmlsafe_json_dumps(moves, dumps=current_app.json.dumps),
                                          any(m["needs_reason"] for m in moves))
                card["moves_json"], card["needs_reason"] = written[id(moves)]
        return self.render("admin/board.html", columns=columns, form=MoveCampaignForm(),
                           can_move=self.can_move, state_graph=graph_svg_data(),
                           campaigns_url=self._campaigns_url)

    def _campaigns_url(self, state):
        """The campaigns list filtered on one step (a board column's every campaign)."""
        view = next(v for v in self.admin._views if getattr(v, "endpoint", None) == "campaigns")
        for index, flt in enumerate(view._filters or ()):
            if getattr(flt, "column", None) is Campaign.state:
                return url_for("campaigns.index_view", **{f"flt1_{view.get_filter_arg(index, flt)}": state})
        return url_for("campaigns.index_view")

    @expose("/deplacer", methods=("POST",))
    def move(self):
        """Fire one transition; JSON for the drag-and-drop script, a redirect for plain forms."""
        wants_json = request.headers.get("X-Requested-With") == "fetch"
        form = MoveCampaignForm(request.form)
        if not self.can_move:
            return self._answer(wants_json, "Votre compte ne permet pas de déplacer les campagnes.", 403)
        if not form.validate():
            errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
            return self._answer(wants_json, " ".join(errors) or "Demande invalide.", 400)
        campaign = Campaign.get_or_none(Campaign.id == form.campaign.data)
        scope = self._scope()
        if campaign is None or (scope is not None and campaign.group_id != scope):
            return self._answer(wants_json, "Campagne introuvable ou d'un autre groupe.", 404)
        try:
            moved = fire(campaign, form.event.data, actor=current_user._get_current_object(),
                         comment=form.comment.data or "", skip_reason=form.skip_reason.data or None,
                         expected_version=form.version.data)
        except TransitionError as exc:
            return self._answer(wants_json, str(exc), 409, campaign=campaign)
        message = f"{campaign.group.name} : {STATE_LABELS[moved.state]}."
        return self._answer(wants_json, message, 200, campaign=moved)

    def _answer(self, wants_json, message, status, campaign=None):
        if wants_json:
            body = {"ok": status == 200, "message": message}
            if campaign is not None:
                body.update(state=campaign.state, version=campaign.version)
            return jsonify(body), status
        flash(message, "success" if status == 200 else "error")
        return redirect(safe_next(request.form.get("next")) or url_for(".index"))
