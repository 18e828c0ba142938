"""The kernel: the typed core, dispatch, invocations, messages and forms, the outbox (the one way out),
jobs and the scheduler, clock, quiet hours, config, logging and storage. It imports no feature.
"""
