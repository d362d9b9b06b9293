"""The checks of teacher (教职工) records beyond those every record gets (``rules.build_rules`` adds these).

Three rules, each a :class:`~edupulse.basedata.rules.Rule` over the ``prep`` relation like the others:

* ``age_range`` (a *warning*: ``rules.WARNING_RULES``): the age on the check date is below :data:`MIN_AGE` or
  above :data:`MAX_AGE`. A warning, not an error, because neither bound is a legal limit for the whole file: it lists all 教职工,
  工勤人员 included, who may lawfully be employed from 16 (劳动法 第十五条), and retired teachers are re-engaged
  (返聘, 银龄讲学) past the retirement age. Outside 18–65 the record is far more often a mistyped birth year (or a
  student's record in the teacher file) than a real person, so the school is asked — the row stays clean, like a
  student's ``age_grade``. A birth date that is no date, before 1900 or after today is a ``date_range`` error
  and is not reported again here.

* ``training_hours`` (``training_online_hours``, ``training_practice_hours``): a value must be a plain
  non-negative number — digits, optionally a decimal point and digits — of at most :data:`MAX_HOURS`. The
  indicator source (``indicator_sources._TEACHER_SQL``) sums ``try_cast(… AS DOUBLE)`` with blank or unreadable
  → 0: text (``五十``), a unit (``50学时``) or full-width digits would silently count 0 and ``-5`` subtract, lowering
  the county's ``training_hours_20``; what the rule accepts, that cast reads as written. Decimals are not
  limited: training platforms convert minutes into 学时 (12.67 is a correct value), so a limit would reject good
  values and catch no real mistake. The maximum is a plausibility bound, not a policy: 360 学时 is a teacher's whole
  five-year continuing-education requirement (每五年不少于 360 学时, 教师〔2011〕1号 as recalled: see
  ``data/SOURCE.md``), of which the 2.0 programme (50 学时) is a part; a larger figure in one column is almost
  always minutes entered as hours (50 学时 × 45 min = 2250) or an extra digit.

* ``training_completion`` (``training_completed``): a teacher marked as having completed the 信息技术应用能力提升
  工程2.0 training (``1``) whose hours fall short of its requirement: at least :data:`REQUIRED_HOURS` 学时 in all,
  at least :data:`REQUIRED_PRACTICE_HOURS` of them 实践应用 (校本应用考核) — half of the 50. Provinces and cities
  split the 50 differently (e.g. 25 online + 25 practice; Sichuan's plan 20 online + 30 practice), so only the
  common floor is checked, never a province's stricter split. Hours beyond 50 online do not count against
  a teacher (80 online + 25 practice is complete). The hours are read as the indicator source reads them (a
  blank column counts 0); the check is skipped when neither hours column has a value (a file that does not
  report hours) and when an hours value itself fails ``training_hours`` (its number is unknown).

  The converse — enough hours but not marked completed — is **not** an issue: the indicator
  ``teacher_20_completion_rate`` counts the teacher system's completion flag, which it sets once the 微能力点
  assessment is passed (``indicator_sources``); hours are necessary for that, not sufficient, so a teacher with 50
  hours awaiting the assessment is consistent. Rejecting such rows would also drop those teachers from the
  indicator's denominator and raise the county's completion rate.

No code table is added for 专业技术职务 (``title``) or 任教学科 (``subject``): GB/T 8561-2001 predates the 2015
reform of the primary and secondary teacher titles (正高级/高级/一级/二级/三级教师) and its official code list could
not be obtained; the teacher system's own lists neither (see ``data/SOURCE.md``).
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from edupulse.basedata.rules import EARLIEST_DATE, Rule
from edupulse.basedata.schemas import TEACHER

MIN_AGE = 18
MAX_AGE = 65
MAX_HOURS = 360
REQUIRED_HOURS = 50
REQUIRED_PRACTICE_HOURS = 25
HOURS_PATTERN = r"[0-9]+(\.[0-9]+)?"
HOURS_FIELDS = ("training_online_hours", "training_practice_hours")


def born_by(today: datetime.date, age: int) -> datetime.date:
    """The latest birth date of a person at least ``age`` years old on ``today`` (29 February → 28 February)."""
    year = today.year - age
    return today.replace(year=year) if (today.month, today.day) != (2, 29) else datetime.date(year, 2, 28)


def _is_hours_sql(column: str) -> str:
    """TRUE when ``column`` (not NULL) is written as a number of hours, of any size."""
    return f"regexp_full_match({column}, '{HOURS_PATTERN}')"


def _hours_sql(column: str) -> str:
    """The hours as the indicator source reads them: a number, or 0 when blank."""
    return f"coalesce(try_cast({column} AS DOUBLE), 0)"


def age_range_rule(today: datetime.date) -> Rule:
    """Younger than :data:`MIN_AGE` or older than :data:`MAX_AGE` on ``today``, as two ranges of birth dates
    (plain date comparisons: ``d_birth_date`` is a parse that each mention may evaluate again)."""
    young = f"d_birth_date BETWEEN DATE '{born_by(today, MIN_AGE) + datetime.timedelta(days=1)}' AND DATE '{today}'"
    old = f"d_birth_date BETWEEN DATE '{EARLIEST_DATE}' AND DATE '{born_by(today, MAX_AGE + 1)}'"
    return Rule("age_range", "birth_date", f"{young} OR {old}",
                _("Birth date {value} gives an age outside %(low)d–%(high)d years, unusual for serving staff: "
                  "please check the birth date.") % {"low": MIN_AGE, "high": MAX_AGE})


def training_hours_rules() -> list[Rule]:
    """Per hours field: not written as a number, or more than :data:`MAX_HOURS`."""
    rules = []
    for name in HOURS_FIELDS:
        column = f"v_{name}"
        rules += [
            Rule("training_hours", name, f"{column} IS NOT NULL AND NOT {_is_hours_sql(column)}",
                 _("%(label)s {value} is not a number of hours: write digits only (e.g. 25 or 12.5), without "
                   "a unit or a sign.") % {"label": TEACHER.field(name).label}),
            # A CASE, not an AND: the pattern is then matched only on the rare large numbers (in a projection
            # DuckDB evaluates both sides of an AND; a CASE's branch runs only on the rows its condition takes).
            Rule("training_hours", name,
                 f"CASE WHEN try_cast({column} AS DOUBLE) > {MAX_HOURS} THEN {_is_hours_sql(column)} ELSE FALSE END",
                 _("%(label)s {value} is more than %(max)d hours, implausible for the 2.0 training (minutes "
                   "entered as hours?).") % {"label": TEACHER.field(name).label, "max": MAX_HOURS}),
        ]
    return rules


def training_completion_rule() -> Rule:
    online, practice = (f"v_{name}" for name in HOURS_FIELDS)
    readable = " AND ".join(f"({c} IS NULL OR ({_is_hours_sql(c)} AND try_cast({c} AS DOUBLE) <= {MAX_HOURS}))"
                            for c in (online, practice))
    short = (f"{_hours_sql(online)} + {_hours_sql(practice)} < {REQUIRED_HOURS} "
             f"OR {_hours_sql(practice)} < {REQUIRED_PRACTICE_HOURS}")
    # The patterns only on the few completed rows short of hours (a CASE branch, see training_hours_rules).
    return Rule("training_completion", "training_completed",
                f"CASE WHEN v_training_completed = '1' AND ({online} IS NOT NULL OR {practice} IS NOT NULL) "
                f"AND ({short}) THEN {readable} ELSE FALSE END",
                _("Marked as having completed the 2.0 training, but the hours fall short of its requirement: at "
                  "least %(total)d hours in all, at least %(practice)d of them practice.")
                % {"total": REQUIRED_HOURS, "practice": REQUIRED_PRACTICE_HOURS})


def teacher_rules(today: datetime.date) -> list[Rule]:
    """The teacher-specific rules in report order."""
    return [age_range_rule(today), *training_hours_rules(), training_completion_rule()]
