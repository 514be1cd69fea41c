"""Validate JSONL event lines against a JSON Schema with Python's jsonschema (draft 2020-12).

usage: events_jsonschema.py SCHEMA.json EVENTS.jsonl

Checks the schema itself first (exit 1 if it is not a valid draft 2020-12 schema), then prints one
line per event line: "N ok" or "N invalid: <first error's JSON path>: <message>". Exit 0 when every
line was judged, whatever the verdicts: the Swift test asserts them.
"""
import json
import sys

import jsonschema


def main() -> int:
    schema_path, events_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    with open(events_path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            event = json.loads(line)
            errors = sorted(validator.iter_errors(event), key=lambda e: list(e.absolute_path))
            if errors:
                first = errors[0]
                where = "$" + "".join(f"[{p!r}]" for p in first.absolute_path)
                print(f"{number} invalid: {where}: {first.message}")
            else:
                print(f"{number} ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
