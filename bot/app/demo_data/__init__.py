"""The demo community data (fictional practitioners)."""
