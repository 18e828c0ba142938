"""The command line as a person uses it: exit codes, messages, import and export, the console."""

import asyncio
import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.app.platforms import STARTERS, unreachable
from bot.kernel.config import Config, ConfigError, parse_config
from bot.kernel.errors import file_problem
from bot.kernel.storage.database import Database, SchemaError

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "display_name": "Amira Haddad",
    "organisation": "Kirkdale City Council",
    "org_type": "council",
    "region": "north_west",
    "role": "Discharge lead",
    "areas": "social care; health",
    "challenge": "Joining up hospital discharge between the council and the trust.",
    "stage": "implementing",
    "timezone": "Europe/London",
    "cadence": "fortnightly",
    "accepts_questions": "yes",
    "consent": "yes",
    "user_id": "amira",
}


@pytest.fixture
def cli_env(monkeypatch, empty_database, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PEERBOT_DATABASE_URL", empty_database)
    monkeypatch.delenv("PEERBOT_CONFIG", raising=False)
    return tmp_path


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(GOOD))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_import_with_bad_rows_loads_nothing_and_names_each_line(cli_env, capsys):
    path = write_csv(
        cli_env / "signups.csv",
        [
            GOOD,
            {**GOOD, "user_id": "b", "region": "Atlantis"},
            {**GOOD, "user_id": "c", "consent": "no"},
            {**GOOD, "user_id": "amira"},
        ],
    )
    assert main(["import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "line 3: region: “Atlantis” is not one of the options" in err
    assert "line 4: no consent recorded" in err
    assert "line 5: user_id “amira” appears twice (first on line 2)" in err
    assert "nothing was loaded" in err
    assert main(["export", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_skip_bad_loads_the_good_rows_and_export_round_trips(cli_env, capsys):
    path = write_csv(cli_env / "signups.csv", [GOOD, {**GOOD, "user_id": "b", "stage": "dreaming"}])
    assert main(["import", str(path), "--skip-bad"]) == 0
    assert "Loaded 1 profile(s), skipped 1 bad row(s)." in capsys.readouterr().out
    assert main(["export", "-o", "out.csv"]) == 0
    exported = list(csv.DictReader((cli_env / "out.csv").open()))
    assert [row["user_id"] for row in exported] == ["amira"]
    assert exported[0]["areas"] == "social_care; health"
    assert main(["import", "out.csv"]) == 1, "re-importing the same people is refused"
    assert "already has a profile" in capsys.readouterr().err


def test_json_import_reports_line_numbers_of_records(cli_env, capsys):
    path = cli_env / "signups.json"
    path.write_text(json.dumps([GOOD, {**GOOD, "user_id": "x", "challenge": "short"}], indent=2))
    assert main(["import", str(path), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "line 17: challenge: Too short" in err


def test_unreadable_import_files_get_one_clear_line(cli_env, capsys):
    (cli_env / "bad.json").write_text("{not json")
    assert main(["import", "bad.json"]) == 1
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["import", "missing.csv"]) == 1
    assert "could not read missing.csv: no such file" in capsys.readouterr().err
    (cli_env / "x.txt").write_text("a")
    assert main(["import", "x.txt"]) == 1
    assert "expected a .csv or .json file" in capsys.readouterr().err


def test_bad_config_exits_2_with_one_line(cli_env, capsys):
    (cli_env / "peerbot.toml").write_text('[slack]\nmode = "pigeon"\n')
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "[slack] mode" in err and "Traceback" not in err


async def test_a_database_behind_the_code_is_upgraded_or_refused(empty_database, tmp_path):
    db = Database(empty_database)
    await db.upgrade("0001")
    with pytest.raises(SchemaError, match="peerbot db upgrade"):
        await db.prepare("refuse")
    if db.is_sqlite:
        assert "upgraded the database schema from 0001" in await db.prepare("auto")
    else:
        with pytest.raises(SchemaError, match="other bot processes"):
            await db.prepare("auto")
        assert "upgraded the database schema from 0001" in await db.prepare("upgrade")
    assert (await db.schema_state()).up_to_date
    await db.close()


def test_help_on_every_command(capsys):
    for command in (["run"], ["console"], ["db", "upgrade"], ["import"], ["export"], ["match"]):
        with pytest.raises(SystemExit) as done:
            main([*command, "--help"])
        assert done.value.code == 0
    assert "usage: peerbot match" in capsys.readouterr().out


SCRIPT = """/as alice
/peer join
Alice Smith
Leeds City Council
council
yorkshire_humber
Discharge lead
social care, health
tiny
We are joining up hospital discharge between the council and the trust.
implementing

fortnightly
yes
/press 1
/peer profile
/peer profile edit
/cancel
/peer pause until 2099-01-01
/peer resume
/peer leave
/press Erase my data
/peer mydata
"""


def test_scripted_console_session(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "PEERBOT_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input=SCRIPT,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "no Slack or Discord credentials set" in done.stderr and "starting the console" in done.stderr
    out = done.stdout
    assert "! Too short: 4 characters; write at least 20." in out
    assert "Welcome, Alice Smith!" in out
    assert "*Alice Smith*: Discharge lead, Leeds City Council" in out
    assert "Paused until 2099-01-01" in out and "Welcome back" in out
    assert "everything stored about you has been erased" in out
    assert out.rstrip().endswith("Nothing is stored about you.\nBye.")
    assert "Traceback" not in done.stderr


def test_match_just_after_a_round_needs_again_and_says_so(cli_env, capsys, monkeypatch):
    people = [
        {**GOOD, "user_id": f"p{i}", "display_name": f"Person {i}", "organisation": f"Org {i}"}
        for i in range(4)
    ]
    assert main(["import", str(write_csv(cli_env / "people.csv", people))]) == 0
    assert main(["match", "--scope", "console:local"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    assert main(["match", "--scope", "console:local"]) == 1
    err = capsys.readouterr().err
    assert re.search(
        r"console:local: Round 1 was committed (moments|\d+ seconds?) ago; introductions are going out", err
    )
    assert "Add --again to start it." in err and "Start another anyway?" not in err

    assert main(["match", "--scope", "console:local", "--again"]) == 0
    assert "Round 2" in capsys.readouterr().out


async def _schema_at(url: str, revision: str) -> None:
    db = Database(url)
    await db.upgrade(revision)
    await db.close()


def test_db_status_exits_non_zero_unless_the_schema_is_current(cli_env, empty_database, capsys):
    assert main(["db", "status"]) == 3
    assert "empty" in capsys.readouterr().out
    asyncio.run(_schema_at(empty_database, "0001"))
    assert main(["db", "status"]) == 3
    assert "behind: run `peerbot db upgrade`" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "status"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_a_plain_postgresql_url_is_taken_with_the_driver_peerbot_uses_and_other_drivers_are_named():
    config = parse_config({}, {"PEERBOT_DATABASE_URL": "postgresql://bot@db.example/peerbot"}, "t")
    assert config.database_url() == "postgresql+asyncpg://bot@db.example/peerbot"
    from_file = parse_config({"database": {"url": "postgres://bot@db/peerbot"}}, {}, "t")
    assert from_file.database_url() == "postgresql+asyncpg://bot@db/peerbot"
    with pytest.raises(ConfigError, match="postgresql://user@host/db"):
        parse_config({"database": {"url": "postgresql+psycopg2://bot@db/peerbot"}}, {}, "t")


async def test_replicas_starting_together_on_an_empty_database_take_turns_creating_it(empty_database):
    if empty_database.startswith("sqlite"):
        pytest.skip("one process per SQLite data folder")
    databases = [Database(empty_database) for _ in range(3)]
    try:
        done = await asyncio.gather(*(db.prepare("auto") for db in databases))
    finally:
        for db in databases:
            await db.close()
    assert sorted(done) == ["created the database schema"] + ["database schema is up to date"] * 2


# --- messages that say what is actually wrong -------------------------------------------


@pytest.mark.parametrize(
    ("env", "mode", "named"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "socket", ["needs SLACK_APP_TOKEN", '[slack] mode = "socket"']),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "http", ["needs SLACK_SIGNING_SECRET", '[slack] mode = "http"']),
        (
            {"SLACK_APP_TOKEN": "xapp-1"},
            "socket",
            ["SLACK_APP_TOKEN set but SLACK_BOT_TOKEN (xoxb-…) is not"],
        ),
    ],
)
def test_half_set_slack_credentials_are_named_not_a_silent_console(
    cli_env, monkeypatch, capsys, env, mode, named
):
    (cli_env / "peerbot.toml").write_text(f'[slack]\nmode = "{mode}"\n')
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert all(text in err for text in named), err
    assert "starting the console" not in err


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_discord_is_named_with_its_host(cli_env, monkeypatch, capsys):
    port = closed_port()
    (cli_env / "peerbot.toml").write_text(f'[discord]\napi_url = "http://127.0.0.1:{port}/api/v10"\n')
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "token")
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert f"could not reach Discord at 127.0.0.1:{port}" in err and "[discord] api_url" in err, err
    assert "database" not in err.splitlines()[-1] and "Traceback" not in err


def test_a_slack_port_in_use_is_not_called_unreachable_slack(cli_env, monkeypatch, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (cli_env / "peerbot.toml").write_text(f'[slack]\nmode = "http"\nhttp_port = {port}\n')
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
        monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
        assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert f"could not listen for Slack events on 127.0.0.1:{port}" in err and "http_port" in err, err


def test_a_dns_failure_names_the_service_host_and_reason():
    problem = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    message = str(unreachable(STARTERS["discord"], Config(), problem))
    assert message.startswith("could not reach Discord at discord.com: Name or service not known.")
    assert "DNS" in message and "[discord] api_url" in message


def test_export_and_import_name_the_file_and_the_reason(cli_env, capsys):
    assert main(["export", "-o", "/nonexistent/dir/x.csv"]) == 1
    assert "could not write /nonexistent/dir/x.csv: the folder /nonexistent/dir does not exist." in (
        capsys.readouterr().err
    )
    assert main(["import", "/nonexistent/dir/x.csv"]) == 1
    assert "could not read /nonexistent/dir/x.csv: the folder /nonexistent/dir does not exist." in (
        capsys.readouterr().err
    )
    assert file_problem("write", "out.csv", PermissionError(13, "Permission denied")) == (
        "could not write out.csv: permission denied."
    )


def test_an_unreachable_database_is_named_without_its_password(cli_env, monkeypatch, capsys):
    port = closed_port()
    monkeypatch.setenv("PEERBOT_DATABASE_URL", f"postgresql+asyncpg://peer:hunter2@127.0.0.1:{port}/peers")
    assert main(["db", "status"]) == 1
    err = capsys.readouterr().err
    assert f"could not reach the database postgresql+asyncpg://peer:***@127.0.0.1:{port}/peers" in err, err
    assert "hunter2" not in err and "PEERBOT_DATABASE_URL" in err


def test_a_database_that_accepts_but_never_answers_fails_within_the_connect_timeout(
    cli_env, monkeypatch, capsys
):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections (the kernel does) and never says a word
    try:
        port = silent.getsockname()[1]
        monkeypatch.setenv("PEERBOT_DATABASE_URL", f"postgresql://bot:hunter2@127.0.0.1:{port}/peerbot")
        (cli_env / "peerbot.toml").write_text('[database]\nconnect_timeout = "1s"\n')
        assert main(["db", "status"]) == 1
    finally:
        silent.close()
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "hunter2" not in err
    assert f"127.0.0.1:{port}/peerbot: it did not answer within [database] connect_timeout (1s)" in err
