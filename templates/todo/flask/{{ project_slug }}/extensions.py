"""The Flask extensions, created here and bound to the app in create_app().

Keeping them in their own module lets models and views import `db` without
importing the app (which imports them: a circular import).
"""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

db = SQLAlchemy()
migrate = Migrate()
csrf = CSRFProtect()


@event.listens_for(Engine, "connect")
def use_write_ahead_log(dbapi_connection, connection_record):
    # Write-ahead logging: readers never wait for the writer, so several
    # gunicorn workers can share one SQLite file.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
