"""A deterministic, believable demo network: 50 groups across France.

Everything is derived from a fixed random seed and the `today` passed in, so
two runs with the same `today` write the same rows (password hashes aside).
"""
import csv
import datetime as dt
import random
import re
import unicodedata
from pathlib import Path

from models import (
    Action,
    ActionKind,
    Ally,
    AllyTheme,
    AssessmentRating,
    Campaign,
    CampaignStep,
    ChangeLog,
    ChecklistItem,
    ChecklistTemplate,
    Demand,
    DemandMeasure,
    Group,
    GroupAlly,
    GroupTheme,
    Meeting,
    StepDuration,
    Theme,
    Transition,
    User,
    Victory,
    db,
)
from models.audit import history_disabled
from models.campaign import STEPS
from models.user import hash_password

DATA = Path(__file__).with_name("data")
DEMO_PASSWORD = "victoires-demo"
DEMO_DOMAIN = "example.org"
COORDINATION_EMAIL = f"coordination@{DEMO_DOMAIN}"
OBSERVER_EMAIL = f"observateur@{DEMO_DOMAIN}"
RANDOM_SEED = 20261122
STALE_GROUPS = 6  # groups with no update for two months or more

# How the 50 campaigns are spread over the states.
STATE_SPREAD = (
    ("etat_des_lieux", 8),
    ("priorisation", 9),
    ("rendez_vous", 10),
    ("mobilisation", 12),
    ("victoire", 5),
    ("bilan", 2),
    ("en_pause", 2),
    ("abandonnee", 2),
)
STEP_CODES = [code for code, _ in STEPS]

GROUP_NAME_PATTERNS = (
    "Collectif Transition {commune}",
    "Alternatiba {commune}",
    "Pacte pour la Transition {commune}",
    "ANV-COP21 {commune}",
    "{commune} en Transition",
)

DEMAND_IDEAS = {
    "alimentation": (
        ("Un menu végétarien quotidien en option dans les cantines", 7),
        ("50 % de produits bio et locaux à la cantine d'ici la rentrée", 7),
        ("Mettre une parcelle communale à disposition d'un maraîcher bio", 6),
    ),
    "eau": (
        ("Installer des fontaines d'eau potable dans les parcs", 10),
        ("Désimperméabiliser et végétaliser deux cours d'école", 8),
        ("Publier chaque année la qualité de l'eau du robinet", 10),
    ),
    "artificialisation": (
        ("Geler l'extension de la zone commerciale", 9),
        ("Classer les terres maraîchères en zone agricole protégée", 6),
        ("Retirer le projet de contournement routier du PLU", 13),
    ),
    "sobriete_energetique": (
        ("Éteindre l'éclairage public entre 23 h et 5 h", 3),
        ("Lancer un audit énergétique des écoles", 12),
        ("Soutenir une centrale solaire citoyenne sur les toits municipaux", 11),
    ),
    "velo": (
        ("Créer une piste cyclable sécurisée vers le collège", 15),
        ("Installer 100 arceaux vélo près des commerces", 15),
        ("Passer le centre-ville en zone 30", 16),
    ),
}

MEETING_OUTCOMES = (
    "Écoute attentive, le maire s'engage à étudier la demande d'ici l'été.",
    "Accord de principe ; un adjoint suivra le dossier avec le groupe.",
    "Refus poli : pas de budget cette année. Nouveau rendez-vous à demander.",
    "Rencontre avec les services techniques : étude de faisabilité lancée.",
)

ACTION_SUBJECTS = ("cantine", "vélo", "eau", "climat", "terres agricoles")
PLACES = ("Parvis de la mairie", "Place du marché", "Devant la gare", "Salle des fêtes",
          "Parc municipal", "Entrée de l'école Jean-Jaurès")


def slugify(text):
    """ASCII, lowercase, hyphen-separated ("L'Haÿ-les-Roses" -> "l-hay-les-roses")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _read_csv(name):
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _at(day, hour=18):
    """A timestamp on a given day (demo rows never use the wall clock)."""
    return dt.datetime.combine(day, dt.time(hour, 0))


def demo_logins():
    """Emails of the demo accounts that exist, coordination and observer first."""
    fixed = [COORDINATION_EMAIL, OBSERVER_EMAIL]
    referents = (User.select(User.email)
                 .where(User.email.startswith("referent-"), User.email.endswith(f"@{DEMO_DOMAIN}"))
                 .order_by(User.email))
    return [e for e in fixed if User.select().where(User.email == e).exists()] + [
        u.email for u in referents
    ]


def demo_present():
    return User.select().where(User.email == COORDINATION_EMAIL).exists()


class DemoBuilder:
    """Writes the demo network; one instance per run."""

    def __init__(self, today):
        self.today = today
        self.rng = random.Random(RANDOM_SEED)
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.people = _read_csv("people.csv")
        self.rng.shuffle(self.people)
        self.themes = {t.code: t for t in Theme.select()}
        self.kinds = list(ActionKind.select().order_by(ActionKind.position))
        self.templates = list(ChecklistTemplate.select().order_by(ChecklistTemplate.position))
        self.durations = {d.step: d.days for d in StepDuration.select()}
        self.coordinator = None

    def person(self):
        p = self.people.pop(0)
        self.people.append(p)
        return f"{p['first_name']} {p['last_name']}"

    def build(self):
        communes = _read_csv("communes.csv")
        states = [s for s, n in STATE_SPREAD for _ in range(n)]
        assert len(states) == len(communes), "one campaign state per commune"
        self.rng.shuffle(states)
        stale = set(self.rng.sample(range(len(communes)), STALE_GROUPS))
        self.coordinator = self._account(COORDINATION_EMAIL, "coordination", None, "Équipe de coordination")
        self._account(OBSERVER_EMAIL, "observer", None, "Observatrice partenaire")
        allies = {"templates": _read_csv("allies.csv"), "created": {}}
        for i, (row, state) in enumerate(zip(communes, states, strict=True)):
            last_touch = self.today - dt.timedelta(
                days=self.rng.randint(60, 120) if i in stale else self.rng.randint(0, 20)
            )
            self._group(row, state, last_touch, allies)

    def _account(self, email, role, group, name, day=None):
        day = day or self.today - dt.timedelta(days=400)
        return User.create(
            email=email, role=role, group=group, full_name=name,
            password_hash=self.password_hash,
            created_at=_at(day), updated_at=_at(day),
        )

    def _ally(self, allies, template, commune, day):
        name = template["name"].replace("{commune}", commune)
        if name in allies["created"]:
            return allies["created"][name]
        contact = self.person()
        ally = Ally.create(
            name=name, kind=template["kind"],
            town=commune if "{commune}" in template["name"] else "",
            contact_name=contact,
            contact_email=f"{slugify(contact)}@{DEMO_DOMAIN}",
            created_at=_at(day), updated_at=_at(day),
        )
        for code in template["themes"].split("|"):
            AllyTheme.create(ally=ally, theme=self.themes[code])
        allies["created"][name] = ally
        return ally

    def _group(self, row, state, last_touch, allies):
        rng = self.rng
        commune = row["commune"]
        slug = slugify(commune)
        campaign_themes = [c for c, t in self.themes.items() if t.in_campaign]
        other_themes = [c for c, t in self.themes.items() if not t.in_campaign]
        chosen = rng.sample(campaign_themes, rng.randint(1, 3))
        if rng.random() < 0.4:
            chosen.append(rng.choice(other_themes))
        relation = rng.choices(("dialogue", "neutre", "opposition"), weights=(45, 35, 20))[0]
        created = last_touch - dt.timedelta(days=rng.randint(150, 420))
        group = Group.create(
            name=rng.choice(GROUP_NAME_PATTERNS).format(commune=commune),
            slug=slug, commune=commune, departement_code=row["departement_code"],
            region=row["region"], contact_email=f"contact-{slug}@{DEMO_DOMAIN}",
            contact_phone=f"06 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
            mobilisable_count=rng.randint(5, 120), townhall_relation=relation,
            created_at=_at(created), updated_at=_at(last_touch),
        )
        ChangeLog.record(user=self.coordinator, table_name="group", record_id=group.id,
                         kind="create", at=_at(created, 9))
        for code in chosen:
            GroupTheme.create(group=group, theme=self.themes[code])
        referents = [self._account(f"referent-{slug}@{DEMO_DOMAIN}", "referent", group,
                                   self.person(), created)]
        for n in range(2, rng.randint(1, 3) + 1):
            referents.append(self._account(f"referent-{slug}-{n}@{DEMO_DOMAIN}", "referent",
                                           group, self.person(), created))
        for template in rng.sample(allies["templates"], rng.randint(2, 5)):
            ally = self._ally(allies, template, commune, created)
            GroupAlly.create(
                group=group, ally=ally,
                status=rng.choice(("identifie", "contacte", "rencontre", "engage")),
                created_at=_at(created), updated_at=_at(last_touch),
            )
        ctx = {"group": group, "chosen": chosen, "themes": [c for c in chosen if c in DEMAND_IDEAS],
               "referents": referents, "last_touch": last_touch, "created": created}
        reached = self._campaign(ctx, state)
        self._records(ctx, reached, state)

    def _campaign(self, ctx, state):
        """Lay the step history backwards from today; returns the furthest step reached."""
        rng = self.rng
        final = state in ("victoire", "bilan", "abandonnee")
        if state in STEP_CODES:
            reached = state
        elif state == "en_pause":
            reached = rng.choice(STEP_CODES[:3])
        elif state == "abandonnee":
            reached = rng.choice(STEP_CODES[:3])
        else:
            reached = "mobilisation"
        idx = STEP_CODES.index(reached)
        skip_meeting = (ctx["group"].townhall_relation == "opposition" and idx >= 3
                        and rng.random() < 0.7)
        # Actual length of each step passed through (the current one: elapsed so far).
        lengths = []
        for step in STEP_CODES[: idx + 1]:
            default = self.durations[step]
            lengths.append(0 if step == "rendez_vous" and skip_meeting
                           else max(1, round(default * rng.uniform(0.6, 1.3))))
        if not final:
            default = self.durations[reached]
            overdue = rng.random() < 0.35
            lengths[-1] = (default + rng.randint(3, 40)) if overdue else rng.randint(1, default - 1)
        end = self.today - dt.timedelta(days=rng.randint(5, 40)) if final else ctx["last_touch"]
        if state == "en_pause":
            paused_on = self.today - dt.timedelta(days=rng.randint(5, 30))
            end = paused_on
        start = end - dt.timedelta(days=sum(lengths))
        campaign = Campaign.create(
            group=ctx["group"], state=state, started_on=start,
            paused_step=reached if state == "en_pause" else None,
            paused_on=end if state == "en_pause" else None,
            ended_on=end if final else None,
            created_at=_at(start), updated_at=_at(max(end, ctx["last_touch"])),
            version=1 + idx,
        )
        actor = ctx["referents"][0]
        day, previous = start, None
        Transition.create(campaign=campaign, event="demarrer", from_state=None,
                          to_state="etat_des_lieux", actor=self.coordinator, at=_at(start, 10),
                          comment="Lancement de la campagne")
        for i, (step, length) in enumerate(zip(STEP_CODES[: idx + 1], lengths, strict=True)):
            closes = i < idx or final
            closed_on = day + dt.timedelta(days=length) if closes else None
            CampaignStep.create(
                campaign=campaign, step=step, opened_on=day,
                due_on=day + dt.timedelta(days=self.durations[step]),
                closed_on=closed_on,
                skip_reason="opposition" if step == "rendez_vous" and skip_meeting else None,
            )
            if previous is not None:
                skipped = previous == "rendez_vous" and skip_meeting
                Transition.create(
                    campaign=campaign, event="sauter_rendez_vous" if skipped else "avancer",
                    from_state=previous, to_state=step, actor=actor, at=_at(day, 19),
                    comment="Mairie d'opposition : passage direct à l'action" if skipped else "",
                )
            previous = step
            if closes:
                day = closed_on
        if state in ("victoire", "bilan", "abandonnee", "en_pause"):
            Transition.create(
                campaign=campaign, event={"victoire": "gagner", "bilan": "clore",
                                          "abandonnee": "abandonner", "en_pause": "suspendre"}[state],
                from_state=reached, to_state=state, actor=actor, at=_at(end, 20),
                comment={"victoire": "Demande obtenue !", "bilan": "Bilan de fin de campagne",
                         "abandonnee": "Le groupe n'a plus assez de bénévoles",
                         "en_pause": "Pause pendant les vacances"}[state],
            )
        return idx

    def _records(self, ctx, reached, state):
        """Assessment, demands, meetings, actions, victories according to progress."""
        rng, group = self.rng, ctx["group"]
        stamp = {"created_at": _at(ctx["created"]), "updated_at": _at(ctx["last_touch"])}
        measures = sorted(
            {link.measure for code in ctx["chosen"] for link in self.themes[code].measure_links},
            key=lambda m: m.number,
        )
        by_number = {m.number: m for m in measures}
        for measure in measures if reached >= 1 or rng.random() < 0.5 else measures[:2]:
            AssessmentRating.create(
                group=group, measure=measure,
                rating=rng.choice(("rien", "insuffisant", "en_cours", "atteint")),
                ambition_level=rng.randint(1, measure.ambition_levels),
                note="", **stamp,
            )
        won = state == "victoire" or (state == "mobilisation" and rng.random() < 0.2)
        demands = []
        if reached >= 1 and ctx["themes"]:
            ideas = [i for code in ctx["themes"] for i in DEMAND_IDEAS[code]]
            for n, (title, number) in enumerate(
                rng.sample(ideas, min(len(ideas), rng.randint(1, 3)))
            ):
                status = "retenue" if reached >= 2 else "proposee"
                demand = Demand.create(
                    group=group, title=title,
                    horizon=rng.choice(("semaines", "mois", "plus_d_un_an")),
                    target_date=self.today + dt.timedelta(days=rng.randint(-30, 200)),
                    status="obtenue" if won and n == 0 else status, **stamp,
                )
                DemandMeasure.create(demand=demand, measure=by_number[number])
                demands.append(demand)
        if reached >= 2:
            self._meetings(ctx, reached, stamp)
        if reached >= 3:
            self._actions(ctx, demands, stamp)
        if won and demands:
            demand = demands[0]
            Victory.create(
                group=group, demand=demand, title=demand.title,
                obtained_on=ctx["last_touch"] - dt.timedelta(days=rng.randint(0, 10)),
                publicity=rng.choice(("Communiqué de presse et article dans le quotidien local",
                                      "Publication sur les réseaux sociaux du groupe",
                                      "Annonce lors du conseil municipal")),
                **stamp,
            )

    def _meetings(self, ctx, reached, stamp):
        rng, group = self.rng, ctx["group"]
        refused = group.townhall_relation == "opposition"
        count = rng.randint(1, 3)
        for n in range(count):
            last = n == count - 1
            if refused:
                status = "annule" if not last else rng.choice(("demande", "annule"))
            elif reached == 2 and last:
                status = rng.choice(("demande", "programme"))
            else:
                status = "tenu"
            offset = {"tenu": -rng.randint(10, 120), "programme": rng.randint(1, 14),
                      "demande": rng.randint(10, 40), "annule": -rng.randint(5, 90)}[status]
            date = self.today + dt.timedelta(days=offset)
            meeting = Meeting.create(
                group=group, with_whom=rng.choice(("maire", "maire", "adjoint", "services", "autre_elu")),
                contact_name=self.person(), status=status,
                requested_on=date - dt.timedelta(days=rng.randint(10, 30)),
                date=None if status == "demande" else date,
                outcome=rng.choice(MEETING_OUTCOMES) if status == "tenu" else "",
                follow_up_on=date + dt.timedelta(days=30) if status == "tenu" else None,
                **stamp,
            )
            if status == "tenu":
                ChangeLog.record(user=ctx["referents"][0], table_name="meeting", record_id=meeting.id,
                                 kind="update", field="status", old={"status": "programme"},
                                 new={"status": "tenu"},
                                 at=_at(date, 21))

    def _actions(self, ctx, demands, stamp):
        rng, group = self.rng, ctx["group"]
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice(self.kinds)
            date = self.today + dt.timedelta(days=rng.randint(-90, 30))
            past = date < self.today
            status = (rng.choice(("realisee", "debriefee")) if past
                      else rng.choice(("idee", "planifiee", "declaree")))
            expected = rng.randint(10, 80)
            action = Action.create(
                group=group, kind=kind, demand=rng.choice(demands) if demands else None,
                title=f"{kind.label} — {rng.choice(ACTION_SUBJECTS)}",
                date=date, place=rng.choice(PLACES), difficulty=kind.difficulty, energy=kind.energy,
                people_expected=expected,
                people_mobilised=max(0, expected + rng.randint(-10, 25)) if past else None,
                status=status, press_articles=rng.randint(0, 3) if past else 0, **stamp,
            )
            for t in self.templates:
                due = date + dt.timedelta(days=t.offset_days)
                done = due < self.today and rng.random() < 0.85
                ChecklistItem.create(
                    action=action, template=t, phase=t.phase, label=t.label, position=t.position,
                    due_on=due, done=done, done_at=_at(due, 12) if done else None, **stamp,
                )


def load_demo(today):
    """Create the demo network in one transaction (bulk load: no per-row history)."""
    with db.atomic(), history_disabled():
        DemoBuilder(today).build()
