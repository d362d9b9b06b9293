"""One Spark session for the base-data tests that run on Spark (the rule SQL, entity resolution): the JVM's
start is most of their time. Started as the app starts it (``linking_spark.session``: Splink's JAR registered)
in local mode on one core with a small driver, with the settings the transpiled rule SQL relies on."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from edupulse.conftest import require_service

TEST_CONF = {"spark.driver.memory": "512m", "spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "1",
             "spark.default.parallelism": "1"}


def _java() -> tuple[bool, str]:
    java = shutil.which("java")
    if java is None:
        return False, "no java on PATH; install a JDK 17"
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    return done.returncode == 0, done.stderr.splitlines()[0] if done.stderr else "java -version failed"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    reachable, detail = _java()
    require_service("Java for PySpark", reachable, detail)
    from edupulse.basedata.linking_spark import session
    from edupulse.basedata.spark import SESSION_CONF

    started = session(master="local[1]", conf={**TEST_CONF, **SESSION_CONF})
    yield started
    started.stop()
    # py4j logs "closing down" at INFO from __del__ at interpreter exit, into pytest's stream that is closed by
    # then (a noisy "I/O operation on closed file" after the summary): it has nothing more to say.
    logging.getLogger("py4j").setLevel(logging.WARNING)
