from datetime import date, timedelta

from lib import clock

MONDAY = date(2026, 11, 16)


def test_business_days_skip_weekends():
    assert clock.business_days_between(MONDAY, MONDAY + timedelta(days=4)) == 4   # to Friday
    assert clock.business_days_between(MONDAY - timedelta(days=3), MONDAY) == 1   # Friday -> Monday
    assert clock.business_days_between(MONDAY, MONDAY + timedelta(days=7)) == 5


def test_add_business_days():
    friday = MONDAY + timedelta(days=4)
    assert clock.add_business_days(friday, 3) == date(2026, 11, 25)  # Wed
    assert clock.add_business_days(friday + timedelta(days=1), 1) == date(2026, 11, 23)  # Sat -> Mon
    assert clock.add_business_days(MONDAY, 7) == date(2026, 11, 25)


def test_sql_macros_agree_with_python(db):
    for offset in range(14):
        start = MONDAY + timedelta(days=offset)
        for n in range(12):
            assert db.scalar("SELECT add_business_days(?::DATE, ?)", [start, n]) == clock.add_business_days(start, n)
        for span in range(-3, 20):
            end = start + timedelta(days=span)
            assert db.scalar("SELECT business_days(?::DATE, ?::DATE)", [start, end]) == \
                clock.business_days_between(start, end)


def test_frozen_today(monkeypatch):
    monkeypatch.setenv("COFFEECHAT_TODAY", "2027-01-04")
    assert clock.today() == date(2027, 1, 4)
    assert clock.now().hour == 12


def test_business_days_across_month_and_year_ends():
    assert clock.add_business_days(date(2026, 10, 30), 1) == date(2026, 11, 2)      # Fri -> Mon, new month
    assert clock.business_days_between(date(2026, 10, 30), date(2026, 11, 2)) == 1
    assert clock.add_business_days(date(2026, 12, 31), 2) == date(2027, 1, 4)       # Thu -> Mon, new year
    assert clock.add_business_days(date(2027, 2, 26), 1) == date(2027, 3, 1)        # February's end
    assert clock.business_days_between(date(2026, 12, 24), date(2027, 1, 7)) == 10  # no holidays counted
