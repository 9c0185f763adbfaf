"""The command line, run as a user would: exit codes, JSON, and nothing written on bad input."""
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def cli(*args):
    return subprocess.run([sys.executable, "-m", "lib", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture
def demo_db(tmp_path):
    path = tmp_path / "demo.duckdb"
    assert cli("demo", "--db", str(path), "--today", "2026-11-20").returncode == 0
    return path


def test_init_and_students(tmp_path):
    path = str(tmp_path / "real.duckdb")
    assert cli("init", "--db", path).returncode == 0
    added = cli("students", "--db", path, "--add", "Ada Lovelace", "--json")
    assert added.returncode == 0
    listed = json.loads(cli("students", "--db", path, "--json").stdout)
    assert [s["name"] for s in listed] == ["Ada Lovelace"]
    assert listed[0]["id"] == json.loads(added.stdout)["id"]


def test_stats_for_the_cohort_and_one_student(demo_db):
    cohort = json.loads(cli("stats", "--db", str(demo_db), "--today", "2026-11-20", "--json").stdout)
    assert cohort["as_of"] == "2026-11-20"
    assert set(cohort) >= {"contacts", "requests", "conversations", "thank_yous", "follow_ups_due"}
    students = json.loads(cli("students", "--db", str(demo_db), "--json").stdout)
    per_student = [json.loads(cli("stats", "--db", str(demo_db), "--student", s["name"], "--today",
                                  "2026-11-20", "--json").stdout) for s in students[:3]]
    by_id = json.loads(cli("stats", "--db", str(demo_db), "--student", students[0]["id"], "--today",
                           "2026-11-20", "--json").stdout)
    assert by_id["contacts"] == per_student[0]["contacts"]
    assert all(p["contacts"]["warm"] <= cohort["contacts"]["warm"] for p in per_student)


@pytest.mark.parametrize("args, message", [
    (["stats", "--student", "Nobody Here"], "no student named"),
    (["stats", "--today", "2026-02-30"], "--today"),
    (["demo", "--students", "zero"], "--students"),
    (["demo", "--students", "0"], "from 1 to 100000"),
    (["students", "--add", "   "], "name: is required"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_exit_2_with_one_line(demo_db, args, message):
    before = demo_db.stat().st_mtime_ns
    result = cli(*args, "--db", str(demo_db)) if args[0] != "frobnicate" else cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert demo_db.stat().st_mtime_ns == before


def test_reading_a_missing_database_creates_nothing(tmp_path):
    missing = tmp_path / "typo.duckdb"
    result = cli("stats", "--db", str(missing))
    assert result.returncode == 2 and "no database at" in result.stderr
    assert not missing.exists()


def test_demo_at_career_centre_scale(tmp_path):
    path = tmp_path / "big.duckdb"
    # The timeout only guards against a hang; speed is measured in bench/, not asserted here.
    result = subprocess.run([sys.executable, "-m", "lib", "demo", "--db", str(path), "--students", "2000"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    students = json.loads(cli("students", "--db", str(path), "--json").stdout)
    assert len(students) == 2000


FIXTURE = str(ROOT / "tests" / "fixtures" / "linkedin" / "Connections.csv")


def test_import_linkedin_dry_run_json_then_real_then_again(tmp_path):
    path = str(tmp_path / "real.duckdb")
    cli("students", "--db", path, "--add", "Ada Lovelace")
    dry = cli("import-linkedin", "--student", "Ada Lovelace", FIXTURE, "--db", path, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    figures = json.loads(dry.stdout)
    assert set(figures) == {"new", "duplicates", "skipped_blank", "invalid", "warnings"}
    assert (figures["new"], figures["duplicates"], figures["skipped_blank"]) == (8, 0, 2)
    assert [row["line"] for row in figures["invalid"]] == [12]
    assert [row["line"] for row in figures["warnings"]] == [10, 11]
    assert set(figures["invalid"][0]) == set(figures["warnings"][0]) == {"line", "reason"}
    real = cli("import-linkedin", "--student", "Ada Lovelace", FIXTURE, "--db", path)
    assert real.returncode == 0 and "added 8 new contacts" in real.stdout and "line 12:" in real.stdout
    assert "line 10: Email Address:" in real.stdout and "imported without it" in real.stdout
    again = json.loads(cli("import-linkedin", "--student", "Ada Lovelace", FIXTURE, "--db", path, "--json").stdout)
    assert (again["new"], again["duplicates"]) == (0, 8)


def test_import_linkedin_refusals_exit_2_and_write_nothing(tmp_path):
    path = tmp_path / "real.duckdb"
    cli("students", "--db", str(path), "--add", "Ada Lovelace")
    before = path.stat().st_mtime_ns
    other = tmp_path / "people.csv"
    other.write_text("Name,Email\nJane,jane@example.com\n")
    for args, message in [
        ((str(other),), "people.csv was refused: no header row with 'First Name' and 'Last Name'"),
        ((str(tmp_path / "missing.csv"),), "cannot read"),
        ((FIXTURE, "--student", "Nobody"), "Nobody"),
    ]:
        argv = ["import-linkedin", *args, "--db", str(path)]
        if "--student" not in args:
            argv += ["--student", "Ada Lovelace"]
        result = cli(*argv)
        assert result.returncode == 2, result
        assert message in result.stderr and result.stderr.count("\n") == 1
    assert path.stat().st_mtime_ns == before
    assert cli("import-linkedin", FIXTURE, "--db", str(path)).returncode == 2   # --student is required


def test_reply_rate_charts_agree_with_stats_on_the_demo(demo_db):
    from lib import metrics
    from lib.db import Database
    from tests.conftest import TODAY
    students = json.loads(cli("students", "--db", str(demo_db), "--json").stdout)
    printed = {s["id"]: json.loads(cli("stats", "--db", str(demo_db), "--student", s["id"], "--today",
                                       TODAY.isoformat(), "--json").stdout)["requests"] for s in students[:4]}
    with Database(demo_db, read_only=True) as db:
        for sid, requests in printed.items():
            rates = metrics.reply_rates(db, sid, TODAY)
            warmth = rates[rates["dimension"] == "Warmth"]
            assert (int(warmth["replied"].sum()), int(warmth["n"].sum())) == (requests["replied"], requests["settled"])
            weekly = metrics.reply_rates_by_week(db, sid, TODAY, weeks=1000)
            assert int(weekly["replied"].sum()) == requests["replied"]


def test_users_add_list_and_import_a_roster(tmp_path):
    path = str(tmp_path / "people.duckdb")
    assert cli("users", "--db", path, "--add", "cora@uni.edu", "--role", "coach", "--name", "Cora").returncode == 0
    added = cli("users", "--db", path, "--add", "ana@uni.edu", "--role", "student", "--coach", "cora@uni.edu",
                "--cohort", "Spring")
    assert added.returncode == 0, added.stderr
    roster = tmp_path / "roster.csv"
    roster.write_text("email,name,role,coach,cohort\nben@uni.edu,Ben,student,kay@uni.edu,Fall\nkay@uni.edu,Kay,coach,,\n")
    assert cli("users", "--db", path, "--import", str(roster)).returncode == 0
    listed = {p["email"]: p for p in json.loads(cli("users", "--db", path, "--json").stdout)}
    assert set(listed) == {"cora@uni.edu", "kay@uni.edu", "ana@uni.edu", "ben@uni.edu"}
    assert (listed["ana@uni.edu"]["role"], listed["ana@uni.edu"]["coach"], listed["ana@uni.edu"]["cohort"]) == \
        ("student", "cora@uni.edu", "Spring")
    assert listed["ben@uni.edu"]["coach"] == "kay@uni.edu" and listed["kay@uni.edu"]["active"] is True
    students = json.loads(cli("students", "--db", path, "--json").stdout)
    assert sorted(s["name"] for s in students) == ["Ben", "ana"]


def test_users_refusals_exit_2_name_the_bad_rows_and_write_nothing(tmp_path):
    path = str(tmp_path / "people.duckdb")
    assert cli("users", "--db", path, "--add", "cora@uni.edu", "--role", "coach").returncode == 0
    roster = tmp_path / "roster.csv"
    roster.write_text("email,name,role,coach,cohort\nok@uni.edu,Ok,student,,\nbad,X,student,,\n"
                      "zed@uni.edu,Zed,wizard,,\nyan@uni.edu,Yan,student,nobody@uni.edu,\n")
    refused = cli("users", "--db", path, "--import", str(roster))
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "line 3: email" in refused.stderr and "line 4: role" in refused.stderr and "line 5: coach" in refused.stderr
    for args in (("--add", "cora@uni.edu", "--role", "coach"), ("--add", "x@uni.edu"), ("--role", "coach"),
                 ("--add", "x@uni.edu", "--role", "owner"), ("--import", str(tmp_path / "missing.csv"))):
        assert cli("users", "--db", path, *args).returncode == 2, args
    assert [p["email"] for p in json.loads(cli("users", "--db", path, "--json").stdout)] == ["cora@uni.edu"]
    assert cli("users", "--db", str(tmp_path / "absent.duckdb"), "--json").returncode == 2
