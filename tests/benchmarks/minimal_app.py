"""The floor our stack allows: the groups list page's first 50 rows with nothing but Flask, peewee, Jinja.

Same rows (sorted by name), same columns (days late included, computed by a correlated
subquery with a good plan on both databases), the total for the pager, a connection per request
taken from a pool as the app's are on PostgreSQL; no login, no admin layout, no forms.
bench_pages.py compares the real groups list page with this one.
"""
import datetime as dt

from flask import Flask, render_template
from jinja2 import DictLoader
from peewee import SQL, Cast, CharField, DateField, DateTimeField, IntegerField, Model, NodeList, Value, fn

from models.database import database_from_url

RELATIONS = {"dialogue": "Dialogue", "neutre": "Neutre", "opposition": "Opposition"}
PAGE_SIZE = 50
TEMPLATE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Groupes</title></head><body>
<h1>Groupes ({{ total }})</h1>
<table>
<thead><tr><th>Nom</th><th>Commune</th><th>Département</th><th>Région</th><th>Retard</th>
<th>Relation avec la mairie</th><th>Personnes mobilisables</th><th>E-mail de contact</th>
<th>Téléphone de contact</th><th>Modifié le</th></tr></thead>
<tbody>
{% for g in groups %}<tr>
<td class="col-name"><a href="/groups/{{ g.id }}">{{ g.name }}</a></td><td>{{ g.commune }}</td>
<td>{{ g.departement_code }}</td><td>{{ g.region }}</td>
<td>{% if g.days_late %}<span class="badge">{{ g.days_late }} j de retard</span>{% endif %}</td>
<td>{{ relations.get(g.townhall_relation, "") }}</td><td>{{ g.mobilisable_count }}</td>
<td>{{ g.contact_email }}</td><td>{{ g.contact_phone }}</td>
<td>{{ g.updated_at.strftime("%d/%m/%Y %H:%M") }}</td>
</tr>
{% endfor %}</tbody>
</table>
</body></html>
"""


def _models(database):
    """The three tables the page reads, declared here (not imported from models/)."""

    class Base(Model):
        class Meta:
            database = None
            legacy_table_names = False

    class Group(Base):
        name = CharField()
        commune = CharField()
        departement_code = CharField()
        region = CharField()
        contact_email = CharField()
        contact_phone = CharField()
        mobilisable_count = IntegerField()
        townhall_relation = CharField()
        updated_at = DateTimeField()

    class Campaign(Base):
        group_id = IntegerField()
        state = CharField()
        ended_on = DateField(null=True)

    class CampaignStep(Base):
        campaign_id = IntegerField()
        due_on = DateField(null=True)
        closed_on = DateField(null=True)

    tables = (Group, Campaign, CampaignStep)
    database.bind(tables)
    return tables


def create_minimal_app(database_url, pool_size=4):
    """A Flask app serving the groups page at /groups/ from the database at `database_url`."""
    database = database_from_url(database_url, pool_size)
    Group, Campaign, CampaignStep = _models(database)
    sqlite = database_url.startswith("sqlite")

    def days_late(today):
        if sqlite:
            return Cast(fn.julianday(Value(today.isoformat())) - fn.julianday(CampaignStep.due_on), "INTEGER")
        return NodeList((Cast(Value(today.isoformat()), "date"), SQL("-"), CampaignStep.due_on))

    app = Flask(__name__)
    app.jinja_loader = DictLoader({"groups.html": TEMPLATE})

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not database.is_closed():
            database.close()

    @app.route("/groups/")
    def groups():
        today = dt.date.today()
        # "open steps of the group's running campaigns": both databases then look campaigns up by
        # group and steps by campaign (written as a join, SQLite scans every open step per row).
        running = Campaign.select(Campaign.id).where(
            Campaign.state != "en_pause", Campaign.ended_on.is_null(), Campaign.group_id == Group.id)
        late = (CampaignStep.select(fn.MAX(days_late(today)))
                .where(CampaignStep.closed_on.is_null(), CampaignStep.due_on < today,
                       CampaignStep.campaign_id.in_(running)))
        rows = (Group.select(Group, late.alias("days_late"))
                .order_by(Group.name, Group.id).limit(PAGE_SIZE))
        return render_template("groups.html", groups=list(rows), total=Group.select().count(),
                               relations=RELATIONS)

    return app
