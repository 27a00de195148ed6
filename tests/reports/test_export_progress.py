import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reports.progress import FIELDS


def export(*args) -> str:
    out = StringIO()
    call_command("export_progress", *args, stdout=out)
    return out.getvalue()


def by_key(records):
    return {(record["indicator"], record["scope"]): record for record in records}


def test_json_has_exactly_the_agreed_keys_with_numbers_as_numbers(progress_2022q4):
    records = json.loads(export("--period", "2022Q4"))
    assert len(records) == 18 * 22 + 3
    assert all(list(record) == FIELDS for record in records)
    agencies = by_key(records)["patent_agencies", "province"]
    assert agencies == {
        "plan": "2018",
        "indicator": "patent_agencies",
        "scope": "province",
        "period": "2022Q4",
        "actual": 420,
        "target": 400,
        "gap": -20,
        "percent_of_target": 105,
        "expected": None,
        "projection": None,
        "status": "achieved",
        "complete": True,
        "missing": [],
    }
    city = by_key(records)["patent_agencies", "440100"]
    assert (city["actual"], city["target"], city["status"]) == (20, None, "no_target")


def test_coverage_counts_cities_and_a_milestone_is_one_or_zero(progress_2022q4):
    records = by_key(json.loads(export("--period", "2022Q4")))
    coverage = records["ip_insurance_coverage", "province"]
    assert (coverage["actual"], coverage["gap"], coverage["status"]) == (14, 7, "off_track")
    assert records["patent_regulation_revised", "province"]["actual"] == 1
    assert records["ip_regulation_enacted", "province"]["actual"] is None
    missing = records["hitech_compliance_rate", "province"]
    assert (missing["complete"], len(missing["missing"])) == (False, 21)


def test_csv_has_one_row_per_result_and_the_same_columns(progress_2022q4):
    rows = list(csv.DictReader(StringIO(export("--period", "2022Q4", "--format", "csv"))))
    assert list(rows[0]) == FIELDS
    assert len(rows) == 18 * 22 + 3
    assert rows[0]["indicator"] == "patent_regulation_revised"


def test_a_bad_period_is_refused(progress_2022q4):
    with pytest.raises(CommandError, match="2022Q5"):
        export("--period", "2022Q5")
