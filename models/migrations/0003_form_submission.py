"""One-time tokens of the referents' create forms (double-submit protection)."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class FormSubmission(Model):
        token = CharField(unique=True, max_length=64)
        user = ForeignKeyField(User, null=True, on_delete="RESTRICT")
        table_name = CharField(max_length=60)
        record_id = IntegerField()
        at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "form_submission"

    db.create_tables([FormSubmission])


def down(migrator, db):
    db.execute_sql('DROP TABLE "form_submission"')
