"""Settings come from the environment and a bad value stops start-up with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from edupulse.utilities.env import SettingError, env_bool, env_cidrs, env_database_url, env_int


def test_bad_values_are_refused_not_coerced():
    with pytest.raises(SettingError, match="EDUPULSE_DEBUG='maybe'"):
        env_bool("EDUPULSE_DEBUG", False, environ={"EDUPULSE_DEBUG": "maybe"})
    with pytest.raises(SettingError, match="whole number >= 1"):
        env_int("X", 5, minimum=1, environ={"X": "0"})
    with pytest.raises(SettingError, match="CIDR"):
        env_cidrs("EDUPULSE_PROBE_ALLOW", environ={"EDUPULSE_PROBE_ALLOW": "127.0.0.1/99"})
    with pytest.raises(SettingError, match="sqlite"):
        env_database_url("DATABASE_URL", "sqlite:///x", environ={"DATABASE_URL": "mysql://x/y"})


def test_good_values_parse():
    assert env_bool("A", False, environ={"A": "yes"}) is True
    assert env_int("B", 1, environ={"B": " 42 "}) == 42
    assert [str(n) for n in env_cidrs("C", environ={"C": "10.0.0.0/8, ::1/128"})] == ["10.0.0.0/8", "::1/128"]
    assert env_database_url("D", "sqlite:///x", environ={"D": "postgresql://postgres@127.0.0.1:5432/test"})[
        "ENGINE"] == "django.db.backends.postgresql"


def test_the_command_stops_with_the_message():
    env = {**os.environ, "EDUPULSE_LOGIN_FAILURE_LIMIT": "five"}
    done = subprocess.run([sys.executable, "-m", "edupulse", "check"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0
    assert "EDUPULSE_LOGIN_FAILURE_LIMIT='five' is invalid: expected a whole number" in done.stderr
