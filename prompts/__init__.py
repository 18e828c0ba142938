"""The prompt and template text files, shipped as package data so a plain `pip install .`
has them; bot/assist/prompts.py reads them with importlib.resources."""
