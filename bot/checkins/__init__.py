"""Peer check-ins: scheduling, reminders with calendar files, "did you meet?" follow-ups, ratings and
"continue together".
"""
