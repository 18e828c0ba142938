"""Library loggers that print bodies are held back at the source, whatever level is set later."""

import logging

from log_capture import every_logger_at_debug

from bot.kernel.logging_setup import SENSITIVE, guard_library_loggers


def test_library_debug_records_are_dropped_at_the_logger():
    engine_log = logging.getLogger("sqlalchemy.engine.Engine")  # exists once sqlalchemy is imported
    with every_logger_at_debug() as capture:
        engine_log.debug("INSERT ... params=('SECRET-1',)")
        logging.getLogger("bot.anything").debug("ordinary debug line")
    assert not any("SECRET-1" in text for text in capture.texts)
    assert any("ordinary debug line" in text for text in capture.texts)


def test_a_library_logger_created_later_is_guarded_when_the_adapter_starts():
    with every_logger_at_debug() as capture:
        late = logging.getLogger("discord.late_module")
        late.setLevel(logging.DEBUG)
        late.debug("body SECRET-2")
        assert any("SECRET-2" in text for text in capture.texts), "unguarded: the record exists"
        guard_library_loggers()
        late.debug("body SECRET-3")
    assert not any("SECRET-3" in text for text in capture.texts)


def test_sensitive_text_is_scrubbed_from_our_own_handler(capsys):
    SENSITIVE.add("the-secret-question")
    try:
        with every_logger_at_debug():
            logging.getLogger("bot.x").warning("oops: %s", "the-secret-question")
    finally:
        SENSITIVE.discard("the-secret-question")
    err = capsys.readouterr().err
    assert "the-secret-question" not in err and "[redacted]" in err
