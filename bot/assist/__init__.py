"""Optional LLM help (tag suggestions, introductions, check-in questions, identifying-detail check)
with template fallbacks; prompts come from the prompts package.
"""
