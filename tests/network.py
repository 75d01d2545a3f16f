"""A small two-group network covering every table, and logged-in test clients."""
import datetime as dt
import re
from html.parser import HTMLParser
from types import SimpleNamespace

from models import (
    Action,
    ActionKind,
    Ally,
    AssessmentRating,
    Campaign,
    CampaignStep,
    ChecklistItem,
    ChecklistTemplate,
    Demand,
    DemandMeasure,
    Group,
    GroupAlly,
    Measure,
    Meeting,
    StepDuration,
    Theme,
    User,
    Victory,
)
from models.audit import history_disabled
from models.user import hash_password

PASSWORD = "mot de passe de test"
TODAY = dt.date(2026, 11, 22)


def build_network():
    """Two groups (Lyon: A, Évry: B) with a row of every kind each, and one user per role."""
    with history_disabled():
        theme = Theme.create(code="velo", name="Place du vélo", in_campaign=True)
        measure = Measure.create(number=15, title="Donner la priorité aux mobilités actives")
        kind = ActionKind.create(code="velorution", label="Vélorution", difficulty=2, energy=3)
        template = ChecklistTemplate.create(code="prefecture", phase="avant",
                                            label="Déclarer en préfecture", offset_days=-7)
        for step, days in (("etat_des_lieux", 60), ("priorisation", 30), ("rendez_vous", 45),
                           ("mobilisation", 90)):
            StepDuration.create(step=step, days=days)
        ally = Ally.create(name="Vélo-cité", kind="association_velo", contact_name="Paule Rayon",
                           contact_email="paule@example.org", contact_phone="06 39 98 00 01")
        password_hash = hash_password(PASSWORD)
        ns = SimpleNamespace(theme=theme, measure=measure, kind=kind, template=template, ally=ally)
        for key, name, commune, dept in (("a", "Collectif Transition Lyon", "Lyon", "69"),
                                         ("b", "Alternatiba Évry", "Évry-Courcouronnes", "91")):
            group = Group.create(name=name, slug=key + "-" + commune.lower()[:4], commune=commune,
                                 departement_code=dept, region="Région", mobilisable_count=20,
                                 contact_email=f"contact-{key}@example.org",
                                 contact_phone=f"06 39 98 11 0{ord(key) - 96}")
            referent = User.create(email=f"referent-{key}@example.org", role="referent", group=group,
                                   full_name=f"Référent {key.upper()}", password_hash=password_hash,
                                   phone="06 39 98 22 22")
            demand = Demand.create(group=group, title=f"Piste cyclable {commune}",
                                   target_date=TODAY + dt.timedelta(days=60), status="retenue")
            DemandMeasure.create(demand=demand, measure=measure)
            meeting = Meeting.create(group=group, with_whom="maire", status="programme",
                                     date=TODAY + dt.timedelta(days=5), contact_name="M. le Maire")
            action = Action.create(group=group, kind=kind, demand=demand, title=f"Vélorution {commune}",
                                   date=TODAY + dt.timedelta(days=20), status="planifiee",
                                   people_expected=40)
            item = ChecklistItem.create(action=action, template=template, phase="avant",
                                        label="Déclarer en préfecture",
                                        due_on=TODAY + dt.timedelta(days=13))
            rating = AssessmentRating.create(group=group, measure=measure, rating="en_cours",
                                             ambition_level=1)
            campaign = Campaign.create(group=group, state="rendez_vous", started_on=TODAY - dt.timedelta(90))
            step = CampaignStep.create(campaign=campaign, step="rendez_vous", opened_on=TODAY,
                                       due_on=TODAY + dt.timedelta(days=45))
            link = GroupAlly.create(group=group, ally=ally, status="contacte")
            victory = Victory.create(group=group, demand=demand, title=f"Arceaux vélo {commune}",
                                     obtained_on=TODAY - dt.timedelta(days=3))
            setattr(ns, key, SimpleNamespace(
                group=group, referent=referent, demand=demand, meeting=meeting, action=action,
                item=item, rating=rating, campaign=campaign, step=step, link=link, victory=victory))
        ns.coordination = User.create(email="coordination@example.org", role="coordination",
                                      full_name="Coordination", password_hash=password_hash)
        ns.observer = User.create(email="observateur@example.org", role="observer",
                                  full_name="Observatrice", password_hash=password_hash)
    return ns


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url="/connexion"):
    """The CSRF token of the page at `url` (bound to the client's session)."""
    match = CSRF_RE.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, email, password=PASSWORD):
    response = client.post("/connexion", data={
        "email": email, "password": password, "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


class _FormParser(HTMLParser):
    """Collects the values a browser would submit from the first form with a CSRF token."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "y")
            elif kind not in ("submit", "button", "file"):
                self.data[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(client, url):
    """What the form at `url` would submit unchanged (to edit one field in a test)."""
    parser = _FormParser()
    parser.feed(client.get(url).get_data(as_text=True))
    return parser.data
