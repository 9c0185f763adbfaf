"""AppTest: the data page checks integrity and makes a backup through the app's own
connection (so it works while serving); the backup restores with no differences."""
import io
import zipfile

from lib import backup, demo
from tests.app.test_pages import open_page
from tests.conftest import TODAY


def test_backup_download_while_serving_restores_equal(isolated_env, tmp_path):
    demo.load_file(isolated_env / "demo.duckdb", students=3, as_of=TODAY)
    at = open_page("pages/data.py", {"dataset": "demo"})
    assert "Integrity check passed" in at.success[0].value
    at.session_state["dataset"] = "demo"
    at.button(key="backup_prepare").click().run()
    assert not at.exception, at.exception
    data = at.session_state["backup_zip"]
    assert [b.proto.label for b in at.get("download_button")] == ["Download the backup (.zip)"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(tmp_path / "unzipped")
    result = backup.restore(tmp_path / "unzipped" / "coffeechat-backup", tmp_path / "restored.duckdb")
    assert result["differences"] == [] and result["rows"] > 100
    assert not [p for p in isolated_env.iterdir() if p.name.startswith("backup-staging-")]     # staging removed
