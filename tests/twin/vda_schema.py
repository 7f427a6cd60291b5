"""Check the VDA 5050 messages a twin recorded against the published v2 JSON schemas.

usage: python3 vda_schema.py DB

Reads the `events` table of a twin's --db recording (each accepted message: topic, payload) and
checks every payload on a `.../state` or `.../connection` topic against tests/twin/vda5050's
state.schema or connection.schema (JSON Schema 2020-12). A batch row (a JSON array) is checked
item by item. Prints "N state, M connection valid" and exits 0, or prints each invalid message
with the schema's reasons and exits 1. Before that it checks that the schema is not vacuous: the
first state message with its batteryCharge made a string must be refused (exit 1 if not).
Exits 3 when the Python package jsonschema is not installed (the caller says the check did not
run).
"""
import copy
import json
import os
import sqlite3
import sys

try:
    import jsonschema
except ImportError:
    sys.exit(3)

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vda5050")


def validator(name):
    with open(os.path.join(HERE, name + ".schema")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def main():
    check = {"state": validator("state"), "connection": validator("connection")}
    rows = sqlite3.connect(sys.argv[1]).execute("SELECT topic, payload FROM events ORDER BY seq")
    count = {"state": 0, "connection": 0}
    bad = 0
    first_state = None
    for topic, payload in rows:
        kind = topic.rsplit("/", 1)[-1]
        if kind not in check:
            continue
        if isinstance(payload, bytes):
            payload = payload.decode()
        msg = json.loads(payload)
        for item in msg if isinstance(msg, list) else [msg]:
            errors = sorted(e.message for e in check[kind].iter_errors(item))
            count[kind] += 1
            if kind == "state" and first_state is None:
                first_state = item
            if errors:
                bad += 1
                print("invalid %s on '%s': %s: %s" % (kind, topic, "; ".join(errors), payload))
    if first_state is not None:
        spoilt = copy.deepcopy(first_state)
        spoilt["batteryState"]["batteryCharge"] = str(spoilt["batteryState"]["batteryCharge"])
        if not list(check["state"].iter_errors(spoilt)):
            print("the state schema accepts a batteryCharge that is a string")
            return 1
    print("%d state, %d connection valid" % (count["state"], count["connection"]))
    return 1 if bad else 0


sys.exit(main())
