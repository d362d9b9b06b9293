"""A generated population with known duplicates, for the entity-resolution test and benchmark.

Each person appears once in the 学籍系统 and, for a share of them, again in the 资助系统 or another export with
the kind of damage records suffer between systems: a typo in the name (a neighbouring character), a pinyin
variant (a homophone written instead: 晓/小, 俊/峻), the birth date with day and month swapped, a digit of the
birth date mistyped. No ID number is given: the records are linked on name, birth date, gender and school,
which is the case entity resolution is for. ``entity`` is the ground truth, ``damage`` what the copy suffered.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

import pyarrow as pa

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "子涵梓轩浩宇欣怡一诺雨萱俊杰思远嘉博文佳琪明若汐航梦瑶天佑紫晨曦家豪雅琳伟芳娜敏静丽强磊洋艳勇军"
# Homophones that the two systems' typists pick between (same pinyin, different character).
HOMOPHONES = {"晓": "小", "小": "晓", "俊": "峻", "峻": "俊", "欣": "馨", "馨": "欣", "宇": "雨", "雨": "宇",
              "杰": "洁", "洁": "杰", "琳": "林", "林": "琳", "静": "靜", "涵": "寒", "轩": "萱", "萱": "轩"}
DAMAGE = ("typo", "homophone", "swapped_day_month", "date_digit", "none")
COLUMNS = ("unique_id", "entity", "damage", "source", "name", "gender", "birth_date", "school_code")


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN + "晓小俊峻欣馨") for _ in range(rng.choice((1, 2, 2, 2))))
    return rng.choice(SURNAMES) + given


def _damage(rng: random.Random, kind: str, name: str, born: datetime.date) -> tuple[str, str]:
    text = born.isoformat()
    if kind == "typo":
        position = rng.randrange(1, len(name))
        name = name[:position] + rng.choice(GIVEN.replace(name[position], "")) + name[position + 1:]
    elif kind == "homophone":
        spots = [i for i, c in enumerate(name) if i > 0 and c in HOMOPHONES]
        if spots:
            i = rng.choice(spots)
            name = name[:i] + HOMOPHONES[name[i]] + name[i + 1:]
        else:  # no character with a homophone: a typo instead
            return _damage(rng, "typo", name, born)
    elif kind == "swapped_day_month" and born.day <= 12 and born.day != born.month:
        text = datetime.date(born.year, born.day, born.month).isoformat()
    elif kind in ("swapped_day_month", "date_digit"):
        day = born.day % 9 + 1 if born.day != born.day % 9 + 1 else born.day % 9 + 2
        text = born.replace(day=day).isoformat()
    return name, text


def population(n_people: int, schools: Sequence[str], *, duplicate_share: float = 0.2, seed: int = 2026,
               start_id: int = 1) -> pa.Table:
    """``n_people`` persons (born 2008–2018) in ``schools``; ``duplicate_share`` of them appear twice."""
    rng = random.Random(seed)
    columns: dict[str, list[object]] = {name: [] for name in COLUMNS}
    uid = start_id
    for entity in range(n_people):
        name = _name(rng)
        born = datetime.date(rng.randint(2008, 2018), rng.randint(1, 12), rng.randint(1, 28))
        gender, school = rng.choice("12"), rng.choice(schools)
        copies = [("", "xueji", name, born.isoformat())]
        if rng.random() < duplicate_share:
            damage = rng.choice(DAMAGE)
            copies.append((damage, rng.choice(("zizhu", "other")), *_damage(rng, damage, name, born)))
        for damage, source, copy_name, copy_born in copies:
            values = (uid, entity, damage, source, copy_name, gender, copy_born, school)
            for column, value in zip(COLUMNS, values, strict=True):
                columns[column].append(value)
            uid += 1
    return pa.table({"unique_id": pa.array(columns["unique_id"], pa.int64()),
                     "entity": pa.array(columns["entity"], pa.int64()),
                     **{c: pa.array(columns[c], pa.string()) for c in COLUMNS[2:]}})


def true_pairs(table: pa.Table) -> dict[tuple[int, int], str]:
    """The duplicate pairs of a population (smaller id first) → the damage of the copy."""
    first: dict[int, int] = {}
    pairs: dict[tuple[int, int], str] = {}
    for uid, entity, damage in zip(table.column("unique_id").to_pylist(), table.column("entity").to_pylist(),
                                   table.column("damage").to_pylist(), strict=True):
        if entity in first:
            pairs[(first[entity], uid)] = damage
        else:
            first[entity] = uid
    return pairs
