"""Daily Papers: the Hugging Face Daily Papers feed and arXiv on the desktop."""

__version__ = "0.1.0"
APP_NAME = "Daily Papers"
APP_SLUG = "daily-papers"
