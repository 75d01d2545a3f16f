"""Login attempts shared by every worker (login throttling)."""
from peewee import BooleanField, CharField, DateTimeField, Model


def up(migrator, db):
    class LoginAttempt(Model):
        email = CharField(max_length=254)
        address = CharField(max_length=64)
        at = DateTimeField(index=True)
        succeeded = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "login_attempt"
            indexes = ((("email", "at"), False), (("address", "at"), False))

    db.create_tables([LoginAttempt])


def down(migrator, db):
    db.execute_sql('DROP TABLE "login_attempt"')
