"""The console keeps its relay across runs without a hand-made key, and never shows a
practitioner the operator's instructions: `peerbot console` run as a process, input piped."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from bot.relay.keys import CONSOLE_KEY_FILE
from bot.relay.texts import RELAY_UNAVAILABLE

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "How did you get the discharge team to share the weekend rota with social care?"
ASK = f"/as amira\n/peer ask\n{QUESTION}\nno\nno\n"
OPERATOR_WORDS = ("PEERBOT_ENCRYPTION_KEYS", "purge", "new-key", "rotate-keys")


def console(folder: Path, script: str, exit_code: int = 0, **env: str) -> subprocess.CompletedProcess:
    """One `peerbot console` run in `folder` (its data folder is peerbot-data there)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "PEERBOT_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input=script,
        capture_output=True,
        text=True,
        cwd=folder,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        timeout=120,
    )
    assert done.returncode == exit_code, done.stderr
    assert "Traceback" not in done.stderr
    return done


def test_two_console_runs_share_a_0600_key_file_and_the_second_still_reads_and_asks(tmp_path):
    first = console(tmp_path, f"/demo\n{ASK}")
    assert "Your question is on its way" in first.stdout, first.stdout
    key_file = tmp_path / "peerbot-data" / CONSOLE_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    Fernet(key.encode())
    warnings = [line for line in first.stderr.splitlines() if CONSOLE_KEY_FILE in line]
    assert len(warnings) == 1, first.stderr
    assert "made now" in warnings[0] and "locally" in warnings[0]
    assert "real deployments set PEERBOT_ENCRYPTION_KEYS" in warnings[0]

    second = console(tmp_path, f"/as amira\n/peer threads\n{ASK}")
    assert second.stdout.count("Your question “How did you get the discharge team") == 1, second.stdout
    assert "Your question is on its way" in second.stdout, "the second run can still ask"
    assert RELAY_UNAVAILABLE not in second.stdout
    assert key_file.read_text().strip() == key, "the key made on the first run is kept"
    assert "made on the first run" in second.stderr
    for done in (first, second):
        assert key not in done.stdout + done.stderr, "the key is never printed"
    log = tmp_path / "peerbot-data" / "peerbot.log"
    assert not log.exists() or key not in log.read_text()


def test_an_environment_key_wins_and_a_wrong_one_stops_the_bot_before_it_reads_anything(tmp_path):
    console(tmp_path, f"/demo\n{ASK}")
    key_file = tmp_path / "peerbot-data" / CONSOLE_KEY_FILE
    key = key_file.read_text()
    other_key = Fernet.generate_key().decode()
    locked = console(tmp_path, f"/as amira\n/peer threads\n{ASK}", 1, PEERBOT_ENCRYPTION_KEYS=other_key)
    assert "on its way" not in locked.stdout and QUESTION[:30] not in locked.stdout
    assert "do not open with PEERBOT_ENCRYPTION_KEYS" in locked.stderr, "the operator is told why, at start"
    assert CONSOLE_KEY_FILE not in locked.stderr, "with a key in the environment the file is unused"
    assert key_file.read_text() == key


def test_with_platform_credentials_the_console_makes_no_key_and_the_relay_stays_off(tmp_path):
    done = console(tmp_path, f"/demo\n{ASK}", DISCORD_BOT_TOKEN="not-a-real-token")
    assert not (tmp_path / "peerbot-data" / CONSOLE_KEY_FILE).exists()
    assert RELAY_UNAVAILABLE in done.stdout
    assert not [word for word in OPERATOR_WORDS if word in done.stdout], done.stdout
    assert "no encryption key is set" in done.stderr
