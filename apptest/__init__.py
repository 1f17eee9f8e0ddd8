"""apptest: test Android apps for personal-information compliance."""

__version__ = "0.1.0"
