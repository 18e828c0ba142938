"""The confidential "ask a peer" relay: anonymous questions to matched peers, answers back, encrypted
and purged on a timer.
"""
