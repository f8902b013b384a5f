"""The one place the environment is read: every setting that varies by deployment comes through here."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local `.env` is a convenience for developers; production passes real environment variables.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# Everything the embedded mode keeps (SQLite, broker queue, mail, keys) lives here.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
