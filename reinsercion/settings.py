"""Settings of the Ventanilla de reinserción laboral, all read from environment variables.

Every variable is listed in README.md. The defaults give the embedded demo (SQLite, Celery eager,
e-mail to the console, files on the local disk); DJANGO_ENV=production turns on the hardened
settings that `manage.py check --deploy` expects.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

ENVIRONMENT = env.str("DJANGO_ENV", default="development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)

if PRODUCTION or not DEBUG:
    SECRET_KEY = env.str("SECRET_KEY")  # no default outside DEBUG: refuse to start without one
else:
    SECRET_KEY = env.str("SECRET_KEY", default="solo-para-desarrollo-" + "x" * 50)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address used in e-mails and in the QR code of authorization documents.
# How many reverse proxies in front of the app append to X-Forwarded-For (0: none, use the socket).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Default: the address `make run` serves (it passes its PORT), so e-mails, receipts and QR codes of a
# demo on another port point to that demo.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}").rstrip("/")

STORAGE_DIR = Path(env.str("STORAGE_DIR", default=str(BASE_DIR / "var")))
PRIVATE_MEDIA_ROOT = STORAGE_DIR / "privado"
STORAGE_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    # django.contrib.admin, with django-otp's admin site behind the staff login (tramites.acceso).
    "tramites.apps.AdministracionConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "tramites",
]

MIDDLEWARE = [
    "tramites.middleware.ProxyIPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tramites.middleware.IdiomaMiddleware",  # Spanish unless English was chosen (not Accept-Language)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After authentication (staff limits only for signed-in staff), before anything reads the body.
    "tramites.uploads.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "tramites.middleware.SecurityHeadersMiddleware",
    "tramites.auditoria.AuditFlushMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "reinsercion.urls"
WSGI_APPLICATION = "reinsercion.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tramites.context_processors.sitio",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{STORAGE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write transactions take the lock when they begin (BEGIN IMMEDIATE) and wait up to `timeout`
    # seconds for it, so concurrent staff actions queue instead of failing with "database is locked"
    # (a deferred transaction that reads, then writes, cannot wait: SQLite refuses the upgrade at once).
    # WAL lets pages keep reading while one transaction writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=env.int("SQLITE_TIMEOUT", default=20),
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "tramites.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast while Redis is down: the page is served without the cache.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "personal:login"
LOGIN_REDIRECT_URL = "personal:bandeja"
SESSION_ENGINE = "tramites.sesiones"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "personal/bloqueado.html"
AXES_RESET_ON_SUCCESS = True
# Staff must confirm a TOTP code after the password; off in the embedded demo.
REQUIRE_TOTP = env.bool("REQUIRE_TOTP", default=PRODUCTION)
OTP_TOTP_ISSUER = "IESS Reinserción laboral"
# The single-use links an administrator e-mails to staff (second-factor enrolment, password reset)
# expire after this many hours.
PASSWORD_RESET_TIMEOUT = env.int("ENLACE_ACCESO_HORAS", default=24) * 3600

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Guayaquil"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = STORAGE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Outside production, static files are served straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {
        # FileSystemStorage that removes a partial file when a write fails (a full disk).
        "BACKEND": "tramites.services.AlmacenPrivado",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
if env.str("S3_BUCKET", default=""):
    # Private bucket on any S3-compatible store; files are served only through permission-checked views.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "access_key": env.str("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=None),
            "region_name": env.str("S3_REGION", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# E-mail: console by default; EMAIL_URL=smtp+tls://user:password@host:587 for SMTP.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Reinserción laboral IESS <no-responder@iess.gob.ec>")

# Celery: without a broker every task runs in-process (eager), as the embedded default.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Celery's Django fix-up closes the database connection after every task unless this is set; with it,
# connections are kept as in the web processes (CONN_MAX_AGE) and closed by reinsercion.celery's
# handler when they had an error or are too old. Celery still closes them every this many tasks.
CELERY_DB_REUSE_MAX = 1000
# max_retries=0: a publish tries the connection once (kombu would otherwise keep retrying for the whole
# connect timeout, ~2 s per task); the worker's own consuming connection keeps its retry loop.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 300,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 0,
}
# Publishing must fail fast when the broker is down: the case is already saved and the
# periodic re-queue task will route it later.
CELERY_TASK_PUBLISH_RETRY = False
# Task modules outside tasks.py (autodiscovery only finds tasks.py).
CELERY_BEAT_SCHEDULE = {
    "reencolar-ingresados": {
        "task": "tramites.tasks.reencolar_ingresados",
        "schedule": float(env.int("REENCOLAR_CADA_SEGUNDOS", default=30)),
    },
    "purgar-adjuntos-retenidos": {"task": "tramites.tasks.purgar_adjuntos_retenidos", "schedule": 3600.0},
    "purgar-archivos-huerfanos": {"task": "tramites.tasks.purgar_archivos_huerfanos", "schedule": 3600.0},
    "vencer-observaciones": {"task": "tramites.tasks.vencer_observaciones", "schedule": 3600.0},
    "reintentar-notificaciones": {"task": "tramites.tasks.reintentar_notificaciones", "schedule": 300.0},
    "alertar-plazos": {"task": "tramites.tasks.alertar_plazos", "schedule": 24 * 3600.0},
    "purgar-datos-vencidos": {"task": "tramites.retencion.purgar_datos_vencidos", "schedule": 24 * 3600.0},
}

# The procedure's time limits (Código Orgánico Administrativo), in Ecuadorian business days.
PLAZO_RESPUESTA_DIAS = env.int("PLAZO_RESPUESTA_DIAS", default=30)
PLAZO_SUBSANACION_DIAS = env.int("PLAZO_SUBSANACION_DIAS", default=10)
PLAZO_RIESGO_DIAS = env.int("PLAZO_RIESGO_DIAS", default=5)
# Business days to answer a complaint (badges on the staff list and page).
PLAZO_QUEJA_DIAS = env.int("PLAZO_QUEJA_DIAS", default=15)
# Cases still INGRESADO after this many minutes are queued for routing again.
REENCOLAR_MINUTOS = env.int("REENCOLAR_MINUTOS", default=1)
HELD_FILES_HOURS = env.int("HELD_FILES_HOURS", default=24)
# Files in private storage that no row names (a worker killed mid-request) are deleted after this.
ARCHIVOS_HUERFANOS_HORAS = env.int("ARCHIVOS_HUERFANOS_HORAS", default=1)
# Retention in years after a case's final state (docs/adr/0002-retencion-de-datos.md; the institution
# must confirm them). The purge is tramites.datos_personales.retencion (task tramites.retencion.purgar_datos_vencidos), run daily by beat and by `manage.py purgar_datos`.
RETENCION_ADJUNTOS_ANIOS = env.int("RETENCION_ADJUNTOS_ANIOS", default=5)
RETENCION_DATOS_MEDICOS_ANIOS = env.int("RETENCION_DATOS_MEDICOS_ANIOS", default=5)
RETENCION_ANONIMIZAR_ANIOS = env.int("RETENCION_ANONIMIZAR_ANIOS", default=10)
RETENCION_QUEJAS_ANIOS = env.int("RETENCION_QUEJAS_ANIOS", default=5)

# Attachments (one validator chain for every upload point).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=1_048_576)
STAFF_UPLOAD_MAX_BYTES = env.int("STAFF_UPLOAD_MAX_BYTES", default=10 * 1_048_576)
# A PDF uploaded on /verificar/ to check it (below REQUEST_MAX_BYTES, which caps public requests).
VERIFICAR_MAX_BYTES = env.int("VERIFICAR_MAX_BYTES", default=3 * 1_048_576)
# A whole request is refused before it is read when it declares more than this. Below it, a file over
# its own limit is dropped while it streams in and the form comes back with the typed data and a
# message for that file (five phone photos of a letter and one of the ID card fit).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=32 * 1_048_576)
STAFF_REQUEST_MAX_BYTES = env.int("STAFF_REQUEST_MAX_BYTES", default=25 * 1_048_576)
DATA_UPLOAD_MAX_MEMORY_SIZE = 262_144
FILE_UPLOAD_MAX_MEMORY_SIZE = 1_200_000
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
FILE_UPLOAD_PERMISSIONS = 0o600
# Uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE stream to a temporary file here (not /tmp), so the
# periodic clean-up finds those left behind by a worker killed mid-upload (same volume: then moved).
FILE_UPLOAD_TEMP_DIR = STORAGE_DIR / "subidas"
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
FILE_UPLOAD_HANDLERS = [
    "tramites.uploads.LimitedMemoryFileUploadHandler",
    "tramites.uploads.LimitedTemporaryFileUploadHandler",
]
JPEG_MAX_PIXELS = env.int("JPEG_MAX_PIXELS", default=40_000_000)
# Legibility of photos (ADR 0007): under MIN refused, under WARN shown back for the citizen to confirm.
JPEG_MIN_SIDE = env.int("JPEG_MIN_SIDE", default=200)
JPEG_WARN_SIDE = env.int("JPEG_WARN_SIDE", default=300)
JPEG_MIN_SHARPNESS = env.float("JPEG_MIN_SHARPNESS", default=0.15)
JPEG_WARN_SHARPNESS = env.float("JPEG_WARN_SHARPNESS", default=0.30)
JPEG_MIN_BRIGHTNESS = env.float("JPEG_MIN_BRIGHTNESS", default=35.0)
JPEG_WARN_BRIGHTNESS = env.float("JPEG_WARN_BRIGHTNESS", default=70.0)
PDF_MAX_PAGES = env.int("PDF_MAX_PAGES", default=10)
# Most bytes pypdf may inflate from one stream while checking an attachment (PDF "flate bombs").
PDF_MAX_DECOMPRESSED_BYTES = env.int("PDF_MAX_DECOMPRESSED_BYTES", default=16 * 1_048_576)

# Field encryption of medical data (Fernet keys, comma separated; the first encrypts, all decrypt).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# PAdES signing certificate (PKCS#12). Without one, a self-signed demo certificate is created.
SIGNING_P12_PATH = env.str("SIGNING_P12_PATH", default="")
SIGNING_P12_PASSWORD = env.str("SIGNING_P12_PASSWORD", default="")
SIGNING_TRUST_ROOTS = env.list("SIGNING_TRUST_ROOTS", default=[])

# Rate limits (django-ratelimit syntax).
RATELIMIT_CONSULTA = env.str("RATELIMIT_CONSULTA", default="10/10m")
RATELIMIT_VERIFICAR = env.str("RATELIMIT_VERIFICAR", default="30/10m")
RATELIMIT_QUEJAS = env.str("RATELIMIT_QUEJAS", default="5/h")
RATELIMIT_SOLICITUD = env.str("RATELIMIT_SOLICITUD", default="30/h")
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# While the cache (Redis) is unreachable, requests are let through rather than refused.
RATELIMIT_FAIL_OPEN = True
RATELIMIT_VIEW = "tramites.views.limite_excedido"
# Only for bench/solicitudes.py: exposes /__bench__/almacenar/, a baseline that only stores two files.
BENCHMARK_VIEWS = env.bool("BENCHMARK_VIEWS", default=False)

# Contact data of the seed sheet.
CONTACTO_CORREO = env.str("CONTACTO_CORREO", default="atencionalusuario@iess.gob.ec")
CONTACTO_TELEFONO = env.str("CONTACTO_TELEFONO", default="593-23945666")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security headers. The CSP forbids inline scripts and styles everywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "SAMEORIGIN"
CSRF_FAILURE_VIEW = "tramites.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Every cookie the site sets (session, CSRF, language) is SameSite=Lax, and Secure in production.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# Only for django-otp's admin: a TOTP secret is never shown again once the device exists.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # Any http:// sub-resource left in a page is fetched over HTTPS (OWASP secure headers).
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True
    X_FRAME_OPTIONS = "DENY"
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-ancestors"] = ["'none'"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # An untrusted or altered signature on an uploaded PDF is an outcome recorded on the attachment,
        # not a fault: pyHanko would log each one as a warning with a traceback.
        "pyhanko.sign.validation": {"level": "ERROR"},
    },
}

# Due process and data-subject rights (issue 13).
# Business days before the 30-day term at which a case is escalated to the office's director and the
# national supervisor (again when the term passes: COA art. 207, positive silence).
PLAZO_ESCALAR_DIAS = env.int("PLAZO_ESCALAR_DIAS", default=5)
# Term to answer a rectification, deletion or opposition request (LOPDP), in calendar days.
PLAZO_DERECHOS_TITULAR_DIAS = env.int("PLAZO_DERECHOS_TITULAR_DIAS", default=15)
# The data-protection contact shown on /privacidad/ and in the answers to data-subject requests.
PROTECCION_DATOS_CONTACTO = env.str("PROTECCION_DATOS_CONTACTO", default="") or CONTACTO_CORREO
# LOOETA art. 23 bars asking cédula holders for a copy of it; whether the scan is still required is the
# institution's decision. Default: required (today's behaviour); false makes it optional for cédulas.
EXIGIR_COPIA_CEDULA = env.bool("EXIGIR_COPIA_CEDULA", default=True)
CELERY_BEAT_SCHEDULE["escalar-terminos"] = {"task": "tramites.tasks.escalar_terminos", "schedule": 3600.0}
CELERY_BEAT_SCHEDULE["alertar-derechos-titular"] = {
    "task": "tramites.tasks.alertar_derechos_titular",
    "schedule": 3600.0,
}
