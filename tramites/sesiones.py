"""Database sessions without the look-up before each new one.

Django's database store draws a session key and first asks the table whether it is taken (one SELECT),
then inserts it with must_create, which refuses a key that is taken anyway (CreateError, and create()
draws another). With 32 characters from 36 the look-up never finds anything; every citizen who files a
request starts a session, so it is skipped here and the insert's own check is the only one.
"""
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)
