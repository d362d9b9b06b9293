"""Entity resolution on Spark (``edupulse basedata dedupe --engine spark``): the session and Splink's SparkAPI.

Only the database changes: ``linking.py`` keeps the model (comparisons, blocking, weights), the preparation,
the thresholds and the clusters. Splink's Spark backend needs its similarity functions (``jaro_winkler`` …),
Scala UDFs in a JAR shipped inside the splink package, on the session's ``spark.jars`` before the session starts.

The session is the one already active in this process (a notebook, ``spark-submit``, a test), else a new one
on the master configured the Spark way (``spark-submit --master``, ``spark.master`` in ``spark-defaults.conf``
of ``SPARK_CONF_DIR``), which is local mode on every core of this machine when none is. PySpark (the ``spark``
extra) and Java 17 are only needed here; nothing else of the app imports PySpark.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)


class SparkUnavailableError(RuntimeError):
    """PySpark is not installed, or Spark cannot start (no Java)."""


def session(*, master: str | None = None, conf: Mapping[str, str] | None = None) -> Any:
    """The active SparkSession, else a new one with Splink's JAR as ``spark.jars``, on ``master`` or the
    configured one (``local[*]`` when none is), with ``conf`` (e.g. ``spark.driver.memory``, which only counts
    before this process's JVM starts)."""
    try:
        # optional: PySpark and Splink's Spark backend come with the `spark` extra, only for --engine spark.
        from pyspark.errors import PySparkRuntimeError
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as missing:
        raise SparkUnavailableError(f"PySpark is not installed ({missing})") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    # A command's output is its report: no progress bars on the terminal.
    builder = (SparkSession.builder.appName("edupulse-basedata-dedupe").config("spark.jars", similarity_jar_location())
               .config("spark.ui.showConsoleProgress", "false"))
    if master is not None:
        builder = builder.master(master)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        started = builder.getOrCreate()
    except PySparkRuntimeError as failed:  # JAVA_GATEWAY_EXITED: no java, or a JVM that would not start
        logger.warning("Spark did not start: %s", failed)
        raise SparkUnavailableError(str(failed)) from None
    started.sparkContext.setLogLevel("ERROR")  # Spark's WARN lines (native libraries, broadcast sizes) are no news
    return started


def database(spark: Any) -> Any:
    """Splink's SparkAPI over ``spark``. Splink breaks the lineage of its intermediate tables by writing them
    as Parquet into the checkpoint directory (right for a cluster); a session without one (local mode) keeps
    them in memory instead."""
    from splink.backends.spark import SparkAPI  # optional: the `spark` extra

    checkpointed = spark.sparkContext.getCheckpointDir() is not None
    return SparkAPI(spark_session=spark, break_lineage_method=None if checkpointed else "persist")


def frame(spark: Any, table: Any) -> Any:
    """An Arrow table as a Spark frame of checkpointed blocks (in the executors' storage, evictable to disk).
    Registered as it is, it would be a local relation inside the query plan, which Spark's optimiser copies into
    every query that reads it: 1 GB of driver heap after one run of 120,000 records."""
    data = table if int(spark.version.split(".")[0]) >= 4 else table.to_pandas()  # Spark 3 reads no Arrow table
    return spark.createDataFrame(data).localCheckpoint()


def release(spark: Any) -> None:
    """Free what a run left in the session once its pairs are fetched: Splink's temp views (``__splink__…``,
    the input among them, whose checkpointed blocks Spark's cleaner then drops) and the frames Splink persisted.
    They would pile up in a session that serves many runs (a notebook, a cluster's, a test's). Splink keeps no
    handle on every frame it persists (the blocked pairs are persisted, then repartitioned), so the session's
    whole cache is cleared — a notebook's own cached frames included."""
    for table in spark.catalog.listTables():
        if table.isTemporary and table.name.startswith("__splink__"):
            spark.catalog.dropTempView(table.name)
    spark.catalog.clearCache()
