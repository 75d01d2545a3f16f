"""« Mon groupe » on a phone (375 × 812): a referent reports a held meeting with the mayor and moves
the campaign on, in a real browser; the pages fit the screen, every field has its label, every
button is big enough for a thumb; a mistyped date is refused next to the field.

The home page's screenshot is kept as a test artifact: tests/artifacts/mon-groupe-375.png.
"""
import datetime as dt
import struct
from pathlib import Path

import pytest

from models import Campaign, Group, Meeting, StepDuration, Transition, User

from .conftest import DEMO_PASSWORD

WIDTH, HEIGHT = 375, 812
MIN_TAP = 44  # px: smallest comfortable touch target
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SCREENSHOT = ARTIFACTS / "mon-groupe-375.png"
FORM_PAGES = ("rendez-vous", "action", "demande", "allie", "etat-des-lieux", "victoire", "campagne")
BAD_DATE = "31/02/2026"
DATE_ERROR = "Date invalide : écrivez-la jj/mm/aaaa, par exemple 22/11/2026."

# Visible fields with no <label> tied to them (label[for=id], or a label around the field).
UNLABELLED_FIELDS_JS = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(el => el.type !== 'hidden' && el.getClientRects().length > 0)
    .filter(el => ![...el.labels].some(label => label.textContent.trim()))
    .map(el => el.outerHTML.slice(0, 120))"""
# Visible buttons and .button links smaller than a thumb.
SMALL_TAP_TARGETS_JS = """(min) => [...document.querySelectorAll('button, a.button, .button')]
    .filter(el => el.getClientRects().length > 0)
    .map(el => [el.textContent.trim(), el.getBoundingClientRect().height])
    .filter(([, height]) => height < min)"""


@pytest.fixture
def phone(browser):
    """A page in a fresh context as a phone: 375 px wide, touch screen, French."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1,
                                  is_mobile=True, has_touch=True, locale="fr-FR")
    try:
        yield context.new_page()
    finally:
        context.close()


class Taps:
    """Taps on the touch screen, counted (typing into a field or picking an option is not a tap)."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, locator):
        """Tap and wait for the page it leads to."""
        self.count += 1
        with self.page.expect_navigation():
            locator.tap()


def _referent(group):
    return User.get(User.email == f"referent-{group.slug}@example.org")


def _campaign_at_meeting_step():
    """A demo campaign waiting for its town-hall meeting, none held yet (last group by name:
    test_board works on the first ones)."""
    held = Meeting.select(Meeting.group).where(Meeting.status == "tenu")
    return (Campaign.select(Campaign, Group).join(Group)
            .where(Campaign.state == "rendez_vous", Campaign.ended_on.is_null(),
                   Campaign.group.not_in(held))
            .order_by(Group.name.desc()).first())


def _check_phone_layout(page, where):
    """No sideways scrolling, every field labelled, every button tall enough."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{where}: la page défile horizontalement ({width} px > {WIDTH} px)"
    unlabelled = page.evaluate(UNLABELLED_FIELDS_JS)
    assert not unlabelled, f"{where}: champs sans <label> : {unlabelled}"
    small = page.evaluate(SMALL_TAP_TARGETS_JS, MIN_TAP)
    assert not small, f"{where}: boutons de moins de {MIN_TAP} px de haut : {small}"


def _png_size(path):
    """(width, height) read from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR", f"{path} n'est pas un PNG"
    return struct.unpack(">II", header[16:24])


def test_referent_reports_a_held_meeting_and_moves_the_campaign_on_a_phone(phone, live_server):
    campaign = _campaign_at_meeting_step()
    assert campaign is not None, "les données de démo n'ont plus de campagne au rendez-vous sans RDV tenu"
    group, referent = campaign.group, _referent(campaign.group)
    home_url = f"{live_server.url}/groupe/{group.id}/"
    meetings_before = Meeting.select().where(Meeting.group == group.id).count()
    taps = Taps(phone)

    # Log in: the referent lands on their group's page.
    phone.goto(live_server.url + "/connexion")
    phone.fill("input[name=email]", referent.email)
    phone.fill("input[name=password]", DEMO_PASSWORD)
    taps.tap(phone.locator("button[type=submit]"))
    assert phone.url == home_url
    move = phone.get_by_role("button", name="Passer aux actions de mobilisation")
    assert move.is_disabled(), "sans rendez-vous tenu, la campagne ne doit pas pouvoir avancer"

    # Report the meeting held with the mayor.
    taps.tap(phone.locator("a.button", has_text="Un rendez-vous"))
    assert phone.url == f"{live_server.url}/groupe/{group.id}/rendez-vous"
    held_on = dt.date.today() - dt.timedelta(days=3)
    outcome = "Le maire soutient l'éclairage éteint la nuit ; réponse écrite promise sous un mois."
    assert phone.locator("#with_whom").input_value() == "maire"  # the usual case needs no tap
    phone.get_by_label("Où en est ce rendez-vous").select_option(label="Tenu")
    phone.get_by_label("Date du rendez-vous").fill(held_on.isoformat())
    phone.get_by_label("Compte rendu").fill(outcome)
    taps.tap(phone.get_by_role("button", name="Enregistrer"))
    assert phone.url == home_url
    assert "Rendez-vous enregistré." in phone.locator("main").inner_text()
    print(f"\nTaps sur l'écran, de la page de connexion au rendez-vous tenu enregistré : {taps.count}")
    assert taps.count <= 3, taps.count
    meeting = (Meeting.select().where(Meeting.group == group.id).order_by(Meeting.id.desc()).first())
    assert Meeting.select().where(Meeting.group == group.id).count() == meetings_before + 1
    assert (meeting.status, meeting.with_whom, meeting.date, meeting.outcome) == (
        "tenu", "maire", held_on, outcome)

    # Move the campaign on from the home page.
    assert move.is_enabled()
    with phone.expect_navigation():
        move.tap()
    assert phone.url == home_url
    main = phone.locator("main")
    assert "Campagne passée à l'étape « Actions de mobilisation »." in main.inner_text()
    assert phone.locator(".step .state strong").inner_text() == "Actions de mobilisation"
    days = StepDuration.get(StepDuration.step == "mobilisation").days
    due_on = dt.date.today() + dt.timedelta(days=days)
    assert phone.locator(".step .due strong").inner_text() == due_on.strftime("%d/%m/%Y")
    assert Campaign.get_by_id(campaign.id).state == "mobilisation"
    assert (Transition.select().where(
        Transition.campaign == campaign.id, Transition.event == "avancer",
        Transition.from_state == "rendez_vous", Transition.to_state == "mobilisation",
        Transition.actor == referent.id).count() == 1)

    # Every page fits a 375 px screen.
    _check_phone_layout(phone, "accueil")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.is_file()
    assert _png_size(SCREENSHOT)[0] == WIDTH
    for name in FORM_PAGES:
        response = phone.goto(f"{home_url}{name}")
        assert response.status == 200, (name, response.status)
        _check_phone_layout(phone, name)


def test_a_mistyped_date_is_refused_next_to_the_field_and_nothing_is_saved(phone, live_server):
    group = Group.select().order_by(Group.name).first()
    referent = _referent(group)
    meetings_before = Meeting.select().where(Meeting.group == group.id).count()
    phone.goto(live_server.url + "/connexion")
    phone.fill("input[name=email]", referent.email)
    phone.fill("input[name=password]", DEMO_PASSWORD)
    with phone.expect_navigation():
        phone.locator("button[type=submit]").tap()
    phone.goto(f"{live_server.url}/groupe/{group.id}/rendez-vous")

    # A browser without a date picker shows a text box: the referent types the date by hand.
    phone.evaluate("document.querySelector('#date').type = 'text'")
    phone.get_by_label("Où en est ce rendez-vous").select_option(label="Tenu")
    phone.get_by_label("Date du rendez-vous").fill(BAD_DATE)
    with phone.expect_navigation() as answer:
        phone.get_by_role("button", name="Enregistrer").tap()
    assert answer.value.status == 400

    field = phone.locator(".field", has=phone.locator("#date"))
    assert field.locator(".error").inner_text() == DATE_ERROR
    assert phone.locator("#date").get_attribute("aria-invalid") == "true"
    assert "date-erreur" in phone.locator("#date").get_attribute("aria-describedby").split()
    assert "Rien n'a été enregistré" in phone.locator("main").inner_text()
    assert Meeting.select().where(Meeting.group == group.id).count() == meetings_before
    _check_phone_layout(phone, "rendez-vous refusé")
