"""Command line: python -m lib <command>. Bad arguments print one line on stderr and exit 2."""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from lib import backup, clock, demo, exports, linkedin, metrics
from lib.db import Database, DatabaseFault, default_path, demo_path, is_url
from lib.models import InvalidInput
from lib.students import create_student, list_students, resolve_student


class UsageError(Exception):
    """Bad arguments or an unknown student: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage + exits 2; we want one line
        raise UsageError(message)


def _date(text: str) -> date:
    try:
        return clock.parse_date(text, "--today")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 100000, got {value}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m lib", description="Coffee Chat Coach command line")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    init = commands.add_parser("init", help="create or migrate a database")
    init.add_argument("--db", help=f"database file or postgresql:// URL (default {default_path()})")

    students = commands.add_parser("students", help="list students, or add one")
    students.add_argument("--db")
    students.add_argument("--add", metavar="NAME", help="add a student profile with this name")
    students.add_argument("--json", action="store_true", help="print JSON")

    dem = commands.add_parser("demo", help="(re)build the demo cohort in its own database file")
    dem.add_argument("--db", help=f"demo database file (default {demo_path()})")
    dem.add_argument("--students", type=_positive, default=demo.DEFAULT_STUDENTS)
    dem.add_argument("--seed", type=_int, default=demo.DEFAULT_SEED)
    dem.add_argument("--today", type=_date, help="the demo's 'as of' date (default today)")

    stats = commands.add_parser("stats", help="the dashboard's figures as JSON")
    stats.add_argument("--db")
    stats.add_argument("--student", metavar="NAME_OR_ID", help="one student (default: the whole cohort)")
    stats.add_argument("--today", type=_date, help="'as of' date (default today)")
    stats.add_argument("--json", action="store_true", help="print JSON (the only format)")

    imp = commands.add_parser("import-linkedin", help="import a LinkedIn Connections.csv into a student's network")
    imp.add_argument("file", metavar="FILE", help="Connections.csv (or LinkedIn's whole export .zip)")
    imp.add_argument("--student", metavar="NAME_OR_ID", required=True)
    imp.add_argument("--db")
    imp.add_argument("--dry-run", action="store_true", help="show what would be imported; write nothing")
    imp.add_argument("--json", action="store_true",
                     help='print {"new", "duplicates", "skipped_blank", "invalid": [{"line", "reason"}]}')

    exp = commands.add_parser("export", help="a student's calendar (.ics) or contacts and touches (.csv)")
    exp.add_argument("--student", metavar="NAME_OR_ID", required=True)
    exp.add_argument("--format", choices=("ics", "csv"), required=True)
    exp.add_argument("--out", metavar="PATH", required=True, help="file to write ('-' for standard output)")
    exp.add_argument("--db")

    bak = commands.add_parser("backup", help="export a database into a new folder, with a manifest")
    bak.add_argument("--out", metavar="DIR", required=True)
    bak.add_argument("--db")
    res = commands.add_parser("restore", help="import a backup into a new database file and compare it")
    res.add_argument("folder", metavar="DIR")
    res.add_argument("--db", required=True, help="the new database file to create, or an empty PostgreSQL database (postgresql://...)")
    cpy = commands.add_parser("copy", help="copy a whole database (a DuckDB file or a postgresql:// URL) into a new "
                              "file or an empty PostgreSQL database, checked table by table")
    cpy.add_argument("--from", dest="source", metavar="PATH_OR_URL", required=True)
    cpy.add_argument("--to", dest="destination", metavar="PATH_OR_URL", required=True)
    chk = commands.add_parser("check", help="integrity: schema version and orphan rows (exit 1 on a problem)")
    chk.add_argument("--db")
    chk.add_argument("--json", action="store_true")
    _users_parser(commands)
    learn = commands.add_parser("learning", help="what a student is learning, mined from their conversation notes")
    learn.add_argument("--student", metavar="NAME_OR_ID", required=True)
    learn.add_argument("--db")
    learn.add_argument("--today", type=_date, help="'as of' date (default today)")
    learn.add_argument("--json", action="store_true", help='print {"skills", "advice", "resources", "tiara"} '
                                                           "(the only format)")
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "init":
        with Database(args.db or default_path()) as db:      # opening migrates and syncs the question bank
            if db.newer_schema:
                raise DatabaseFault(db.read_only_reason or "newer schema")
            print(f"{db.path}: schema version {db.schema_version()}")
            _note_read_only(db)
        return 0
    if args.command == "students":
        return _students(args)
    if args.command == "demo":
        path = args.db or demo_path()
        today = args.today or clock.today()
        try:
            count = demo.load_file(path, students=args.students, seed=args.seed, as_of=today)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        print(f"{path}: demo cohort of {count} students as of {today.isoformat()} (seed {args.seed})")
        return 0
    if args.command == "stats":
        with _open_existing(args.db) as db:
            student_id = _resolve(db, args.student) if args.student else None
            print(json.dumps(metrics.summary(db, student_id, args.today or clock.today()), indent=2))
        return 0
    if args.command == "import-linkedin":
        return _import_linkedin(args)
    if args.command == "export":
        return _export(args)
    if args.command in ("backup", "restore", "check"):
        return _backup_commands(args)
    if args.command == "copy":
        return _copy(args)
    if args.command == "users":
        return _users(args)
    if args.command == "learning":
        from lib import insights
        with _open_existing(args.db) as db:
            found = insights.learning(db, _resolve(db, args.student), args.today or clock.today())
        print(json.dumps(found.as_json(), indent=2, default=str))
        return 0
    raise UsageError(f"unknown command {args.command!r}")


def _copy(args: argparse.Namespace) -> int:
    from lib import transfer
    if not is_url(args.source) and not Path(args.source).is_file():
        raise UsageError(f"--from: no database at {args.source}")
    try:
        result = transfer.copy(args.source, args.destination)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(f"copied {result['tables']} tables, {result['rows']:,} rows into {_shown(args.destination)}; "
          "every table's row count and checksum match the source")
    return 0


def _shown(target: str) -> str:
    from lib.store.postgres import redacted
    return redacted(target) if is_url(target) else target


def _backup_commands(args: argparse.Namespace) -> int:
    try:
        if args.command == "backup":
            with _open_existing(args.db, extra_dirs=(Path(args.out).resolve().parent,)) as db:
                manifest = backup.backup(db, Path(args.out))
            rows = sum(t["rows"] for t in manifest["tables"].values())
            print(f"backed up {len(manifest['tables'])} tables, {rows:,} rows into {args.out}")
            return 0
        if args.command == "restore":
            result = backup.restore(Path(args.folder), args.db if is_url(args.db) else Path(args.db))
            print(f"restored {result['tables']} tables, {result['rows']:,} rows into {args.db}; "
                  f"{len(result['differences'])} differences")
            for line in result["differences"]:
                print(f"  {line}")
            return 0 if not result["differences"] else 1
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    with _open_existing(args.db) as db:
        report = backup.check(db)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"schema version {report['schema_version']} (this app: {report['latest']}); "
              + ("no orphan rows" if not report["orphans"] else
                 "; ".join(f"{n} {what}" for what, n in report["orphans"].items())))
    return 0 if report["ok"] else 1


def _export(args: argparse.Namespace) -> int:
    out = None if args.out == "-" else Path(args.out)
    if out is not None and not out.parent.is_dir():
        raise UsageError(f"--out: folder {out.parent} does not exist")
    with _open_existing(args.db) as db:
        student_id = _resolve(db, args.student)
        today, now = clock.today(), clock.now()
        if args.format == "ics":
            data = exports.calendar(db, student_id, today, now)
        else:
            data = exports.contacts_csv(db, student_id, today).encode("utf-8")
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        print(f"wrote {out} ({len(data):,} bytes)", file=sys.stderr)
    return 0


def _import_linkedin(args: argparse.Namespace) -> int:
    """Exit 0 when the file was read (invalid rows are reported, not fatal), 2 when refused."""
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        parsed = linkedin.parse(data, clock.today())
    except linkedin.NotAConnectionsExport as exc:
        raise UsageError(f"{path.name} was refused: {exc}; nothing was imported") from None
    with _open_existing(args.db) as db:
        student_id = _resolve(db, args.student)
        if args.dry_run:
            plan = linkedin.plan(db, student_id, parsed)
        else:
            _, plan = linkedin.commit(db, student_id, parsed, filename=path.name, now=clock.now())
    result = plan.summary()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    verb = "would add" if args.dry_run else "added"
    if parsed.source:
        print(f"read {parsed.source}")
    print(f"{path.name}: {verb} {result['new']} new contacts; {result['duplicates']} already in the network; "
          f"{result['skipped_blank']} blank rows skipped; {len(result['invalid'])} invalid rows"
          + (f"; {len(result['warnings'])} warnings" if result["warnings"] else "")
          + (" (dry run: nothing written)" if args.dry_run else ""))
    for row in result["invalid"]:
        print(f"  line {row['line']}: {row['reason']}")
    for row in result["warnings"]:
        print(f"  line {row['line']}: {row['reason']}")
    return 0


def _open_existing(db_arg: str | None, extra_dirs: tuple = ()) -> Database:
    """Open a database that must already exist: reading a mistyped path creates nothing.
    A file that can only be read (newer schema, read-only file) opens with a note on stderr;
    a write to it is then refused with a message."""
    target = db_arg or default_path()
    if is_url(str(target)):
        db = Database(str(target), extra_dirs=extra_dirs)
        _note_read_only(db)
        return db
    path = Path(target)
    try:
        missing = not path.exists()
    except OSError:          # e.g. a name too long: Database() says so
        missing = False
    if missing:
        raise UsageError(f"no database at {path}; create one with: python -m lib init --db {path}")
    db = Database(path, extra_dirs=extra_dirs)
    _note_read_only(db)
    return db


def _note_read_only(db: Database) -> None:
    if db.read_only and db.read_only_reason:
        print(f"note: {db.read_only_reason}", file=sys.stderr)


def _students(args: argparse.Namespace) -> int:
    with (_open_new_or_existing(args.db) if args.add is not None else _open_existing(args.db)) as db:
        if args.add is not None:
            try:
                student_id = create_student(db, args.add)
            except InvalidInput as exc:
                raise UsageError(f"--add {exc}") from None
            result: object = {"id": student_id, "name": args.add.strip()}
        else:
            result = list_students(db).to_dict("records")
        if args.json:
            print(json.dumps(result, indent=2, default=str))
        elif isinstance(result, dict):
            print(f"added {result['name']} ({result['id']})")
        else:
            for row in result:
                print(f"{row['id']}  {row['name']}" + ("  [demo]" if row["is_demo"] else ""))
    return 0


def _users_parser(commands) -> None:
    usr = commands.add_parser("users", help="people who may sign in: list, add one, import a roster")
    usr.add_argument("--db")
    what = usr.add_mutually_exclusive_group()
    what.add_argument("--add", metavar="EMAIL", help="add a person (a student gets their student record)")
    what.add_argument("--import", dest="roster", metavar="ROSTER.csv",
                      help="add everyone on a roster (email,name,role,coach,cohort): all or nothing")
    usr.add_argument("--role", choices=("student", "coach", "admin"))
    usr.add_argument("--name")
    usr.add_argument("--coach", metavar="EMAIL", help="a student's coach")
    usr.add_argument("--cohort", metavar="GROUP", help="a student's cohort group")
    usr.add_argument("--json", action="store_true", help="print JSON")


def _users(args: argparse.Namespace) -> int:
    """users: list (exit 0); --add and --import write everything or nothing (exit 2 when refused)."""
    from lib import users
    from lib.models import InvalidRows
    if args.add is None and any(v is not None for v in (args.role, args.name, args.coach, args.cohort)):
        raise UsageError("--role, --name, --coach and --cohort go with --add")
    if args.add is not None and args.role is None:
        raise UsageError("--add needs --role student|coach|admin")
    if args.roster is not None:
        try:
            roster = users.parse_roster(Path(args.roster).read_bytes())
        except OSError as exc:
            raise UsageError(f"cannot read {args.roster}: {exc.strerror or exc}") from None
    with (_open_new_or_existing(args.db) if args.add is not None or args.roster else _open_existing(args.db)) as db:
        try:
            if args.add is not None:
                users.add_person(db, args.add, args.role, name=args.name, coach=args.coach, cohort=args.cohort)
                result: object = {"added": 1}
            elif args.roster is not None:
                result = {"added": users.import_roster(db, roster)}
            else:
                frame = users.people(db).drop(columns=["student_id"])
                result = frame.astype(object).where(frame.notna(), None).to_dict("records")
        except InvalidRows as exc:
            lines = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
            raise UsageError(f"{args.roster} was refused, nothing was imported: {lines}") from None
        except InvalidInput as exc:
            raise UsageError(f"{exc}; nothing was added") from None
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    elif isinstance(result, dict):
        print(f"added {result['added']} {'person' if result['added'] == 1 else 'people'}")
    else:
        for row in result:
            print("  ".join(str(row[c] or "-") for c in ("email", "name", "role", "coach", "cohort"))
                  + ("" if row["active"] else "  [inactive]"))
    return 0


def _open_new_or_existing(db_arg: str | None) -> Database:
    db = Database(db_arg or default_path())
    _note_read_only(db)
    return db


def _resolve(db: Database, name_or_id: str) -> str:
    try:
        return resolve_student(db, name_or_id)
    except LookupError as exc:
        raise UsageError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DatabaseFault as exc:          # damaged, read-only, newer, in use, disk full, bad path
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing more was written", file=sys.stderr)
        return 130
    except OSError as exc:                # a file we were asked to read or write
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"error: cannot access{where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:              # never a traceback: one line, and how to see more
        if os.environ.get("COFFEECHAT_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
              "(set COFFEECHAT_DEBUG=1 for the details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
