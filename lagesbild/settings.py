"""Django settings for Lägesbild.

SQLite by default (zero set-up); PostgreSQL when DATABASE_URL is set.
Secrets and switches come from the environment, never from the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LAGESBILD_VAR_DIR", BASE_DIR / "var"))
# The SQLite file and collected static files live here; SQLite cannot create the folder.
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


DEBUG = _flag("LAGESBILD_DEBUG")
# Under the test runner the development key and plain-HTTP cookies are acceptable.
TESTING = _flag("LAGESBILD_TESTING") or "PYTEST_VERSION" in os.environ
# A development key is only acceptable with DEBUG on; production must set its own.
SECRET_KEY = os.environ.get("LAGESBILD_SECRET_KEY") or (
    "dev-only-insecure-key-change-me" if DEBUG or TESTING else ""
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set LAGESBILD_SECRET_KEY (or LAGESBILD_DEBUG=1 for development).")
# Outside development and tests the key must be strong (Django's own check: 50 characters, 5 distinct).
if not (DEBUG or TESTING) and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("LAGESBILD_SECRET_KEY is too weak: use at least 50 random characters.")

ALLOWED_HOSTS = [h for h in os.environ.get("LAGESBILD_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "lagesbild.org",
    "lagesbild.catalogue",
    "lagesbild.ingest",
    "lagesbild.surveys",
    "lagesbild.measurements",
    "lagesbild.improvement",
    "lagesbild.patients",
    "lagesbild.incidents",
    "lagesbild.api",
]

MIDDLEWARE = [
    # First: refuse an oversized upload or an over-long address before anything reads the request.
    "lagesbild.middleware.RequestBoundsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "lagesbild.middleware.HeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers a locked-out login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lagesbild.urls"
WSGI_APPLICATION = "lagesbild.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lagesbild" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lagesbild.org.context.scope",
                "lagesbild.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'lagesbild.sqlite3'}",
        conn_max_age=int(os.environ.get("LAGESBILD_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Session settings for the application's connections. The roll-ups are short index scans over
    # data that lives in memory: JIT-compiling them costs more than it saves (about 120 ms per
    # dashboard at 30 M observations), and the default random_page_cost = 4 (spinning disks) makes
    # the planner pick a parallel full scan for some regions (docs/benchmarks.md). Set
    # LAGESBILD_PG_OPTIONS to change them, or to an empty value to use the server's own settings
    # (needed behind a pooler that refuses startup options, e.g. PgBouncer in transaction mode).
    pg_options = os.environ.get("LAGESBILD_PG_OPTIONS", "-c jit=off -c random_page_cost=1.1").strip()
    if pg_options:
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", pg_options)
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so the command-line tests' subprocesses reach the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-lagesbild-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login rate limiting: five failures for the same user name from the same address lock that
# pair out for 15 minutes; a successful login resets the count. An address with twenty failures
# over all user names is locked out too (password spraying; lagesbild/org/throttle.py).
from datetime import timedelta  # noqa: E402

AXES_HANDLER = "lagesbild.org.throttle.AddressThrottlingHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LAGESBILD_LOGIN_FAILURES", "5"))
LAGESBILD_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LAGESBILD_LOGIN_ADDRESS_FAILURES", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

# Sessions and CSRF: HTTP-only, same-site, short-lived; secure cookies behind HTTPS.
HTTPS = _flag("LAGESBILD_HTTPS", default=not DEBUG and not TESTING)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The application serves every script, style sheet and image itself, so the policy is strict.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# Password reset mails a link: offered only when the server can send mail.
# The patient-record measures an import writes as observations (lagesbild/patients/measures.yaml
# unless a region gives its own file, e.g. with a fifth measure; every code must be in the catalogue).
LAGESBILD_PATIENT_MEASURES = os.environ.get("LAGESBILD_PATIENT_MEASURES", "")
# The control charts' icons on the dashboard (docs/spc.md); off only to measure what they cost.
LAGESBILD_DASHBOARD_SPC = _flag("LAGESBILD_DASHBOARD_SPC", default=True)

EMAIL_HOST = os.environ.get("LAGESBILD_EMAIL_HOST", "")
PASSWORD_RESET_ENABLED = bool(EMAIL_HOST)
if EMAIL_HOST:
    EMAIL_PORT = int(os.environ.get("LAGESBILD_EMAIL_PORT", "587"))
    EMAIL_USE_TLS = _flag("LAGESBILD_EMAIL_TLS", True)
    EMAIL_HOST_USER = os.environ.get("LAGESBILD_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("LAGESBILD_EMAIL_PASSWORD", "")
    DEFAULT_FROM_EMAIL = os.environ.get("LAGESBILD_EMAIL_FROM", "lagesbild@localhost")
if HTTPS:
    SECURE_SSL_REDIRECT = _flag("LAGESBILD_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "lagesbild" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Without collectstatic the finders serve the app's own files; no warning for the empty folder.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Uploads: imports are read in memory and stored as facts; cap what one request may carry.
DATA_UPLOAD_MAX_MEMORY_SIZE = 200 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 200 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "lagesbild.org.api_support.BoundedLimitOffsetPagination",
    "DEFAULT_PARSER_CLASSES": [
        "lagesbild.api.parsers.JSONParser", "lagesbild.api.parsers.FormParser", "lagesbild.api.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lägesbild API",
    "DESCRIPTION": (
        "Lägesbildens API för patientsäkerhetsindikatorer: måttkatalogen, organisationen, mätvärden, "
        "mål och sammanräknade värden, förbättringsarbetet och enkäternas utvecklingsindikatorer. "
        "Logga in i webbläsaren (sessionen gäller här) eller skicka en token i rubriken "
        "`Authorization: Token …`. Listor bläddras med `limit` och `offset`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",  # tags by resource ("surveys"), named in Swedish by the hook
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "lagesbild.api.schema.document_errors",
                             "lagesbild.api.schema.swedish_tags"],
    # Swagger UI and Redoc are served by the app (drf-spectacular-sidecar), under the strict CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Without deep links: Swagger UI then puts each operation's path inside its expand button as a
    # link (a link inside a button: axe's serious "nested-interactive").
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
}

# Logs carry no personal data: only ids, counts and hashes are ever logged. The request loggers
# write one line per request, without query strings, with identity numbers masked and without a
# traceback for a refused page (lagesbild/logfilters.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"requests": {"()": "lagesbild.logfilters.RequestLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LAGESBILD_LOG_LEVEL", "WARNING")},
    "loggers": {
        # Django's own console handler (debug only) would print every line a second time.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": ["requests"], "level": "WARNING", "propagate": True},
        "django.server": {"filters": ["requests"], "level": "INFO", "propagate": True},
        "lagesbild": {"level": os.environ.get("LAGESBILD_LOG_LEVEL", "INFO"), "propagate": True},
        # django-axes would log user names and addresses of failed logins at INFO.
        "axes": {"level": "WARNING", "propagate": True},
    },
}
