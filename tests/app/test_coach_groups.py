"""AppTest: a coach puts students in cohort groups (not only demo students have one), and the
cohort filter then finds them; a group name is data, shown as text."""
from lib.students import create_student, get_student
from tests.app.test_pages import app_db, key, open_page


def test_a_coach_puts_students_in_groups_and_filters_by_them(isolated_env):
    db = app_db(isolated_env / "coffeechat.duckdb")
    ada, ben = create_student(db, "Ada Lovelace"), create_student(db, "Ben *Bold* Okafor")
    at = open_page("pages/coach.py", {"role": "coach"})
    assert at.selectbox(key="coach_cohort").options == []                  # no groups yet
    for sid, group in ((ada, "Spring 2027 workshop"), (ben, "[Evening](https://e.vil) group")):
        at.selectbox(key=key(at, "cohort_groups", "student", None)).set_value(sid)
        at.text_input(key=key(at, "cohort_groups", "group", None)).input(group)
        at.button(key=key(at, "cohort_groups", "save", None)).click().run()
        assert not at.exception, at.exception
        assert get_student(db, sid)["cohort"] == group
    assert "is now in" in at.success[0].value
    assert "(https://e.vil)" not in at.success[0].value                   # escaped: never a link
    assert sorted(at.selectbox(key="coach_cohort").options) == sorted(["Spring 2027 workshop",
                                                                       "[Evening](https://e.vil) group"])
    at.selectbox(key="coach_cohort").set_value("Spring 2027 workshop").run()
    assert at.dataframe[0].value["Student"].tolist() == ["Ada Lovelace"]
    # saving the same again changes nothing; an empty group takes a student out
    at.selectbox(key=key(at, "cohort_groups", "student", None)).set_value(ben)
    at.button(key=key(at, "cohort_groups", "save", None)).click().run()
    assert get_student(db, ben)["cohort"] is None and db.scalar("SELECT count(*) FROM students") == 2
