"""Practitioner profiles: join, consent, edit, pause, leave, /peer mydata, import and export, the home
page.
"""
