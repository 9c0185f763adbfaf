"""The seam's SQL dialect: one statement text runs on both stores, with `?` and `$name`
parameters, percent signs anywhere, and frames shaped the same."""
from datetime import date

from lib.store.postgres import translate


def test_placeholders_are_translated_outside_quotes_and_every_percent_is_kept():
    sql = """SELECT 100 % 7 AS "Ready %", '50% of ?' AS s, $x FROM t WHERE a = ? AND b = $sid -- 5% $off ?"""
    assert translate(sql) == ("""SELECT 100 %% 7 AS "Ready %%", '50%% of ?' AS s, %(x)s FROM t """
                              """WHERE a = %s AND b = %(sid)s -- 5%% $off ?""")
    assert translate("SELECT E'it''s \\\\' || ?, $$ ? $$") == "SELECT E'it''s \\\\' || %s, $$ ? $$"


def test_one_statement_text_gives_the_same_answer_on_both_stores(db):
    from lib.students import create_student
    sid = create_student(db, "Ada Lovelace")
    frame = db.df("""SELECT name AS "Name %", 7 % 3 AS rest, name LIKE '%Love%' AS matched,
                            CAST($day AS DATE) - DATE '2026-11-01' AS days, NULL AS nothing
                     FROM students WHERE id = $sid""", {"sid": sid, "day": date(2026, 11, 20)})
    assert frame.to_dict("records") == [{"Name %": "Ada Lovelace", "rest": 1, "matched": True, "days": 19,
                                         "nothing": None}]
    assert db.rows("SELECT count(*) FROM students WHERE name = ? AND CAST(id AS VARCHAR) = ANY(?)",
                   ["Ada Lovelace", [sid]]) == [(1,)]
    assert db.scalar("SELECT count(*) FROM students WHERE CAST(id AS VARCHAR) = ANY($ids)", {"ids": []}) == 0
