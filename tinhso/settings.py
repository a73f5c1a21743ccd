"""Settings for Tỉnh Số, read from the environment.

Production defaults are safe: DEBUG is off, SECRET_KEY must be set, cookies are secure.
`make demo` sets TINHSO_DEMO=1, which (and only which) enables the demo-only defaults
marked below.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from tinhso.files import storage_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TINHSO_VAR_DIR", BASE_DIR / "var"))
SHARED_DIR = Path(os.environ.get("TINHSO_SHARED_DIR", BASE_DIR.parent / "shared"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


TESTING = "pytest" in sys.modules or env_bool("TINHSO_TESTING")
# DEMO-ONLY: `make demo` and the test suite run with relaxed defaults (DEBUG server, known
# secret key, console email). Never set TINHSO_DEMO in production.
DEMO = env_bool("TINHSO_DEMO") or TESTING

DEBUG = env_bool("DEBUG", default=False)
_demo_secret = "demo-only-insecure-key-do-not-use-in-production"  # noqa: S105 (demo only)
SECRET_KEY = os.environ.get("SECRET_KEY") or (_demo_secret if DEMO else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set (or TINHSO_DEMO=1 for the demo).")
# Secrets published in this repository: production refuses to start with any of them.
DEMO_SECRETS = frozenset({_demo_secret, "demo-only-sandbox-secret"})
if not DEMO and SECRET_KEY in DEMO_SECRETS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY is the published demo key: set a secret one.")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEMO else ""
    ).split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "tinhso.audit",
    "tinhso.jobs",
    "tinhso.orgs",
    "tinhso.accounts",
    "tinhso.payments",
    "tinhso.signing",
    "tinhso.services",
    "tinhso.feedback",
    "tinhso.monitoring",
    "tinhso.data",
    "tinhso.portal",
    "tinhso.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tinhso.web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tinhso.web.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tinhso.audit.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tinhso.urls"
WSGI_APPLICATION = "tinhso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tinhso.web.context_processors.platform",
            ],
        },
    },
]

# Database: DATABASE_URL, default an SQLite file under var/.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tinhso.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file (not :memory:) so live-server browser tests share it; one per process so that
    # parallel runs do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-tinhso-{os.getpid()}.sqlite3")}
if os.environ.get("DATABASE_REPLICA_URL"):
    # A streaming replica of the primary (see docs/deploy.md); tests mirror it to default.
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["tinhso.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "tinhso.accounts.hashers.TinhSoArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

# Login throttling (django-axes): 5 failures lock the username+IP pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# How many reverse proxies in front of the app append to X-Forwarded-For (docs/deploy.md);
# tinhso.http.client_address reads the client address through them, for axes and everything.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "tinhso.http.client_address"

# Internationalisation: Vietnamese first, English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["tinhso.formats"]
LANGUAGE_COOKIE_NAME = "tinhso_language"
LANGUAGE_COOKIE_SECURE = not DEBUG and not DEMO
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    # the local filesystem (default) or an S3-compatible bucket: TINHSO_STORAGE=s3 (docs/deploy.md)
    "default": storage_config(os.environ, media_root=str(VAR_DIR / "media")),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files live outside the web root (var/media) and are served only through views
# that check permissions; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
TINHSO_MAX_UPLOAD_BYTES = int(os.environ.get("TINHSO_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
# Feedback and petitions: the receiving office's unit code (empty: the province itself) and
# the submissions allowed per client and hour (anonymous clients by address, users by account).
TINHSO_FEEDBACK_OFFICE = os.environ.get("TINHSO_FEEDBACK_OFFICE", "")
TINHSO_FEEDBACK_ANON_LIMIT = int(os.environ.get("TINHSO_FEEDBACK_ANON_LIMIT", "5"))
TINHSO_FEEDBACK_USER_LIMIT = int(os.environ.get("TINHSO_FEEDBACK_USER_LIMIT", "20"))
# The province's support hotline and its hours, shown on the help page and in the footer
# (empty: not shown). The demo's number is illustrative.
TINHSO_HOTLINE = os.environ.get("TINHSO_HOTLINE", "1900 0000" if DEMO else "")
TINHSO_HOTLINE_HOURS = os.environ.get("TINHSO_HOTLINE_HOURS", "")

# Security headers and cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
SECURE_HSTS_SECONDS = 0 if DEBUG or DEMO else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not (DEBUG or DEMO)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not (DEBUG or DEMO))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
if env_bool("BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)

# Email: console backend in the demo and tests; SMTP from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "tinhso.jobs.channels.SandboxEmailBackend"  # the demo's emails, shown to admins
    if DEMO
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Tỉnh Số <no-reply@tinhso.local>")

# Background tasks (tinhso/jobs): Django's Tasks API (django-tasks backport). The demo and
# production queue tasks in the database (django-tasks-db) for `manage.py run_worker`; tests
# run them at once, after commit (immediate backend) unless a test chooses the queue.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TINHSO_TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        )
    }
}
TINHSO_TASK_BACKOFF_SECONDS = float(os.environ.get("TINHSO_TASK_BACKOFF_SECONDS", "30"))
TINHSO_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("TINHSO_WORKER_HEARTBEAT_SECONDS", "10"))
# Absolute links in notifications (emails, SMS) and messages to other systems.
# Notification channels in use; "sms" goes to TINHSO_SMS_GATEWAY ("sandbox" or a URL).
TINHSO_NOTIFY_SENDERS = [
    c.strip() for c in os.environ.get("TINHSO_NOTIFY_SENDERS", "email,sms").split(",") if c.strip()
]
TINHSO_SMS_GATEWAY = os.environ.get("TINHSO_SMS_GATEWAY", "sandbox" if DEMO else "")
TINHSO_SMS_TOKEN = os.environ.get("TINHSO_SMS_TOKEN", "")
TINHSO_SMS_SENDER = os.environ.get("TINHSO_SMS_SENDER", "TINHSO")
# The national public-service portal (tinhso/portal): "sandbox" (in-platform, demo and
# tests), the real portal's URL, or empty (off).
TINHSO_PORTAL_URL = os.environ.get("TINHSO_PORTAL_URL", "sandbox" if DEMO else "")
TINHSO_PORTAL_USER = os.environ.get("TINHSO_PORTAL_USER", "")
TINHSO_PORTAL_PASSWORD = os.environ.get("TINHSO_PORTAL_PASSWORD", "")
TINHSO_PORTAL_TIMEOUT = float(os.environ.get("TINHSO_PORTAL_TIMEOUT", "10"))
TINHSO_PORTAL_PUSH_SECONDS = float(
    os.environ.get("TINHSO_PORTAL_PUSH_SECONDS", "10" if DEMO else "30")
)
TINHSO_PORTAL_MAX_ATTEMPTS = int(os.environ.get("TINHSO_PORTAL_MAX_ATTEMPTS", "20"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEMO else "").rstrip("/")

CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        # per process; LocMemCache keeps only 300 entries by default, too few for tracking
        # answers and dashboards: a few thousand small entries are a few MB per worker
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "5000"))},
        }
    )
}

# Payments (VNPay protocol). Demo values point at the platform's own sandbox gateway.
VNPAY_TMN_CODE = os.environ.get("VNPAY_TMN_CODE", "TINHSODEMO" if DEMO else "")
VNPAY_HASH_SECRET = os.environ.get("VNPAY_HASH_SECRET", "demo-only-sandbox-secret" if DEMO else "")
VNPAY_URL = os.environ.get("VNPAY_URL", "/payments/sandbox/pay" if DEMO else "")
if not DEMO and VNPAY_HASH_SECRET in DEMO_SECRETS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("VNPAY_HASH_SECRET is the published sandbox secret.")

# Shared data: the key that signs the inter-agency access log (HMAC). Separate from
# SECRET_KEY in production; in the demo it is derived from SECRET_KEY.
DATA_LOG_HMAC_KEY = os.environ.get("DATA_LOG_HMAC_KEY", "")

# Signing: where the demo CA and unit certificates are kept (never in the repository).
SIGNING_DIR = Path(os.environ.get("TINHSO_SIGNING_DIR", VAR_DIR / "pki"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# National single sign-on (OpenID Connect; docs/deploy.md "National identity"). Each provider
# comes from OIDC_<NAME>_DISCOVERY_URL / _CLIENT_ID / _CLIENT_SECRET (+ optional _SCOPE,
# _ACR_VALUES, _MIN_LEVEL, _CLAIMS as JSON {field: claim}, _LABEL). VNEID is the citizens'
# and businesses' provider; OFFICIALS the province's own directory (officials only link an
# existing account; their roles always come from memberships inside Tỉnh Số). In the demo the
# VNEID provider defaults to the in-platform sandbox (tinhso.accounts.sandbox).
OIDC_SANDBOX = DEMO and not TESTING and env_bool("TINHSO_OIDC_SANDBOX", default=True)
OIDC_PROVIDER_NAMES = [
    n.strip().lower()
    for n in os.environ.get("OIDC_PROVIDERS", "vneid,officials").split(",")
    if n.strip()
]
# A verified identity at this level (1 basic, 2 full; 0 off) is needed to submit dossiers.
IDENTITY_REQUIRED_LEVEL = int(os.environ.get("IDENTITY_REQUIRED_LEVEL", "0"))

# OAuth2 server (django-oauth-toolkit): client-credentials tokens of the LGSP sharing API and,
# DEMO ONLY, the sandbox identity provider (OpenID Connect) standing in for VNeID.
INSTALLED_APPS += ["oauth2_provider"]
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 (a model name)
OIDC_SANDBOX_SECRET = "demo-only-vneid-sandbox-secret"  # noqa: S105 (documented demo secret)


def _demo_oidc_key() -> str:
    """DEMO ONLY: the sandbox provider's RSA key, generated once under var/ (never committed)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    path = SIGNING_DIR / "oidc-sandbox-key.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        os.replace(tmp, path)
    return path.read_text()


OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "SCOPES": {"openid": "OpenID Connect", "profile": _("Thông tin định danh"), "lgsp": "LGSP"},
    "OIDC_ENABLED": DEMO,
    "OIDC_RSA_PRIVATE_KEY": _demo_oidc_key() if DEMO else "",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"] if DEMO else ["https"],
}
if not DEMO:
    # Production refuses the demo identity sandbox, its client secret and anything pointing
    # at it (docs/deploy.md "National identity").
    from django.core.exceptions import ImproperlyConfigured

    _oidc_env = {k: v for k, v in os.environ.items() if k.startswith("OIDC_")}
    if (
        env_bool("TINHSO_OIDC_SANDBOX")
        or any("/sandbox/" in v for k, v in _oidc_env.items() if k.endswith("_DISCOVERY_URL"))
        or OIDC_SANDBOX_SECRET in _oidc_env.values()
    ):
        raise ImproperlyConfigured(
            "The demo identity sandbox (its URL, client secret or TINHSO_OIDC_SANDBOX) "
            "cannot be used in production: configure the real provider (docs/deploy.md)."
        )
