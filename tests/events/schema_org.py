"""A JSON-LD check against the schema.org vocabulary, read from schema-dts's typings of it
(tests/vendor/schema-dts/schema.d.ts): every @type exists, every property belongs to its type (or
a type it inherits from), every value has one of the property's types, and enumeration values are
members of their enumeration.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

TYPINGS = Path(__file__).parents[1] / "vendor" / "schema-dts" / "schema.d.ts"
SCHEMA = "https://schema.org/"

_BASE = re.compile(r"^interface (\w+)Base extends ([^{]+)\{\n(.*?)^\}", re.M | re.S)
_PROPERTY = re.compile(r'^    "([\w@-]+)"\?: SchemaValue<(.+?), "\1">;', re.M)
_LEAF = re.compile(r'^export interface (\w+)Leaf extends (\w+)Base \{\n    "@type": "(\w+)";', re.M)
_UNION = re.compile(r"^export type (\w+) = (.+);$", re.M)


@dataclass(eq=False)  # hashed by identity, for the cache of closure
class Vocabulary:
    parents: dict[str, list[str]] = field(default_factory=dict)  # base name -> base names it extends
    properties: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # base -> property -> types
    type_base: dict[str, str] = field(default_factory=dict)  # @type -> its base
    unions: dict[str, list[str]] = field(default_factory=dict)  # type -> members (types, literals)

    def properties_of(self, type_name: str) -> dict[str, list[str]]:
        result, todo = {}, [self.type_base[type_name]]
        while todo:
            base = todo.pop()
            for name, types in self.properties.get(base, {}).items():
                result.setdefault(name, types)
            todo.extend(self.parents.get(base, []))
        return result

    @cache  # noqa: B019 (one vocabulary per test run)
    def closure(self, type_name: str) -> frozenset[str]:
        """A type with everything it stands for: its subtypes, literals and primitive members."""
        members, todo = set(), [type_name]
        while todo:
            name = todo.pop()
            if name in members:
                continue
            members.add(name)
            for member in self.unions.get(name, []):
                todo.append(member[:-4] if member.endswith("Leaf") else member)
        return frozenset(members)


@cache
def vocabulary() -> Vocabulary:
    text = TYPINGS.read_text(encoding="utf-8")
    vocab = Vocabulary()
    for base, extends, body in _BASE.findall(text):
        vocab.parents[base] = re.findall(r"(\w+)Base\b", extends)
        vocab.properties[base] = {name: [t.strip() for t in types.split("|") if t.strip() != "IdReference"]
                                  for name, types in _PROPERTY.findall(body)}
    for _leaf, base, type_name in _LEAF.findall(text):
        vocab.type_base[type_name] = base
    for name, members in _UNION.findall(text):
        vocab.unions[name] = [member.strip() for member in members.split(" | ")]
    return vocab


def problems(node, where: str = "$") -> list[str]:
    """Everything in ``node`` (a JSON-LD object) that the vocabulary does not allow."""
    vocab = vocabulary()
    found = []
    type_name = node.get("@type")
    if type_name not in vocab.type_base:
        return [f"{where}: no schema.org type {type_name!r}"]
    allowed = vocab.properties_of(type_name)
    for name, value in node.items():
        if name in ("@context", "@type", "@id"):
            continue
        if name not in allowed:
            found.append(f"{where}.{name}: not a property of {type_name}")
            continue
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            found += _value_problems(item, allowed[name], f"{where}.{name}[{index}]")
    return found


def _value_problems(value, types: list[str], where: str) -> list[str]:
    vocab = vocabulary()
    members = frozenset().union(*(vocab.closure(t) for t in types))
    if isinstance(value, dict):
        if value.get("@type") not in members:
            return [f"{where}: a {value.get('@type')} is none of {types}"]
        return problems(value, where)
    if isinstance(value, bool):
        return [] if "boolean" in members else [f"{where}: no boolean among {types}"]
    if isinstance(value, int | float):
        return [] if "number" in members else [f"{where}: no number among {types}"]
    if isinstance(value, str):
        literals = {member.strip('"') for member in members if member.startswith('"')}
        if "string" in members or value in literals:
            return []
        return [f"{where}: {value!r} is not one of {sorted(literals)[:6]}…"]
    return [f"{where}: unexpected {type(value).__name__}"]
