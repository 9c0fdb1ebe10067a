"""Django settings for congso.

Two ways to run from one code base (docs/architecture.md):
- embedded default: SQLite, files under ``CONGSO_DATA_DIR``, tasks run in-process;
- scaled: ``CONGSO_DATABASE_URL=postgres://…``, ``CONGSO_BROKER_URL=redis://…``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import dj_database_url
import django
from celery.schedules import crontab

from congso.config.env import env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent  # src/congso
DATA_DIR = Path(env("DATA_DIR", str(Path.cwd() / "var")) or "var").resolve()


def _secret_key() -> str:
    configured = env("SECRET_KEY")
    if configured:
        return configured
    # The embedded default keeps a generated key beside its data, so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "congso.core.audit",
    "congso.core.org",
    "congso.core.accounts",
    "congso.core.calendar",
    "congso.core.localcache",
    "congso.modules.reporting",
    "congso.modules.documents",
    "congso.modules.services",
    "congso.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "congso.web.locale.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A DomainError escaping a web view becomes a friendly page with its status (the API has its own).
    "congso.web.errors.DomainErrorMiddleware",
]

# The benchmarks add a bare Django view to compare against (bench/run.py); never in production.
ROOT_URLCONF = "congso.config.urls_bench" if env_bool("BENCH_URLS", False) else "congso.config.urls"
WSGI_APPLICATION = "congso.config.wsgi.application"
ASGI_APPLICATION = "congso.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "congso.web.context.shell",
            ],
        },
    }
]

DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'congso.sqlite3'}") or ""
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL + a busy timeout let the dev server and a seed run side by side.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif env_bool("DATABASE_PREPARED", True):
    # PostgreSQL: parameters bound by the server and statements prepared from their second use per
    # connection. PostgreSQL then skips parsing and planning the statements every request repeats
    # (a one-stop filing: 2.2 → 1.5 ms of database CPU; decision 0018). Off (CONGSO_DATABASE_PREPARED=0)
    # behind a pooler in transaction mode that does not track prepared statements (PgBouncer < 1.21).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("FAST_PASSWORD_HASHER", False):
    # Tests and the Hà Nội-scale seed create tens of thousands of accounts; never in production.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from finders; the folder must exist
MEDIA_ROOT = DATA_DIR / "files"
WHITENOISE_USE_FINDERS = True

REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "congso"}
    )
}
# Parallel test processes share one Redis: keep their keys apart.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("PYTEST_XDIST_WORKER", "")

# Tasks: in-process by default; a broker URL turns on real Celery workers (`congso worker`).
CELERY_BROKER_URL = env("BROKER_URL") or ""
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a killed worker leaves its task on the queue
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Periodic work, run by `congso worker --beat` (or a separate `celery beat`).
CELERY_BEAT_SCHEDULE = {
    "reporting-deadline-reminders": {
        "task": "reporting.send_deadline_reminders",
        "schedule": 60 * 60 * 24,
        "options": {"expires": 60 * 60 * 12},
    },
    # Executive tasks and incoming documents: deadline reminders, escalation, overdue reminders.
    "documents-daily-reminders": {
        "task": "documents.daily_reminders",
        "schedule": crontab(hour=7, minute=0),  # in CELERY_TIMEZONE (Asia/Ho_Chi_Minh)
        "options": {"expires": 60 * 60 * 12},
    },
    # Dossiers past their due date without a result: the applicant is told, once.
    "services-daily-overdue": {
        "task": "services.notify_overdue",
        "schedule": crontab(hour=7, minute=15),
        "options": {"expires": 60 * 60 * 12},
    },
    # Dossier statistics of last month pushed to the reporting module as "DVC.*" indicators.
    "services-monthly-statistics": {
        "task": "services.publish_statistics",
        "schedule": crontab(day_of_month=1, hour=1, minute=30),
        "options": {"expires": 60 * 60 * 24},
    },
}

# Access: which roles must present a TOTP code besides the password.
TOTP_REQUIRED_ROLES = env_list("TOTP_REQUIRED_ROLES", ["admin", "leader"])
LOGIN_MAX_FAILURES = int(env("LOGIN_MAX_FAILURES", "5") or 5)
LOGIN_LOCKOUT_SECONDS = int(env("LOGIN_LOCKOUT_SECONDS", "900") or 900)
LOGIN_RATE_PER_MINUTE = int(env("LOGIN_RATE_PER_MINUTE", "20") or 20)

# Citizen e-ID (VNeID-style OpenID Connect). The fake provider serves /dev/eid/ for development.
EID_FAKE_PROVIDER = env_bool("EID_FAKE_PROVIDER", True)
EID_ISSUER = env("EID_ISSUER", "")
EID_CLIENT_ID = env("EID_CLIENT_ID", "congso")
EID_CLIENT_SECRET = env("EID_CLIENT_SECRET", "congso-dev-secret")

# The deployment's own province (Hà Nội) and the code suffix of its agencies.
CITY_PROVINCE_CODE = env("CITY_PROVINCE_CODE", "01") or "01"
CITY_AGENCY_SUFFIX = env("CITY_AGENCY_SUFFIX", "H26") or "H26"
# Which provinces the unit loader takes from the packages ("all" or comma-separated codes).
ORG_LOAD_PROVINCES = env("ORG_LOAD_PROVINCES", "all") or "all"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING") or "WARNING"},
}

# Mail leaves through an adapter: JSON lines in DATA_DIR/mail.jsonl by default (core/notify/mailsink.py),
# SMTP when configured (CONGSO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend), or Django's
# file backend for whole MIME messages under DATA_DIR/mail.
_MAIL_BACKEND = env("EMAIL_BACKEND", "congso.core.notify.mailsink.EmailBackend") or ""
_MAIL_OPTIONS: dict[str, object] = {}
if _MAIL_BACKEND.endswith("filebased.EmailBackend"):
    _MAIL_OPTIONS = {"file_path": str(DATA_DIR / "mail")}
elif not _MAIL_BACKEND.startswith("congso."):
    _MAIL_OPTIONS = {"host": env("EMAIL_HOST", "localhost")}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "congso <no-reply@congso.local>")
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": _MAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS}}
else:  # Django 5.2 LTS on Python 3.11
    EMAIL_BACKEND = _MAIL_BACKEND
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
    EMAIL_HOST = str(_MAIL_OPTIONS.get("host", "localhost"))

# Notifications (core/notify): SMS through an adapter — "file" (JSON lines in DATA_DIR/sms.jsonl),
# "console", "memory" (tests) or the dotted path of a class with ``send(phone, text)``.
SMS_BACKEND = env("SMS_BACKEND", "file") or "file"
SMS_UNACCENTED = env_bool("SMS_UNACCENTED", True)  # "Ho so" not "Hồ sơ": 160 characters a message, not 70
# Where citizens reach the platform: links in e-mails and text messages.
PUBLIC_URL = (env("PUBLIC_URL", "http://127.0.0.1:8000") or "").rstrip("/")
CELERY_IMPORTS = ["congso.core.notify.tasks"]

# Fees (modules/services/payments.py, ADR 0017): bank transfers to a VietQR code, confirmed by the
# gateway's signed callback. "fake" pays by calling our own webhook (development, demo, tests).
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", "fake") or "fake"
# Citizens' data the state already holds (modules/services/population.py): "fake" locally.
POPULATION_REGISTRY = env("POPULATION_REGISTRY", "fake") or "fake"
# The HMAC-SHA256 secret per provider; without one every callback is refused. The local fake
# gateway signs with a secret derived from SECRET_KEY, so the demo (`make run`) can take payments
# with nothing configured; a real provider's secret must be set.
PAYMENT_WEBHOOK_SECRETS = {
    PAYMENT_GATEWAY: env("PAYMENT_WEBHOOK_SECRET")
    or (
        hmac.new(SECRET_KEY.encode(), b"congso fake payment gateway", hashlib.sha256).hexdigest()
        if PAYMENT_GATEWAY == "fake"
        else ""
    ),
}
PAYMENT_WEBHOOK_URL = env("PAYMENT_WEBHOOK_URL", f"{PUBLIC_URL}/api/v1/services/payments/webhook") or ""
# The collection account the QR codes pay into (NAPAS BIN of the bank, account number, name).
# The defaults are demo figures: set them in production.
PAYMENT_BANK_BIN = env("PAYMENT_BANK_BIN", "970415") or ""
PAYMENT_ACCOUNT_NUMBER = env("PAYMENT_ACCOUNT_NUMBER", "0000000000") or ""
PAYMENT_ACCOUNT_NAME = env("PAYMENT_ACCOUNT_NAME", "") or ""
PAYMENT_TTL_HOURS = int(env("PAYMENT_TTL_HOURS", "24") or 24)
