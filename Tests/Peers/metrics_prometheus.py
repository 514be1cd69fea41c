"""Scrape an HTTP endpoint as Prometheus would and parse it with prometheus_client's own parser.

usage: metrics_prometheus.py URL          parse the text format (text_string_to_metric_families)
       metrics_prometheus.py --body URL   just fetch: the status and the body

Prints one JSON object: {"status": HTTP status, "content_type": ..., and either "families":
{family name: {"type": ..., "samples": [[sample name, {labels}, value], ...]}} or "body": text}.
A 4xx/5xx answer is printed too (exit 0); exit 1 when nothing answers or the text does not parse.
"""
import json
import sys
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type"), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read().decode("utf-8")


def main() -> int:
    body_only = sys.argv[1] == "--body"
    status, content_type, text = fetch(sys.argv[-1])
    out = {"status": status, "content_type": content_type}
    if body_only:
        out["body"] = text
    else:
        families = {}
        for family in text_string_to_metric_families(text):
            families[family.name] = {
                "type": family.type,
                "samples": [[s.name, s.labels, s.value] for s in family.samples],
            }
        out["families"] = families
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
