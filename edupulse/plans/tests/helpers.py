from __future__ import annotations

from pathlib import Path

from edupulse.plans.parsing import Plan, parse_text

DATA = Path(__file__).resolve().parent / "data"


def seed_text(number: int) -> str:
    return (DATA / f"seed_{number:03d}.txt").read_text(encoding="utf-8")


def seed(number: int) -> Plan:
    return parse_text(seed_text(number))
